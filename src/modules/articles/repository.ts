import { and, eq, lt, type SQL, sql } from 'drizzle-orm';
import type { SelectedFields } from 'drizzle-orm/sqlite-core';
import type { ContentStateRepository } from '../../db/content-state.js';
import { assignSlug, qualified, writeTransaction } from '../../db/helpers.js';
import type { Db } from '../../db/index.js';
import { articleBodies, articles, articleTags, sections, tags } from '../../db/schema.js';
import { articleWriteKeys, cacheKeys } from '../../lib/cache-keys.js';
import { DomainError, notFound } from '../../lib/errors.js';
import { RENDER_VERSION, type Rendering, renderMarkdown } from '../../lib/markdown.js';
import { isId } from '../../lib/slug.js';
import { toInstant } from '../../lib/time.js';
import type { EventsRepository } from '../events/repository.js';
import type { SectionsRepository } from '../sections/repository.js';
import type { TagsRepository } from '../tags/repository.js';
import { createAnnouncements } from './announcements.js';
import {
  type ArticleStatus,
  columnsFor,
  createArticleListing,
  type Heavy,
  type Row,
  summaryColumns,
  toArticle,
} from './listing.js';
import { createRevisionsRepository } from './revisions.js';
import type { Article, ArticleCreate, ArticlePatch, ArticleSnapshot } from './schemas.js';
import { createTrash } from './trash.js';
import { type Audience, publishedBy } from './visibility.js';

export const ALL: Heavy = { body: true, bodyHtml: true, toc: true };

/** Who makes a write, and the version they last saw (If-Match), when they said. */
export interface WriteContext {
  audience: Audience;
  actor: string;
  expectedVersion?: number;
}

/** What a rendering changes on the article's own row (rendered before the write transaction starts). */
export const renderedColumns = (rendering: Rendering) => ({
  wordCount: rendering.wordCount,
  autoExcerpt: rendering.excerpt,
  renderVersion: RENDER_VERSION,
});

/** ...and in its article_bodies row, beside the body. */
export const renderedBody = (rendering: Rendering) => ({
  bodyHtml: rendering.html,
  toc: rendering.toc,
  bodyText: rendering.text,
});

/** The editorial state a revision stores (`excerpt` as stored: null when derived). */
export function snapshotOf(article: Article, excerpt: string | null): ArticleSnapshot {
  return {
    title: article.title,
    slug: article.slug,
    subtitle: article.subtitle,
    excerpt,
    body: article.body ?? '',
    status: article.status,
    section: article.section,
    tags: article.tags,
    author: article.author,
    publishedAt: article.publishedAt,
    commentsEnabled: article.commentsEnabled,
  };
}

/** A write needs an article out of the trash (unless it says otherwise) at the version the caller saw. */
export function assertWritable(article: Article, context: WriteContext & { allowTrashed?: boolean }): void {
  if (article.status === 'trashed' && !context.allowTrashed) {
    throw new DomainError(
      'conflict',
      'article-trashed',
      `Article "${article.slug}" is in the trash: restore it first (POST /v1/articles/${article.id}/restore)`,
    );
  }
  if (context.expectedVersion !== undefined && context.expectedVersion !== article.version) {
    throw new DomainError(
      'precondition-failed',
      'stale-version',
      `The article is at version ${article.version}, not ${context.expectedVersion}: fetch it again and reapply your change`,
      { currentVersion: article.version },
    );
  }
}

/** Stored status and publishedAt for a requested status, by the publishing rules. */
export function publication(status: ArticleStatus, publishedAt: string | null, at: string) {
  if (status === 'scheduled') {
    if (publishedAt === null || publishedAt <= at) {
      throw new DomainError(
        'unprocessable',
        'schedule-in-past',
        'A scheduled article needs a publishedAt in the future; publish it instead',
      );
    }
    return { status: 'published' as const, publishedAt };
  }
  if (status === 'published') return { status, publishedAt: publishedAt ?? at };
  return { status, publishedAt };
}

export const normaliseTime = (value: string | null | undefined) =>
  value === undefined || value === null ? value : toInstant(value);

/** Whether the public sees the article (so a change to it changes public responses). */
export const publiclyVisible = (article: Pick<Article, 'status'>) => article.status === 'published';

/** An unknown section named by an article is a 422. */
export function knownSection(ref: string | number, id: number | undefined): number {
  if (id === undefined) {
    throw new DomainError('unprocessable', 'unknown-section', `No section "${ref}" (by id, slug or name)`);
  }
  return id;
}

/** The content a revision brings back (slug, status and publication stay as they are). */
export const restoredContent = (old: ArticleSnapshot): ArticlePatch => ({
  title: old.title,
  subtitle: old.subtitle,
  excerpt: old.excerpt,
  body: old.body,
  section: old.section?.id ?? null,
  tags: old.tags.map((tag) => tag.name),
  author: old.author,
});

/** What an article's validators derive from, as one string. */
export const validatorOf = (row: {
  id: number;
  version: number;
  section: string;
  tags: string;
  comments: number;
  live: number | boolean | null;
  rendered: number;
}) => ({
  prefix: `a${row.id}.v${row.version}`,
  basis: `${row.version}|${row.section}|${row.tags}|${row.comments}|${Number(row.live ?? 0)}|${row.rendered}`,
  version: row.version,
});

export function createArticlesRepository(
  db: Db,
  now: () => Date,
  related: {
    sections: SectionsRepository;
    tags: TagsRepository;
    contentState: ContentStateRepository;
    events: EventsRepository;
  },
  options: { searchRankWindow: number },
) {
  const revisions = createRevisionsRepository(db, now);
  const { events } = related;
  // Single reads are the hottest path: one prepared statement per (id or slug) x (public or not).
  const key = sql.placeholder('key');
  const visible = publishedBy(sql.placeholder('now'));
  const prepareFor = (columns: SelectedFields, withBody: boolean) => {
    const statement = (where: SQL | undefined) => {
      const base = db.select(columns).from(articles).leftJoin(sections, eq(sections.id, articles.sectionId));
      return (withBody ? base.leftJoin(articleBodies, eq(articleBodies.articleId, articles.id)) : base)
        .where(where)
        .prepare();
    };
    return {
      idPublic: statement(and(eq(articles.id, key), visible)),
      idAll: statement(eq(articles.id, key)),
      slugPublic: statement(and(eq(articles.slug, key), visible)),
      slugAll: statement(eq(articles.slug, key)),
    };
  };
  const byKey = prepareFor(columnsFor(ALL), true);
  // Everything an article response shows beyond its own row: the section and tags it embeds,
  // its approved comments, and whether it is live yet (status turns from scheduled to published).
  const basisByKey = prepareFor(
    {
      id: articles.id,
      version: articles.version,
      section: sql<string>`coalesce(${sections.slug} || '/' || ${sections.name}, '')`,
      tags: sql<string>`coalesce((select group_concat(${tags.id} || '/' || ${tags.slug} || '/' || ${tags.name}, '|') from ${articleTags} join ${tags} on ${tags.id} = ${articleTags.tagId} where ${articleTags.articleId} = ${qualified(articles.id)}), '')`,
      comments: summaryColumns.commentCount,
      live: sql<number>`${articles.publishedAt} <= ${sql.placeholder('now')}`,
      // A renderer upgrade re-renders bodyHtml without a new version.
      rendered: articles.renderVersion,
    },
    false,
  );
  const lookup = <T>(
    statements: ReturnType<typeof prepareFor>,
    idOrSlug: string | number,
    audience: Audience,
  ) => {
    const byId = isId(String(idOrSlug));
    const statement = byId
      ? audience.seesUnpublished
        ? statements.idAll
        : statements.idPublic
      : audience.seesUnpublished
        ? statements.slugAll
        : statements.slugPublic;
    return statement.get({ key: byId ? Number(idOrSlug) : String(idOrSlug), now: audience.now }) as
      | T
      | undefined;
  };

  const find = (idOrSlug: string | number, audience: Audience, heavy: Heavy = ALL): Article | undefined => {
    const row = lookup<Row>(byKey, idOrSlug, audience);
    if (!row) return undefined;
    if (!heavy.body) delete row.body;
    if (!heavy.bodyHtml) delete row.bodyHtml;
    if (!heavy.toc) delete row.toc;
    return toArticle(row, related.tags.forArticles([row.id]).get(row.id) ?? [], audience.now) as Article;
  };

  const get = (idOrSlug: string | number, audience: Audience, heavy: Heavy = ALL): Article => {
    const article = find(idOrSlug, audience, heavy);
    if (!article) throw notFound('article', idOrSlug);
    return article;
  };

  /** The editorial state a revision stores. */
  const snapshot = (id: number, at: string): ArticleSnapshot => {
    const article = get(id, { seesUnpublished: true, now: at }, { body: true });
    const stored = db.select({ excerpt: articles.excerpt }).from(articles).where(eq(articles.id, id)).get();
    return snapshotOf(article, stored?.excerpt ?? null);
  };

  /** The article as an admin reads it: webhook payloads. */
  const adminView = (id: number, at: string) => get(id, { seesUnpublished: true, now: at });

  /** Loads the article for a write, checking the caller's If-Match version when given. */
  const current = (
    idOrSlug: string | number,
    context: WriteContext & { allowTrashed?: boolean },
  ): Article => {
    const article = get(idOrSlug, context.audience, { body: true });
    assertWritable(article, context);
    return article;
  };

  const announcements = createAnnouncements(db, events, adminView, related.contentState);
  const trash = createTrash({
    db,
    events,
    announcements,
    contentState: related.contentState,
    current,
    recordRevision: (id, actor, at) => revisions.record(id, actor, snapshot(id, at)),
    adminView,
  });

  const holderOfSlug = (slug: string) =>
    db.select({ id: articles.id }).from(articles).where(eq(articles.slug, slug)).get()?.id;

  const resolveSection = (ref: string | number | null | undefined): number | null | undefined => {
    if (ref === undefined || ref === null) return ref;
    return knownSection(ref, related.sections.resolve(ref));
  };

  const linkTags = (articleId: number, tagIds: number[]) => {
    db.delete(articleTags).where(eq(articleTags.articleId, articleId)).run();
    if (tagIds.length > 0) {
      db.insert(articleTags)
        .values(tagIds.map((tagId, position) => ({ articleId, tagId, position })))
        .run();
    }
  };

  const update = (
    idOrSlug: string | number,
    patch: ArticlePatch,
    context: WriteContext & { allowTrashed?: boolean },
    rendering?: Rendering,
  ): Article =>
    writeTransaction(db, () => {
      const article = current(idOrSlug, context);
      const at = context.audience.now;
      const changes: Partial<typeof articles.$inferInsert> = {};
      const set = <K extends keyof typeof changes>(key: K, value: (typeof changes)[K], was: unknown) => {
        if (value !== undefined && value !== was) changes[key] = value;
      };
      set('title', patch.title, article.title);
      if (patch.slug !== undefined) {
        const slug = assignSlug({
          resource: 'article',
          given: patch.slug,
          derivedFrom: '',
          holderOf: holderOfSlug,
          self: article.id,
        });
        set('slug', slug, article.slug);
      }
      set('subtitle', patch.subtitle, article.subtitle);
      set('author', patch.author, article.author);
      set('commentsEnabled', patch.commentsEnabled, article.commentsEnabled);
      if (patch.excerpt !== undefined) {
        const stored = db
          .select({ excerpt: articles.excerpt })
          .from(articles)
          .where(eq(articles.id, article.id))
          .get();
        set('excerpt', patch.excerpt, stored?.excerpt);
      }
      let bodyChange: Partial<typeof articleBodies.$inferInsert> | undefined;
      if (patch.body !== undefined && patch.body !== article.body) {
        // Rendering can take a second: it is done by the caller, never while this transaction
        // holds the write lock.
        if (!rendering) throw new Error('A changed body must come with its rendering');
        Object.assign(changes, renderedColumns(rendering));
        bodyChange = { body: patch.body, ...renderedBody(rendering) };
      }
      if (patch.section !== undefined)
        set('sectionId', resolveSection(patch.section), article.section?.id ?? null);
      if (patch.status !== undefined || patch.publishedAt !== undefined) {
        const requested = publication(
          patch.status ?? article.status,
          patch.publishedAt === undefined ? article.publishedAt : (normaliseTime(patch.publishedAt) ?? null),
          at,
        );
        set('status', requested.status, article.status === 'scheduled' ? 'published' : article.status);
        set('publishedAt', requested.publishedAt, article.publishedAt);
      }
      let tagsChanged = false;
      if (patch.tags !== undefined) {
        const tagIds = related.tags.resolveOrCreate(patch.tags, at);
        tagsChanged = tagIds.join(',') !== article.tags.map((tag) => tag.id).join(',');
        if (tagsChanged) linkTags(article.id, tagIds);
      }
      if (Object.keys(changes).length === 0 && !tagsChanged) return get(article.id, context.audience);
      db.update(articles)
        .set({ ...changes, version: sql`${articles.version} + 1`, updatedAt: at })
        .where(eq(articles.id, article.id))
        .run();
      if (bodyChange)
        db.update(articleBodies).set(bodyChange).where(eq(articleBodies.articleId, article.id)).run();
      revisions.record(article.id, context.actor, snapshot(article.id, at));
      events.record({
        type: 'article.updated',
        resource: 'article',
        id: article.id,
        slug: (changes.slug as string | undefined) ?? article.slug,
        at,
        data: () => adminView(article.id, at),
      });
      announcements.sync(article.id, at);
      const updated = get(article.id, { ...context.audience, seesUnpublished: true });
      if (publiclyVisible(article) || publiclyVisible(updated)) {
        related.contentState.touchPublic(at, articleWriteKeys(article.id, article, updated));
      }
      return updated;
    });

  return {
    find,
    get,
    update,

    /** What the article's validators derive from (ETags, If-Match), without reading its body. */
    validatorBasis(idOrSlug: string | number, audience: Audience) {
      const row = lookup<{
        id: number;
        version: number;
        section: string;
        tags: string;
        comments: number;
        live: number | null;
        rendered: number;
      }>(basisByKey, idOrSlug, audience);
      return row && validatorOf(row);
    },

    list: createArticleListing(db, related.tags, related.contentState, options.searchRankWindow),

    /** Creates an article with its tags and revision 1 in one transaction; unknown tag names become tags. */
    create(input: ArticleCreate, context: WriteContext, rendering: Rendering, sourceId?: string): Article {
      return writeTransaction(db, () => {
        const at = context.audience.now;
        const sectionId = resolveSection(input.section) ?? null;
        const tagIds = related.tags.resolveOrCreate(input.tags ?? [], at);
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
            ...renderedColumns(rendering),
            ...publication(input.status ?? 'draft', normaliseTime(input.publishedAt) ?? null, at),
            sectionId,
            author: input.author ?? null,
            commentsEnabled: input.commentsEnabled ?? true,
            sourceId: sourceId ?? null,
            createdAt: at,
            updatedAt: at,
          })
          .returning({ id: articles.id })
          .get();
        // Tags before the body: each tag link rewrites the article's full-text row, cheap while
        // the body is not in it yet (the body's own trigger indexes it once).
        linkTags(id, tagIds);
        db.insert(articleBodies)
          .values({ articleId: id, body, ...renderedBody(rendering) })
          .run();
        revisions.record(id, context.actor, snapshot(id, at));
        events.record({
          type: 'article.created',
          resource: 'article',
          id,
          slug,
          at,
          data: () => adminView(id, at),
        });
        announcements.sync(id, at);
        const created = get(id, { ...context.audience, seesUnpublished: true });
        if (publiclyVisible(created)) related.contentState.touchPublic(at, articleWriteKeys(id, created));
        return created;
      });
    },

    /** The article an import made from this source (`md:path.md`, `wp:post:12`), if any. */
    idOfSource(sourceId: string): number | undefined {
      return db.select({ id: articles.id }).from(articles).where(eq(articles.sourceId, sourceId)).get()?.id;
    },

    trash: trash.trash,
    restoreFromTrash: trash.restore,
    purge: trash.purge,
    purgeTrashedBefore: trash.purgeTrashedBefore,
    announceDue: announcements.announceDue,
    nextScheduledInstant: announcements.nextInstant,

    listRevisions(idOrSlug: string, audience: Audience, page: number, perPage: number) {
      return revisions.list(get(idOrSlug, audience, {}).id, page, perPage);
    },

    getRevision(idOrSlug: string, audience: Audience, number: number) {
      return revisions.get(get(idOrSlug, audience, {}).id, number);
    },

    /**
     * Brings the article back to a revision's content (title, subtitle, excerpt, body, section,
     * tags, author) as a new revision; slug, status and publication stay as they are now.
     */
    restore(idOrSlug: string, number: number, context: WriteContext, rendering: Rendering): Article {
      return writeTransaction(db, () => {
        const article = current(idOrSlug, context);
        const { snapshot: old } = revisions.get(article.id, number);
        return update(
          article.id,
          restoredContent(old),
          { ...context, expectedVersion: undefined },
          rendering,
        );
      });
    },

    /**
     * Deletes a tag: each article that carries it loses it as an edit of its own (a new version
     * and a revision), so the latest revision always agrees with the article.
     */
    deleteTag(idOrSlug: string, context: WriteContext): void {
      writeTransaction(db, () => {
        const tag = related.tags.get(idOrSlug, context.audience);
        for (const articleId of related.tags.carriers(tag.id)) {
          const article = get(articleId, { ...context.audience, seesUnpublished: true }, {});
          const remaining = article.tags
            .filter((carried) => carried.id !== tag.id)
            .map((carried) => carried.id);
          // A trashed article loses the tag too: it is still there to restore.
          update(
            articleId,
            { tags: remaining },
            { ...context, expectedVersion: undefined, allowTrashed: true },
          );
        }
        related.tags.delete(tag.id, context.audience);
      });
    },

    /** Re-renders bodies stored by an older renderer (after an upgrade); returns how many. */
    rerenderStale(): number {
      return writeTransaction(db, () => {
        const stale = db
          .select({ id: articles.id, body: articleBodies.body })
          .from(articles)
          .leftJoin(articleBodies, eq(articleBodies.articleId, articles.id))
          .where(lt(articles.renderVersion, RENDER_VERSION))
          .all();
        for (const { id, body } of stale) {
          const rendering = renderMarkdown(body ?? '');
          db.update(articles).set(renderedColumns(rendering)).where(eq(articles.id, id)).run();
          db.insert(articleBodies)
            .values({ articleId: id, body: body ?? '', ...renderedBody(rendering) })
            .onConflictDoUpdate({ target: articleBodies.articleId, set: renderedBody(rendering) })
            .run();
        }
        // Published bodies look different now: public validators must move.
        if (stale.length > 0) {
          related.contentState.touchPublic(now().toISOString(), [cacheKeys.everything]);
        }
        return stale.length;
      });
    },
  };
}

export type ArticlesRepository = ReturnType<typeof createArticlesRepository>;
