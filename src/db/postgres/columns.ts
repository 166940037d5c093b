import { integer, text } from 'drizzle-orm/pg-core';

/** An identity primary key (PostgreSQL's own, where SQLite has AUTOINCREMENT). */
export const id = () => integer('id').primaryKey().generatedByDefaultAsIdentity();

/** When a row was made and last changed, as ISO text (as on SQLite): spread into the tables that keep both. */
export const timestamps = {
  createdAt: text('created_at').notNull(),
  updatedAt: text('updated_at').notNull(),
};
