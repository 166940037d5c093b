import { index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { articles, authors } from './schema.js';

// What the newsroom keeps beside its articles (tables.ts gathers it with the rest): revisions,
// preview links and the correction log.

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

export const articleRevisions = sqliteTable(
  'article_revisions',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    articleId: integer('article_id')
      .notNull()
      .references(() => articles.id, { onDelete: 'cascade' }),
    number: integer('number').notNull(),
    createdAt: text('created_at').notNull(),
    /** Name of the API key that made the change. */
    keyName: text('key_name').notNull(),
    /** The key's id (null for the admin key and imports); kept after the key is deleted. */
    keyId: integer('key_id'),
    /** The author the key acts for, when it has one. */
    authorId: integer('author_id').references(() => authors.id, { onDelete: 'set null' }),
    snapshot: text('snapshot', { mode: 'json' }).$type<Record<string, unknown>>().notNull(),
    changes: text('changes', { mode: 'json' })
      .$type<{ field: string; from: unknown; to: unknown }[]>()
      .notNull(),
  },
  (table) => [uniqueIndex('article_revisions_number_idx').on(table.articleId, table.number)],
);
