import { and, type Column, gt, inArray, isNull, lte, or, type SQL, sql } from 'drizzle-orm';
import { ARTICLE_STATUSES } from '../../db/schema.js';
import type { Audience } from '../../lib/audience.js';

export type { Audience };

/**
 * The one definition of "public": published, with publishedAt reached and expiresAt (if any) not
 * yet. Everything that counts
 * or lists articles for a reader (lists, totals, articleCount, comments) goes through this.
 */
export function visibleArticles(
  audience: Pick<Audience, 'seesUnpublished'> & { now: Parameters<typeof publishedBy>[0] },
  table: ArticleColumns,
): SQL | undefined {
  // Keyed readers see every state but the trash, which only `status=trashed` lists.
  if (audience.seesUnpublished) return inArray(table.status, UNTRASHED);
  return publishedBy(audience.now, table);
}

/** The columns visibility looks at, in either store's articles table. */
interface ArticleColumns {
  status: Column;
  publishedAt: Column;
  expiresAt: Column;
}

/** Every stored status but `trashed`, as a list: an index range, where `<>` would scan. */
export const UNTRASHED = ARTICLE_STATUSES.filter((status) => status !== 'trashed');

/**
 * Published with publishedAt reached by `now`, and not expired by then (a value, or a
 * placeholder in prepared statements).
 */
export function publishedBy(
  now: string | SQL.Aliased | ReturnType<typeof sql.placeholder>,
  table: ArticleColumns,
): SQL | undefined {
  return and(
    isPublishedStatus(table),
    lte(table.publishedAt, now as string),
    or(isNull(table.expiresAt), gt(table.expiresAt, now as string)),
  );
}

/**
 * `status = 'published'` with the constant in the SQL text rather than bound: SQLite plans a
 * bound status as if it could be anything, and re-plans statements that bind it (measured: it
 * more than doubled the cost of reading one article).
 */
const isPublishedStatus = (table: ArticleColumns) => sql`${table.status} = 'published'`;
