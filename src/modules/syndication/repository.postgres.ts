import { and, count, desc, eq, gt, max, sql } from 'drizzle-orm';
import type { Asynchronous } from '../../db/asynchronous.js';
import { qualified } from '../../db/helpers.js';
import type { PgDb } from '../../db/postgres/index.js';
import { articles, articleTags, sections, tags } from '../../db/postgres/schema.js';
import { executor } from '../../db/postgres/transaction.js';
import { publishedBy } from '../articles/visibility.js';
import { later, type SyndicationRepository, toSitemapArticle } from './repository.js';

/** The reads behind sitemaps, on PostgreSQL (see ./repository.ts). */
export function createPostgresSyndicationRepository(db: PgDb): Asynchronous<SyndicationRepository> {
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
      const [row] = await executor(db).select({ n: count() }).from(articles).where(published(at));
      return row?.n ?? 0;
    },

    async articlePage(at, offset, limit) {
      const rows = await executor(db)
        .select(articleColumns)
        .from(articles)
        .leftJoin(sections, eq(sections.id, articles.sectionId))
        .where(published(at))
        .orderBy(desc(articles.publishedAt), desc(articles.id))
        .limit(limit)
        .offset(offset);
      return rows.map(toSitemapArticle);
    },

    async publishedSince(since, at, limit) {
      const rows = await executor(db)
        .select({ ...articleColumns, title: articles.title })
        .from(articles)
        .leftJoin(sections, eq(sections.id, articles.sectionId))
        .where(and(published(at), gt(articles.publishedAt, since)))
        .orderBy(desc(articles.publishedAt), desc(articles.id))
        .limit(limit);
      return rows.map((row) => ({ ...toSitemapArticle(row), title: row.title }));
    },

    async sections(at) {
      const rows = await executor(db)
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

    async tagsInUse(at) {
      const newestRows = await executor(db)
        .select({ tagId: articleTags.tagId, newest: max(articles.publishedAt) })
        .from(articles)
        .innerJoin(articleTags, eq(articleTags.articleId, articles.id))
        .where(published(at))
        .groupBy(articleTags.tagId);
      const newest = new Map(newestRows.map((row) => [row.tagId, row.newest]));
      const all = await executor(db)
        .select({ id: tags.id, slug: tags.slug, updatedAt: tags.updatedAt })
        .from(tags)
        .orderBy(tags.id);
      return all
        .filter((tag) => newest.has(tag.id))
        .map((tag) => ({
          id: tag.id,
          slug: tag.slug,
          lastModified: later(tag.updatedAt, newest.get(tag.id) ?? null),
        }));
    },
  };
}
