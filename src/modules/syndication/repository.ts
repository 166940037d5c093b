import { and, desc, eq, gt, inArray, isNotNull, max, sql } from 'drizzle-orm';
import type { Database } from '../../db/database.js';
import { qualified } from '../../db/helpers.js';
import type { ArticleLink } from '../articles/article-links.js';
import { publishedBy } from '../articles/visibility.js';
import { authorLink } from '../authors/repository.js';
import { tagLink } from '../tags/repository.js';

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

export interface SyndicationRepository {
  /** Published articles reached by `at`: what the sitemap index divides into files. */
  countPublished(at: string): Promise<number>;
  /** One sitemap file's articles, newest first. */
  articlePage(at: string, offset: number, limit: number): Promise<SitemapArticle[]>;
  /** The images each article of that file shows (featured first, then its body's), by article. */
  imagesOfPage(at: string, offset: number, limit: number): Promise<Map<number, number[]>>;
  /** Articles published after `since` and by `at`, newest first (Google News: the last 48 hours). */
  publishedSince(since: string, at: string, limit: number): Promise<NewsArticle[]>;
  /** Every section, with when it (or its newest published article) last changed. */
  sections(at: string): Promise<SitemapTerm[]>;
  /** Tags some published article carries, with when they (or that article) last changed. */
  tagsInUse(at: string): Promise<SitemapTerm[]>;
  /** Authors of some published article, with when they (or that article) last changed. */
  authorsInUse(at: string): Promise<SitemapTerm[]>;
}

/** Tags or authors some published article carries, with when they (or that article) last changed. */
async function termsInUse(db: Database, link: ArticleLink, at: string): Promise<SitemapTerm[]> {
  const { articles } = db.tables;
  const { target } = link;
  const newestRows = await db
    .query()
    .select({ targetId: link.targetId, newest: max(articles.publishedAt) })
    .from(articles)
    .innerJoin(link.links, eq(link.articleId, articles.id))
    .where(publishedBy(at, articles))
    .groupBy(link.targetId);
  const newest = new Map(newestRows.map((row) => [row.targetId as number, row.newest]));
  const all = await db
    .query()
    .select({ id: target.id, slug: target.slug, updatedAt: target.updatedAt })
    .from(link.targets)
    .orderBy(target.id);
  return all
    .filter((row) => newest.has(row.id as number))
    .map((row) => ({
      id: row.id as number,
      slug: row.slug as string,
      lastModified: later(row.updatedAt as string, newest.get(row.id as number) ?? null),
    }));
}

/**
 * The reads behind sitemaps. Every query walks the (status, published_at, id) index newest
 * first, so a page of 50,000 URLs out of 100,000 articles reads that page and no other row.
 */
export function createSyndicationRepository(db: Database): SyndicationRepository {
  const { articles, sections } = db.tables;
  const published = (at: string) => publishedBy(at, articles);
  const articleColumns = {
    id: articles.id,
    slug: articles.slug,
    sectionSlug: sections.slug,
    publishedAt: articles.publishedAt,
    createdAt: articles.createdAt,
    updatedAt: articles.updatedAt,
  };

  return {
    async countPublished(at) {
      return db.query().$count(articles, published(at));
    },

    async articlePage(at, offset, limit) {
      const rows = await db
        .query()
        .select(articleColumns)
        .from(articles)
        .leftJoin(sections, eq(sections.id, articles.sectionId))
        .where(published(at))
        .orderBy(desc(articles.publishedAt), desc(articles.id))
        .limit(limit)
        .offset(offset);
      return rows.map(toSitemapArticle);
    },

    async imagesOfPage(at, offset, limit) {
      const { articleMedia } = db.tables;
      // The same walk of the index as articlePage, ids only.
      const page = db
        .query()
        .select({ id: articles.id })
        .from(articles)
        .where(published(at))
        .orderBy(desc(articles.publishedAt), desc(articles.id))
        .limit(limit)
        .offset(offset);
      const featured = await db
        .query()
        .select({ articleId: articles.id, mediaId: articles.featuredImageId })
        .from(articles)
        .where(and(inArray(articles.id, page), isNotNull(articles.featuredImageId)));
      const inBodies = await db
        .query()
        .select({ articleId: articleMedia.articleId, mediaId: articleMedia.mediaId })
        .from(articleMedia)
        .where(inArray(articleMedia.articleId, page))
        .orderBy(articleMedia.articleId, articleMedia.position);
      const images = new Map<number, number[]>();
      for (const { articleId, mediaId } of [...featured, ...inBodies]) {
        const shown = images.get(articleId) ?? [];
        if (mediaId !== null && !shown.includes(mediaId)) shown.push(mediaId);
        images.set(articleId, shown);
      }
      return images;
    },

    async publishedSince(since, at, limit) {
      const rows = await db
        .query()
        .select({ ...articleColumns, title: articles.title })
        .from(articles)
        .leftJoin(sections, eq(sections.id, articles.sectionId))
        .where(and(published(at), gt(articles.publishedAt, since)))
        .orderBy(desc(articles.publishedAt), desc(articles.id))
        .limit(limit);
      return rows.map((row) => ({ ...toSitemapArticle(row), title: row.title }));
    },

    async sections(at) {
      const rows = await db
        .query()
        .select({
          id: sections.id,
          slug: sections.slug,
          updatedAt: sections.updatedAt,
          newest: sql<
            string | null
          >`(select max(${articles.publishedAt}) from ${articles} where ${articles.sectionId} = ${qualified(sections.id)} and ${published(at)})`,
        })
        .from(sections)
        .orderBy(sections.id);
      return rows.map((row) => ({
        id: row.id,
        slug: row.slug,
        lastModified: later(row.updatedAt, row.newest),
      }));
    },

    tagsInUse: (at) => termsInUse(db, tagLink(db.tables), at),
    authorsInUse: (at) => termsInUse(db, authorLink(db.tables), at),
  };
}
