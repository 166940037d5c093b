import { index, integer, json, pgTable, text, uniqueIndex } from 'drizzle-orm/pg-core';
import { CORRECTION_KINDS } from '../schema-newsroom.js';
import { id } from './columns.js';
import { articles, authors } from './schema.js';

// The PostgreSQL twin of ../schema-newsroom.ts (tables.ts gathers it with the rest): revisions,
// preview links and the correction log.

/**
 * Preview links: bearer tokens that read one article in its current state (drafts included)
 * until they expire. Only the SHA-256 of each token is kept, as for API keys.
 */
export const previewTokens = pgTable(
  'preview_tokens',
  {
    id: id(),
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
export const articleCorrections = pgTable(
  'article_corrections',
  {
    id: id(),
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

export const articleRevisions = pgTable(
  'article_revisions',
  {
    id: id(),
    articleId: integer('article_id')
      .notNull()
      .references(() => articles.id, { onDelete: 'cascade' }),
    number: integer('number').notNull(),
    createdAt: text('created_at').notNull(),
    keyName: text('key_name').notNull(),
    keyId: integer('key_id'),
    authorId: integer('author_id').references(() => authors.id, { onDelete: 'set null' }),
    snapshot: json('snapshot').$type<Record<string, unknown>>().notNull(),
    changes: json('changes').$type<{ field: string; from: unknown; to: unknown }[]>().notNull(),
  },
  (table) => [uniqueIndex('article_revisions_number_idx').on(table.articleId, table.number)],
);
