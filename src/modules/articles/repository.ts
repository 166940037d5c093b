import { and, count, eq, gt, inArray, lte, type SQL, sql } from 'drizzle-orm';
import { assignSlug, orderBy, qualified } from '../../db/helpers.js';
import type { Db } from '../../db/index.js';
import { articles, articleTags, comments, sections } from '../../db/schema.js';
import { DomainError, notFound } from '../../lib/errors.js';
import { deriveExcerpt } from '../../lib/markdown.js';
import { isId } from '../../lib/slug.js';
import type { SortKey } from '../../lib/sort.js';
import type { SectionsRepository } from '../sections/repository.js';
import type { TagsRepository } from '../tags/repository.js';
import type { Article, ArticleCreate, ArticlePatch, ArticleSummary } from './schemas.js';
import { type Audience, visibleArticles } from './visibility.js';

export type ArticleSortField = 'publishedAt' | 'createdAt' | 'updatedAt' | 'title';
export type ArticleStatus = Article['status'];

export interface ArticleListOptions {
  page: number;
  perPage: number;
  sort: SortKey<ArticleSortField>[];
  sectionId?: number;
  tagId?: number;
  status?: ArticleStatus;
  author?: string;
  includeBody: boolean;
}

const sortColumns = {
  publishedAt: articles.publishedAt,
  createdAt: articles.createdAt,
  updatedAt: articles.updatedAt,
  title: sql`lower(${articles.title})`,
};

const summaryColumns = {
  id: articles.id,
  slug: articles.slug,
  title: articles.title,
  subtitle: articles.subtitle,
  excerpt: articles.excerpt,
  autoExcerpt: articles.autoExcerpt,
  status: articles.status,
  sectionId: articles.sectionId,
  sectionSlug: sections.slug,
  sectionName: sections.name,
  author: articles.author,
  publishedAt: articles.publishedAt,
  commentsEnabled: articles.commentsEnabled,
  commentCount: sql<number>`(select count(*) from ${comments} where ${comments.articleId} = ${qualified(articles.id)} and ${comments.status} = 'approved' and ${comments.deleted} = 0)`,
  version: articles.version,
  createdAt: articles.createdAt,
  updatedAt: articles.updatedAt,
};
const fullColumns = { ...summaryColumns, body: articles.body };

interface SummaryRow {
  id: number;
  slug: string;
  title: string;
  subtitle: string | null;
  excerpt: string | null;
  autoExcerpt: string;
  status: (typeof articles.status.enumValues)[number];
  sectionId: number | null;
  sectionSlug: string | null;
  sectionName: string | null;
  author: string | null;
  publishedAt: string | null;
  commentsEnabled: boolean;
  commentCount: number;
  version: number;
  createdAt: string;
  updatedAt: string;
  body?: string;
}

/** The status a reader sees: a published article whose time has not come is still scheduled. */
export function effectiveStatus(
  stored: SummaryRow['status'],
  publishedAt: string | null,
  now: string,
): ArticleStatus {
  return stored === 'published' && publishedAt !== null && publishedAt > now ? 'scheduled' : stored;
}

function statusCondition(status: ArticleStatus, now: string): SQL | undefined {
  if (status === 'published') return and(eq(articles.status, 'published'), lte(articles.publishedAt, now));
  if (status === 'scheduled') return and(eq(articles.status, 'published'), gt(articles.publishedAt, now));
  return eq(articles.status, status);
}

export function createArticlesRepository(
  db: Db,
  now: () => Date,
  related: { sections: SectionsRepository; tags: TagsRepository },
) {
  const toSummary = (row: SummaryRow, tags: ArticleSummary['tags'], audience: Audience): ArticleSummary => ({
    id: row.id,
    slug: row.slug,
    title: row.title,
    subtitle: row.subtitle,
    excerpt: row.excerpt ?? row.autoExcerpt,
    ...(row.body !== undefined ? { body: row.body } : {}),
    status: effectiveStatus(row.status, row.publishedAt, audience.now),
    section:
      row.sectionId !== null
        ? { id: row.sectionId, slug: row.sectionSlug ?? '', name: row.sectionName ?? '' }
        : null,
    tags,
    author: row.author,
    publishedAt: row.publishedAt,
    commentsEnabled: row.commentsEnabled,
    commentCount: row.commentCount,
    version: row.version,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  });

  const find = (idOrSlug: string | number, audience: Audience): Article | undefined => {
    const text = String(idOrSlug);
    const key = isId(text) ? eq(articles.id, Number(text)) : eq(articles.slug, text);
    const row = db
      .select(fullColumns)
      .from(articles)
      .leftJoin(sections, eq(sections.id, articles.sectionId))
      .where(and(key, visibleArticles(audience)))
      .get();
    if (!row) return undefined;
    const tags = related.tags.forArticles([row.id]).get(row.id) ?? [];
    return toSummary(row, tags, audience) as Article;
  };

  const get = (idOrSlug: string | number, audience: Audience): Article => {
    const article = find(idOrSlug, audience);
    if (!article) throw notFound('article', idOrSlug);
    return article;
  };

  const holderOfSlug = (slug: string) =>
    db.select({ id: articles.id }).from(articles).where(eq(articles.slug, slug)).get()?.id;

  const resolveSection = (ref: string | number | null | undefined): number | null | undefined => {
    if (ref === undefined || ref === null) return ref;
    const id = related.sections.resolve(ref);
    if (id === undefined)
      throw new DomainError('unprocessable', 'unknown-section', `No section "${ref}" (by id, slug or name)`);
    return id;
  };

  const linkTags = (articleId: number, tagIds: number[]) => {
    db.delete(articleTags).where(eq(articleTags.articleId, articleId)).run();
    if (tagIds.length > 0) {
      db.insert(articleTags)
        .values(tagIds.map((tagId, position) => ({ articleId, tagId, position })))
        .run();
    }
  };

  /** Stored status and publishedAt for a requested status, by the publishing rules. */
  const publication = (
    status: ArticleStatus,
    publishedAt: string | null,
    at: string,
  ): { status: SummaryRow['status']; publishedAt: string | null } => {
    if (status === 'scheduled') {
      if (publishedAt === null || publishedAt <= at) {
        throw new DomainError(
          'unprocessable',
          'schedule-in-past',
          'A scheduled article needs a publishedAt in the future; publish it instead',
        );
      }
      return { status: 'published', publishedAt };
    }
    if (status === 'published') return { status, publishedAt: publishedAt ?? at };
    return { status, publishedAt };
  };

  const normaliseTime = (value: string | null | undefined) =>
    value === undefined || value === null ? value : new Date(value).toISOString();

  return {
    find,
    get,

    list(options: ArticleListOptions, audience: Audience): { items: ArticleSummary[]; total: number } {
      const where = and(
        visibleArticles(audience),
        options.sectionId !== undefined ? eq(articles.sectionId, options.sectionId) : undefined,
        options.tagId !== undefined
          ? inArray(
              articles.id,
              db
                .select({ id: articleTags.articleId })
                .from(articleTags)
                .where(eq(articleTags.tagId, options.tagId)),
            )
          : undefined,
        options.status !== undefined ? statusCondition(options.status, audience.now) : undefined,
        options.author !== undefined ? eq(articles.author, options.author) : undefined,
      );
      const rows: SummaryRow[] = db
        .select(options.includeBody ? fullColumns : summaryColumns)
        .from(articles)
        .leftJoin(sections, eq(sections.id, articles.sectionId))
        .where(where)
        .orderBy(...orderBy(options.sort, sortColumns, articles.id))
        .limit(options.perPage)
        .offset((options.page - 1) * options.perPage)
        .all();
      const total = db.select({ n: count() }).from(articles).where(where).get()?.n ?? 0;
      const tags = related.tags.forArticles(rows.map((row) => row.id));
      return { items: rows.map((row) => toSummary(row, tags.get(row.id) ?? [], audience)), total };
    },

    /** Creates an article with its tags in one transaction; unknown tag names become tags. */
    create(input: ArticleCreate, audience: Audience): Article {
      return db.transaction(() => {
        const at = now().toISOString();
        const sectionId = resolveSection(input.section) ?? null;
        const tagIds = related.tags.resolveOrCreate(input.tags ?? []);
        const slug = assignSlug({
          resource: 'article',
          given: input.slug,
          derivedFrom: input.title,
          holderOf: holderOfSlug,
        });
        const body = input.body ?? '';
        const { id } = db
          .insert(articles)
          .values({
            slug,
            title: input.title,
            subtitle: input.subtitle ?? null,
            excerpt: input.excerpt ?? null,
            autoExcerpt: deriveExcerpt(body),
            body,
            ...publication(input.status ?? 'draft', normaliseTime(input.publishedAt) ?? null, at),
            sectionId,
            author: input.author ?? null,
            commentsEnabled: input.commentsEnabled ?? true,
            createdAt: at,
            updatedAt: at,
          })
          .returning({ id: articles.id })
          .get();
        linkTags(id, tagIds);
        return get(id, { ...audience, seesUnpublished: true });
      });
    },

    /** Applies a merge patch; bumps version and updatedAt only when something changed. */
    update(idOrSlug: string, patch: ArticlePatch, audience: Audience): Article {
      return db.transaction(() => {
        const current = get(idOrSlug, audience);
        const at = now().toISOString();
        const changes: Partial<typeof articles.$inferInsert> = {};
        const set = <K extends keyof typeof changes>(key: K, value: (typeof changes)[K], was: unknown) => {
          if (value !== undefined && value !== was) changes[key] = value;
        };
        set('title', patch.title, current.title);
        if (patch.slug !== undefined) {
          const slug = assignSlug({
            resource: 'article',
            given: patch.slug,
            derivedFrom: '',
            holderOf: holderOfSlug,
            self: current.id,
          });
          set('slug', slug, current.slug);
        }
        set('subtitle', patch.subtitle, current.subtitle);
        set('author', patch.author, current.author);
        set('commentsEnabled', patch.commentsEnabled, current.commentsEnabled);
        if (patch.excerpt !== undefined) {
          const stored = db
            .select({ excerpt: articles.excerpt })
            .from(articles)
            .where(eq(articles.id, current.id))
            .get();
          set('excerpt', patch.excerpt, stored?.excerpt);
        }
        if (patch.body !== undefined && patch.body !== current.body) {
          changes.body = patch.body;
          changes.autoExcerpt = deriveExcerpt(patch.body);
        }
        if (patch.section !== undefined)
          set('sectionId', resolveSection(patch.section), current.section?.id ?? null);
        if (patch.status !== undefined || patch.publishedAt !== undefined) {
          const requested = publication(
            patch.status ?? current.status,
            patch.publishedAt === undefined
              ? current.publishedAt
              : (normaliseTime(patch.publishedAt) ?? null),
            at,
          );
          const stored = current.status === 'scheduled' ? 'published' : current.status;
          set('status', requested.status, stored);
          set('publishedAt', requested.publishedAt, current.publishedAt);
        }
        let tagsChanged = false;
        if (patch.tags !== undefined) {
          const tagIds = related.tags.resolveOrCreate(patch.tags);
          tagsChanged = tagIds.join(',') !== current.tags.map((tag) => tag.id).join(',');
          if (tagsChanged) linkTags(current.id, tagIds);
        }
        if (Object.keys(changes).length === 0 && !tagsChanged) return current;
        db.update(articles)
          .set({ ...changes, version: sql`${articles.version} + 1`, updatedAt: at })
          .where(eq(articles.id, current.id))
          .run();
        return get(current.id, { ...audience, seesUnpublished: true });
      });
    },

    /** Deletes an article; its comments and tag links go with it (foreign-key cascades). */
    delete(idOrSlug: string, audience: Audience): void {
      db.transaction(() => {
        const current = get(idOrSlug, audience);
        db.delete(articles).where(eq(articles.id, current.id)).run();
      });
    },
  };
}

export type ArticlesRepository = ReturnType<typeof createArticlesRepository>;
