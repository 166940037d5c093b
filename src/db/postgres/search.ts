import { type SQL, sql } from 'drizzle-orm';
import { articleSearch } from './schema.js';

// PostgreSQL's search, as src/modules/articles/search.ts is SQLite's: the same query language
// (src/lib/search-query.ts renders it as tsquery text) over the weighted `article_search`
// documents that migrations-postgres 0001 keeps up to date. Snippets are built in JavaScript from
// `body_text` on both stores (src/lib/snippet.ts), so their cost is bounded the same way.

/** Whether an article's document matches a parsed query's `tsquery`. */
export const searchMatch = (tsquery: string): SQL => sql`${articleSearch.document} @@ ${tsquery}::tsquery`;

/**
 * Title far above tags, subtitle and excerpt, and the body last, as SQLite's bm25 weights them
 * (10 / 5 / 4 and 3 / 1). ts_rank takes weights for D, C, B, A; normalisation 1 divides by the
 * log of the document's length, as bm25 favours shorter documents. Higher is better.
 */
export const searchRank = (tsquery: string): SQL<number> =>
  sql<number>`ts_rank('{0.1, 0.35, 0.5, 1.0}', ${articleSearch.document}, ${tsquery}::tsquery, 1)`;

/**
 * Keeps a relevance-ranked search to the newest `size` matches (SEARCH_RANK_WINDOW), as on
 * SQLite: the GIN index finds the matches, and only those from the window's start are ranked.
 */
export const searchRankWindow = (tsquery: string, size: number): SQL =>
  sql`${articleSearch.articleId} >= coalesce((select window_start.article_id from ${articleSearch} as window_start where window_start.document @@ ${tsquery}::tsquery order by window_start.article_id desc offset ${size - 1} limit 1), 0)`;
