import { and, eq, lt, type SQL, sql } from 'drizzle-orm';
import type { SelectedFields } from 'drizzle-orm/pg-core';
import type { Asynchronous } from '../../db/asynchronous.js';
import type { ContentStateRepository } from '../../db/content-state.js';
import { qualified } from '../../db/helpers.js';
import type { PgDb } from '../../db/postgres/index.js';
import { articleBodies, articles, articleTags, sections, tags } from '../../db/postgres/schema.js';
import { assignSlugIn } from '../../db/postgres/slugs.js';
import { executor, inTransaction, writeTransaction } from '../../db/postgres/transaction.js';
import { articleWriteKeys, cacheKeys } from '../../lib/cache-keys.js';
import { notFound } from '../../lib/errors.js';
import { RENDER_VERSION, type Rendering, renderMarkdown } from '../../lib/markdown.js';
import { isId } from '../../lib/slug.js';
import type { EventsRepository } from '../events/repository.js';
import type { SectionsRepository } from '../sections/repository.js';
import type { TagsRepository } from '../tags/repository.js';
import { createPostgresAnnouncements } from './announcements.postgres.js';
import { type Heavy, type Row, toArticle } from './listing.js';
import { columnsFor, createPostgresArticleListing, summaryColumns } from './listing.postgres.js';
import {
  ALL,
  type ArticlesRepository,
  assertWritable,
  knownSection,
  normaliseTime,
  publication,
  publiclyVisible,
  renderedBody,
  renderedColumns,
  restoredContent,
  snapshotOf,
  validatorOf,
  type WriteContext,
} from './repository.js';
import { createPostgresRevisionsRepository } from './revisions.postgres.js';
import type { Article, ArticlePatch } from './schemas.js';
import { createPostgresTrash } from './trash.postgres.js';
import { type Audience, publishedBy } from './visibility.js';

/** Articles on PostgreSQL (see ./repository.ts for the rules). */
export function createPostgresArticlesRepository(
  db: PgDb,
  now: () => Date,
  related: {
    sections: Asynchronous<SectionsRepository>;
    tags: Asynchronous<TagsRepository>;
    contentState: Asynchronous<ContentStateRepository>;
    events: Asynchronous<EventsRepository, 'onRecorded'>;
  },
  options: { searchRankWindow: number },
): Asynchronous<ArticlesRepository> {
  const revisions = createPostgresRevisionsRepository(db, now);
  const { events } = related;

  /** The article named by id or slug, as this audience may see it. */
  const named = (idOrSlug: string | number, audience: Audience): SQL | undefined => {
    const text = String(idOrSlug);
    return and(
      isId(text) ? eq(articles.id, Number(text)) : eq(articles.slug, text),
      audience.seesUnpublished ? undefined : publishedBy(audience.now, articles),
    );
  };

  // Single reads are the hottest path: outside a write they run as prepared statements, one
  // per (id or slug) x (public or not), as on SQLite; SQL is built and planned once.
  const key = sql.placeholder('key');
  const visible = publishedBy(sql.placeholder('now'), articles);
  const prepareFor = <Result>(name: string, columns: SelectedFields, withBody: boolean) => {
    const statement = (where: SQL | undefined, variant: string) => {
      const base = db.select(columns).from(articles).leftJoin(sections, eq(sections.id, articles.sectionId));
      return (withBody ? base.leftJoin(articleBodies, eq(articleBodies.articleId, articles.id)) : base)
        .where(where)
        .prepare(`${name}_${variant}`);
    };
    const statements = {
      idPublic: statement(and(eq(articles.id, key), visible), 'id_public'),
      idAll: statement(eq(articles.id, key), 'id_all'),
      slugPublic: statement(and(eq(articles.slug, key), visible), 'slug_public'),
      slugAll: statement(eq(articles.slug, key), 'slug_all'),
    };
    return async (idOrSlug: string | number, audience: Audience) => {
      const byId = isId(String(idOrSlug));
      const chosen = byId
        ? audience.seesUnpublished
          ? statements.idAll
          : statements.idPublic
        : audience.seesUnpublished
          ? statements.slugAll
          : statements.slugPublic;
      const [row] = await chosen.execute({
        key: byId ? Number(idOrSlug) : String(idOrSlug),
        now: audience.now,
      });
      return row as Result | undefined;
    };
  };
  const fullRead = prepareFor<Row>('article', columnsFor(ALL), true);

  const find = async (idOrSlug: string | number, audience: Audience, heavy: Heavy = ALL) => {
    const [row] = (
      heavy === ALL && !inTransaction()
        ? [await fullRead(idOrSlug, audience)]
        : await executor(db)
            .select(columnsFor(heavy))
            .from(articles)
            .leftJoin(sections, eq(sections.id, articles.sectionId))
            .leftJoin(articleBodies, eq(articleBodies.articleId, articles.id))
            .where(named(idOrSlug, audience))
    ) as (Row | undefined)[];
    if (!row) return undefined;
    const tagsOf = await related.tags.forArticles([row.id]);
    return toArticle(row, tagsOf.get(row.id) ?? [], audience.now) as Article;
  };

  // Everything an article response shows beyond its own row (see ./repository.ts).
  const basisRead = prepareFor<Parameters<typeof validatorOf>[0]>(
    'article_basis',
    {
      id: articles.id,
      version: articles.version,
      section: sql<string>`coalesce(${sections.slug} || '/' || ${sections.name}, '')`,
      tags: sql<string>`coalesce((select string_agg(${tags.id} || '/' || ${tags.slug} || '/' || ${tags.name}, '|' order by ${articleTags.position}) from ${articleTags} join ${tags} on ${tags.id} = ${articleTags.tagId} where ${articleTags.articleId} = ${qualified(articles.id)}), '')`,
      comments: summaryColumns.commentCount,
      live: sql<boolean | null>`${articles.publishedAt} <= ${sql.placeholder('now')}`,
      rendered: articles.renderVersion,
    },
    false,
  );

  const get = async (idOrSlug: string | number, audience: Audience, heavy: Heavy = ALL) => {
    const article = await find(idOrSlug, audience, heavy);
    if (!article) throw notFound('article', idOrSlug);
    return article;
  };

  const storedExcerpt = async (id: number) => {
    const [row] = await executor(db)
      .select({ excerpt: articles.excerpt })
      .from(articles)
      .where(eq(articles.id, id));
    return row?.excerpt ?? null;
  };

  const snapshot = async (id: number, at: string) =>
    snapshotOf(await get(id, { seesUnpublished: true, now: at }, { body: true }), await storedExcerpt(id));

  const adminView = (id: number, at: string) => get(id, { seesUnpublished: true, now: at });

  const current = async (idOrSlug: string | number, context: WriteContext & { allowTrashed?: boolean }) => {
    const article = await get(idOrSlug, context.audience, { body: true });
    assertWritable(article, context);
    return article;
  };

  const recordRevision = async (id: number, actor: string, at: string) =>
    revisions.record(id, actor, await snapshot(id, at));
  const announcements = createPostgresAnnouncements(db, events, adminView, related.contentState);
  const trash = createPostgresTrash({
    db,
    events,
    announcements,
    contentState: related.contentState,
    current,
    recordRevision,
    adminView,
  });

  const resolveSection = async (ref: string | number | null | undefined) => {
    if (ref === undefined || ref === null) return ref;
    return knownSection(ref, await related.sections.resolve(ref));
  };

  const linkTags = async (articleId: number, tagIds: number[]) => {
    await executor(db).delete(articleTags).where(eq(articleTags.articleId, articleId));
    if (tagIds.length > 0) {
      await executor(db)
        .insert(articleTags)
        .values(tagIds.map((tagId, position) => ({ articleId, tagId, position })));
    }
  };

  const update = (
    idOrSlug: string | number,
    patch: ArticlePatch,
    context: WriteContext & { allowTrashed?: boolean },
    rendering?: Rendering,
  ): Promise<Article> =>
    writeTransaction(db, async () => {
      const article = await current(idOrSlug, context);
      const at = context.audience.now;
      const changes: Partial<typeof articles.$inferInsert> = {};
      const set = <K extends keyof typeof changes>(key: K, value: (typeof changes)[K], was: unknown) => {
        if (value !== undefined && value !== was) changes[key] = value;
      };
      set('title', patch.title, article.title);
      if (patch.slug !== undefined) {
        const slug = await assignSlugIn(db, articles, {
          resource: 'article',
          given: patch.slug,
          derivedFrom: '',
          self: article.id,
        });
        set('slug', slug, article.slug);
      }
      set('subtitle', patch.subtitle, article.subtitle);
      set('author', patch.author, article.author);
      set('commentsEnabled', patch.commentsEnabled, article.commentsEnabled);
      if (patch.excerpt !== undefined) set('excerpt', patch.excerpt, await storedExcerpt(article.id));
      let bodyChange: Partial<typeof articleBodies.$inferInsert> | undefined;
      if (patch.body !== undefined && patch.body !== article.body) {
        if (!rendering) throw new Error('A changed body must come with its rendering');
        Object.assign(changes, renderedColumns(rendering));
        bodyChange = { body: patch.body, ...renderedBody(rendering) };
      }
      if (patch.section !== undefined)
        set('sectionId', await resolveSection(patch.section), article.section?.id ?? null);
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
        const tagIds = await related.tags.resolveOrCreate(patch.tags, at);
        tagsChanged = tagIds.join(',') !== article.tags.map((tag) => tag.id).join(',');
        if (tagsChanged) await linkTags(article.id, tagIds);
      }
      if (Object.keys(changes).length === 0 && !tagsChanged) return get(article.id, context.audience);
      await executor(db)
        .update(articles)
        .set({ ...changes, version: sql`${articles.version} + 1`, updatedAt: at })
        .where(eq(articles.id, article.id));
      if (bodyChange)
        await executor(db)
          .update(articleBodies)
          .set(bodyChange)
          .where(eq(articleBodies.articleId, article.id));
      await recordRevision(article.id, context.actor, at);
      await events.record({
        type: 'article.updated',
        resource: 'article',
        id: article.id,
        slug: (changes.slug as string | undefined) ?? article.slug,
        at,
        data: () => adminView(article.id, at),
      });
      await announcements.sync(article.id, at);
      const updated = await get(article.id, { ...context.audience, seesUnpublished: true });
      if (publiclyVisible(article) || publiclyVisible(updated)) {
        await related.contentState.touchPublic(at, articleWriteKeys(article.id, article, updated));
      }
      return updated;
    });

  return {
    find,
    get,
    update,

    async validatorBasis(idOrSlug, audience) {
      // Read outside writes only (conditional requests), so always prepared.
      const row = await basisRead(idOrSlug, audience);
      return row && validatorOf(row);
    },

    list: createPostgresArticleListing(db, related.tags, related.contentState, options.searchRankWindow),

    create: (input, context, rendering, sourceId) =>
      writeTransaction(db, async () => {
        const at = context.audience.now;
        const sectionId = (await resolveSection(input.section)) ?? null;
        const tagIds = await related.tags.resolveOrCreate(input.tags ?? [], at);
        const slug = await assignSlugIn(db, articles, {
          resource: 'article',
          given: input.slug,
          derivedFrom: input.title,
        });
        const [row] = await executor(db)
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
          .returning({ id: articles.id });
        const id = row?.id as number;
        await linkTags(id, tagIds);
        await executor(db)
          .insert(articleBodies)
          .values({ articleId: id, body: input.body ?? '', ...renderedBody(rendering) });
        await recordRevision(id, context.actor, at);
        await events.record({
          type: 'article.created',
          resource: 'article',
          id,
          slug,
          at,
          data: () => adminView(id, at),
        });
        await announcements.sync(id, at);
        const created = await get(id, { ...context.audience, seesUnpublished: true });
        if (publiclyVisible(created))
          await related.contentState.touchPublic(at, articleWriteKeys(id, created));
        return created;
      }),

    async idOfSource(sourceId) {
      const [row] = await executor(db)
        .select({ id: articles.id })
        .from(articles)
        .where(eq(articles.sourceId, sourceId));
      return row?.id;
    },

    trash: trash.trash,
    restoreFromTrash: trash.restore,
    purge: trash.purge,
    purgeTrashedBefore: trash.purgeTrashedBefore,
    announceDue: announcements.announceDue,
    nextScheduledInstant: announcements.nextInstant,

    async listRevisions(idOrSlug, audience, page, perPage) {
      return revisions.list((await get(idOrSlug, audience, {})).id, page, perPage);
    },

    async getRevision(idOrSlug, audience, number) {
      return revisions.get((await get(idOrSlug, audience, {})).id, number);
    },

    restore: (idOrSlug, number, context, rendering) =>
      writeTransaction(db, async () => {
        const article = await current(idOrSlug, context);
        const { snapshot: old } = await revisions.get(article.id, number);
        return update(
          article.id,
          restoredContent(old),
          { ...context, expectedVersion: undefined },
          rendering,
        );
      }),

    deleteTag: (idOrSlug, context) =>
      writeTransaction(db, async () => {
        const tag = await related.tags.get(idOrSlug, context.audience);
        for (const articleId of await related.tags.carriers(tag.id)) {
          const article = await get(articleId, { ...context.audience, seesUnpublished: true }, {});
          const remaining = article.tags
            .filter((carried) => carried.id !== tag.id)
            .map((carried) => carried.id);
          // A trashed article loses the tag too: it is still there to restore.
          await update(
            articleId,
            { tags: remaining },
            { ...context, expectedVersion: undefined, allowTrashed: true },
          );
        }
        await related.tags.delete(tag.id, context.audience);
      }),

    rerenderStale: () =>
      writeTransaction(db, async () => {
        const stale = await executor(db)
          .select({ id: articles.id, body: articleBodies.body })
          .from(articles)
          .leftJoin(articleBodies, eq(articleBodies.articleId, articles.id))
          .where(lt(articles.renderVersion, RENDER_VERSION));
        for (const { id, body } of stale) {
          const rendering = renderMarkdown(body ?? '');
          await executor(db).update(articles).set(renderedColumns(rendering)).where(eq(articles.id, id));
          await executor(db)
            .insert(articleBodies)
            .values({ articleId: id, body: body ?? '', ...renderedBody(rendering) })
            .onConflictDoUpdate({ target: articleBodies.articleId, set: renderedBody(rendering) });
        }
        if (stale.length > 0) {
          await related.contentState.touchPublic(now().toISOString(), [cacheKeys.everything]);
        }
        return stale.length;
      }),
  };
}
