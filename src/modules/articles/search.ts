import { type SQL, sql } from 'drizzle-orm';
import { articles } from '../../db/schema.js';

// FTS5 lives here and in migration 0006 only: a PostgreSQL build replaces these pieces.

/**
 * The full-text index joined to articles by rowid. Searches read it first, CROSS JOIN articles
 * (SQLite never reorders a CROSS JOIN): driven from the status index instead, SQLite evaluated
 * the MATCH once per published row, and `t*` over 2,000 long articles held the process 50 s.
 */
export const ftsTable = sql`articles_fts`;
export const ftsJoin = sql`articles_fts.rowid = ${articles.id}`;
export const ftsMatch = (query: string): SQL => sql`articles_fts match ${query}`;

/** bm25 with the title weighted far above the body: lower is better. */
export const ftsRank = sql<number>`bm25(articles_fts, 10.0, 4.0, 3.0, 1.0, 5.0)`;

/**
 * Relevance ranks at most this many matches by default, the newest (by id): a query matching
 * most of the archive then costs what one matching a few thousand does, instead of scoring
 * every match (SEARCH_RANK_WINDOW).
 */
export const RANK_WINDOW = 2000;

/**
 * Keeps a relevance-ranked search to the newest `size` matches: FTS5 walks the matches down
 * from the highest rowid to find where the window starts, then only those above are scored.
 */
export const ftsRankWindow = (query: string, size: number): SQL =>
  sql`articles_fts.rowid >= coalesce((select rowid from articles_fts where articles_fts match ${query} order by rowid desc limit 1 offset ${size - 1}), 0)`;
