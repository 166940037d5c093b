import { and, eq, lte, type SQL, type sql } from 'drizzle-orm';
import { articles } from '../../db/schema.js';

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
 * Returns undefined when the audience sees everything.
 */
export function visibleArticles(audience: Audience): SQL | undefined {
  if (audience.seesUnpublished) return undefined;
  return publishedBy(audience.now);
}

/** Published with publishedAt reached by `now` (a value, or a placeholder in prepared statements). */
export function publishedBy(now: string | SQL.Aliased | ReturnType<typeof sql.placeholder>): SQL | undefined {
  return and(eq(articles.status, 'published'), lte(articles.publishedAt, now as string));
}
