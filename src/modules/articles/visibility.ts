import { and, eq, inArray, lte, type SQL, type sql } from 'drizzle-orm';
import { ARTICLE_STATUSES, articles } from '../../db/schema.js';

/** Who is asking, as far as content visibility goes. */
export interface Audience {
  /** Holds `content:read`: sees drafts, scheduled and archived articles too. */
  seesUnpublished: boolean;
  /** ISO time of the request: a published article with a later publishedAt is still scheduled. */
  now: string;
}

/**
 * The one definition of "public": published, with publishedAt reached. Everything that counts
 * or lists articles for a reader (lists, totals, articleCount, comments) goes through this.
 */
export function visibleArticles(audience: Audience): SQL | undefined {
  // Keyed readers see every state but the trash, which only `status=trashed` lists.
  if (audience.seesUnpublished) return inArray(articles.status, UNTRASHED);
  return publishedBy(audience.now);
}

/** Every stored status but `trashed`, as a list: an index range, where `<>` would scan. */
export const UNTRASHED = ARTICLE_STATUSES.filter((status) => status !== 'trashed');

/** Published with publishedAt reached by `now` (a value, or a placeholder in prepared statements). */
export function publishedBy(now: string | SQL.Aliased | ReturnType<typeof sql.placeholder>): SQL | undefined {
  return and(eq(articles.status, 'published'), lte(articles.publishedAt, now as string));
}
