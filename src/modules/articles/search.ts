import { type SQL, sql } from 'drizzle-orm';
import { articles } from '../../db/schema.js';

// FTS5 lives here and in migration 0006 only: a PostgreSQL build replaces these pieces.

/** The full-text index joined to articles by rowid. */
export const ftsTable = sql`articles_fts`;
export const ftsJoin = sql`articles_fts.rowid = ${articles.id}`;
export const ftsMatch = (query: string): SQL => sql`articles_fts match ${query}`;

/** bm25 with the title weighted far above the body: lower is better. */
export const ftsRank = sql<number>`bm25(articles_fts, 10.0, 4.0, 3.0, 1.0, 5.0)`;
