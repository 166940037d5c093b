import { and, count, desc, eq, gt, max, sql } from 'drizzle-orm';
import { qualified } from '../../db/helpers.js';
import type { Db } from '../../db/index.js';
import { articles, articleTags, sections, tags } from '../../db/schema.js';
import { publishedBy } from '../articles/visibility.js';

/** What a sitemap needs of an article: enough to build its URL and its last change. */
export interface SitemapArticle {
  id: number;
  slug: string;
  section: { slug: string } | null;
  publishedAt: string;
  createdAt: string;
  updatedAt: string;
}

export interface NewsArticle extends SitemapArticle {
  title: string;
}

export interface SitemapTerm {
  id: number;
  slug: string;
  /** The later of its own last change and its newest published article. */
  lastModified: string;
}

export const later = (a: string, b: string | null) => (b !== null && b > a ? b : a);

/** A sitemap's article from its row (a published article always has publishedAt; createdAt guards). */
export const toSitemapArticle = (row: {
  id: number;
  slug: string;
  sectionSlug: string | null;
  publishedAt: string | null;
  createdAt: string;
  updatedAt: string;
}): SitemapArticle => ({
  id: row.id,
  slug: row.slug,
  section: row.sectionSlug === null ? null : { slug: row.sectionSlug },
  publishedAt: row.publishedAt ?? row.createdAt,
  createdAt: row.createdAt,
  updatedAt: row.updatedAt,
});

/**
 * The reads behind sitemaps. Every query walks the (status, published_at, id) index newest
 * first, so a page of 50,000 URLs out of 100,000 articles reads that page and no other row.
 */
export function createSyndicationRepository(db: Db) {
  const now = sql.placeholder('now');
  const articleColumns = {
    id: articles.id,
    slug: articles.slug,
    sectionSlug: sections.slug,
    publishedAt: articles.publishedAt,
    createdAt: articles.createdAt,
    updatedAt: articles.updatedAt,
  };
  const published = db.select({ n: count() }).from(articles).where(publishedBy(now)).prepare();
  const page = db
    .select(articleColumns)
    .from(articles)
    .leftJoin(sections, eq(sections.id, articles.sectionId))
    .where(publishedBy(now))
    .orderBy(desc(articles.publishedAt), desc(articles.id))
    .limit(sql.placeholder('limit'))
    .offset(sql.placeholder('offset'))
    .prepare();
  const news = db
    .select({ ...articleColumns, title: articles.title })
    .from(articles)
    .leftJoin(sections, eq(sections.id, articles.sectionId))
    .where(and(publishedBy(now), gt(articles.publishedAt, sql.placeholder('since') as unknown as string)))
    .orderBy(desc(articles.publishedAt), desc(articles.id))
    .limit(sql.placeholder('limit'))
    .prepare();
  const sectionRows = db
    .select({
      id: sections.id,
      slug: sections.slug,
      updatedAt: sections.updatedAt,
      newest: sql<
        string | null
      >`(select max(${articles.publishedAt}) from ${articles} where ${articles.sectionId} = ${qualified(sections.id)} and ${publishedBy(now)})`,
    })
    .from(sections)
    .orderBy(sections.id)
    .prepare();
  // Driven from the published articles' covering index (one pass), not tag by tag.
  const newestPerTag = db
    .select({ tagId: articleTags.tagId, newest: max(articles.publishedAt) })
    .from(articles)
    .innerJoin(articleTags, eq(articleTags.articleId, articles.id))
    .where(publishedBy(now))
    .groupBy(articleTags.tagId)
    .prepare();
  const allTags = db
    .select({ id: tags.id, slug: tags.slug, updatedAt: tags.updatedAt })
    .from(tags)
    .orderBy(tags.id)
    .prepare();

  return {
    /** Published articles reached by `at`: what the sitemap index divides into files. */
    countPublished: (at: string): number => published.get({ now: at })?.n ?? 0,

    /** One sitemap file's articles, newest first. */
    articlePage: (at: string, offset: number, limit: number): SitemapArticle[] =>
      page.all({ now: at, offset, limit }).map(toSitemapArticle),

    /** Articles published after `since` and by `at`, newest first (Google News: the last 48 hours). */
    publishedSince: (since: string, at: string, limit: number): NewsArticle[] =>
      news.all({ now: at, since, limit }).map((row) => ({ ...toSitemapArticle(row), title: row.title })),

    /** Every section, with when it (or its newest published article) last changed. */
    sections: (at: string): SitemapTerm[] =>
      sectionRows.all({ now: at }).map((row) => ({
        id: row.id,
        slug: row.slug,
        lastModified: later(row.updatedAt, row.newest),
      })),

    /** Tags some published article carries, with when they (or that article) last changed. */
    tagsInUse: (at: string): SitemapTerm[] => {
      const newest = new Map(newestPerTag.all({ now: at }).map((row) => [row.tagId, row.newest]));
      return allTags
        .all()
        .filter((tag) => newest.has(tag.id))
        .map((tag) => ({
          id: tag.id,
          slug: tag.slug,
          lastModified: later(tag.updatedAt, newest.get(tag.id) ?? null),
        }));
    },
  };
}

export type SyndicationRepository = ReturnType<typeof createSyndicationRepository>;
