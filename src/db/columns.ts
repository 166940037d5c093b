import { text } from 'drizzle-orm/sqlite-core';

/** When a row was made and last changed, as ISO text: spread into the tables that keep both. */
export const timestamps = {
  createdAt: text('created_at').notNull(),
  updatedAt: text('updated_at').notNull(),
};
