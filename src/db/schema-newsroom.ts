import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { articles } from './schema.js';

// What the newsroom workflow keeps beside articles (tables.ts gathers it with the rest): preview links
// and the correction log.

/** What a correction notice says it is. */
export const CORRECTION_KINDS = ['correction', 'clarification', 'update'] as const;

/**
 * Preview links: bearer tokens that read one article in its current state (drafts included)
 * until they expire. Only the SHA-256 of each token is kept, as for API keys.
 */
export const previewTokens = sqliteTable(
  'preview_tokens',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    articleId: integer('article_id')
      .notNull()
      .references(() => articles.id, { onDelete: 'cascade' }),
    hash: text('hash').notNull().unique(),
    /** The key that made it (null for the admin key). */
    keyId: integer('key_id'),
    createdAt: text('created_at').notNull(),
    expiresAt: text('expires_at').notNull(),
  },
  (table) => [index('preview_tokens_article_idx').on(table.articleId)],
);

/**
 * An article's corrections, clarifications and updates: a public log, appended to and never
 * edited. An admin may remove an entry; the row stays, saying when, by whom and why.
 */
export const articleCorrections = sqliteTable(
  'article_corrections',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    articleId: integer('article_id')
      .notNull()
      .references(() => articles.id, { onDelete: 'cascade' }),
    kind: text('kind', { enum: CORRECTION_KINDS }).notNull(),
    text: text('text').notNull(),
    textHtml: text('text_html').notNull(),
    at: text('at').notNull(),
    /** The key that appended it (its name, as revisions keep it). */
    byKeyName: text('by_key_name').notNull(),
    removedAt: text('removed_at'),
    removedByKeyName: text('removed_by_key_name'),
    removalReason: text('removal_reason'),
  },
  (table) => [index('article_corrections_article_idx').on(table.articleId, table.id)],
);
