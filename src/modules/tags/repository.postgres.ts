import { and, count, eq, exists, inArray, type SQL, sql } from 'drizzle-orm';
import type { Asynchronous } from '../../db/asynchronous.js';
import type { ContentStateRepository } from '../../db/content-state.js';
import { orderBy, qualified } from '../../db/helpers.js';
import type { PgDb } from '../../db/postgres/index.js';
import { articles, articleTags, tags } from '../../db/postgres/schema.js';
import { assignSlugIn } from '../../db/postgres/slugs.js';
import { executor, inTransaction, type PgExecutor, writeTransaction } from '../../db/postgres/transaction.js';
import { tagWriteKeys } from '../../lib/cache-keys.js';
import { DomainError, notFound } from '../../lib/errors.js';
import { isId } from '../../lib/slug.js';
import { type Audience, publishedBy, visibleArticles } from '../articles/visibility.js';
import type { EventsRepository } from '../events/repository.js';
import {
  assertTagNameFree,
  compareBy,
  groupByArticle,
  type TagRow,
  type TagsRepository,
} from './repository.js';
import type { Tag, TagCreate } from './schemas.js';

/** Tags on PostgreSQL (see ./repository.ts for the rules). */
export function createPostgresTagsRepository(
  db: PgDb,
  contentState: Asynchronous<ContentStateRepository>,
  events: Asynchronous<EventsRepository, 'onRecorded'>,
): Asynchronous<TagsRepository> {
  const admin = (at: string): Audience => ({ seesUnpublished: true, now: at });
  const shownTo = (audience: Audience): SQL | undefined => {
    if (audience.seesUnpublished) return undefined;
    const visible = visibleArticles(audience, articles);
    return exists(
      db
        .select({ one: sql`1` })
        .from(articleTags)
        .innerJoin(articles, eq(articles.id, articleTags.articleId))
        .where(and(eq(articleTags.tagId, qualified(tags.id)), visible)),
    );
  };
  const columns = {
    id: tags.id,
    slug: tags.slug,
    name: tags.name,
    description: tags.description,
    createdAt: tags.createdAt,
    updatedAt: tags.updatedAt,
  };

  // As on SQLite: every tag's count from one grouped pass, kept until what it counts changes.
  const remembered = new Map<'public' | 'all', { state: string; counts: Map<number, number> }>();
  const countsFor = async (audience: Audience): Promise<Map<number, number>> => {
    const state = await contentState.read(audience.now);
    const scope = audience.seesUnpublished ? 'all' : 'public';
    const key =
      scope === 'all' ? String(state.generation) : `${state.publicGeneration}|${state.latestPublishedAt}`;
    const known = remembered.get(scope);
    if (known?.state === key) return known.counts;
    const rows = await executor(db)
      .select({ tagId: articleTags.tagId, n: count() })
      .from(articles)
      .innerJoin(articleTags, eq(articleTags.articleId, articles.id))
      .where(
        scope === 'all'
          ? visibleArticles(admin(''), articles)
          : publishedBy(state.latestPublishedAt, articles),
      )
      .groupBy(articleTags.tagId);
    const counts = new Map(rows.map((row) => [row.tagId, row.n]));
    remembered.set(scope, { state: key, counts });
    return counts;
  };
  const withCount = <T extends { id: number }>(row: T, counts: Map<number, number>) => ({
    ...row,
    articleCount: counts.get(row.id) ?? 0,
  });

  // Every article read asks for its tags: prepared once for any number of articles (the ids
  // travel as one array), on the pool outside writes.
  const tagsOf = (on: PgExecutor) =>
    on
      .select({ articleId: articleTags.articleId, id: tags.id, slug: tags.slug, name: tags.name })
      .from(articleTags)
      .innerJoin(tags, eq(tags.id, articleTags.tagId))
      .where(sql`${articleTags.articleId} = any(${sql.placeholder('ids')})`)
      .orderBy(articleTags.articleId, articleTags.position);
  const tagsOfPrepared = tagsOf(db).prepare('tags_of_articles');

  const idWhere = (where: SQL | undefined) =>
    executor(db)
      .select({ id: tags.id })
      .from(tags)
      .where(where)
      .then(([row]) => row?.id);
  const holderOfSlug = (slug: string) => idWhere(eq(tags.slug, slug));
  const holderOfName = (name: string) => idWhere(sql`lower(${tags.name}) = lower(${name})`);

  const find = async (idOrSlug: string | number, audience: Audience): Promise<Tag | undefined> => {
    const text = String(idOrSlug);
    const where = isId(text) ? eq(tags.id, Number(text)) : eq(tags.slug, text);
    const [row] = await executor(db)
      .select(columns)
      .from(tags)
      .where(and(where, shownTo(audience)));
    return row && withCount(row, await countsFor(audience));
  };

  const get = async (idOrSlug: string | number, audience: Audience): Promise<Tag> => {
    const tag = await find(idOrSlug, audience);
    if (!tag) throw notFound('tag', idOrSlug);
    return tag;
  };

  const isPublic = async (id: number, at: string) =>
    (await idWhere(and(eq(tags.id, id), shownTo({ seesUnpublished: false, now: at })))) !== undefined;

  const insert = async (input: TagCreate, at: string): Promise<number> => {
    const slug = await assignSlugIn(db, tags, {
      resource: 'tag',
      given: input.slug,
      derivedFrom: input.name,
    });
    const [row] = await executor(db)
      .insert(tags)
      .values({
        name: input.name,
        slug,
        description: input.description ?? null,
        createdAt: at,
        updatedAt: at,
      })
      .returning({ id: tags.id });
    const id = row?.id as number;
    await events.record({
      type: 'tag.created',
      resource: 'tag',
      id,
      slug,
      at,
      data: () => get(id, admin(at)),
    });
    return id;
  };

  return {
    find,
    get,
    idOfSource: (sourceId) => idWhere(eq(tags.sourceId, sourceId)),
    async adopt(id, sourceId) {
      await executor(db).update(tags).set({ sourceId }).where(eq(tags.id, id));
    },
    idOf: (idOrSlug, audience) =>
      idWhere(
        and(isId(idOrSlug) ? eq(tags.id, Number(idOrSlug)) : eq(tags.slug, idOrSlug), shownTo(audience)),
      ),

    async list(options, audience) {
      const counts = await countsFor(audience);
      const where = audience.seesUnpublished ? undefined : inArray(tags.id, [...counts.keys(), 0]);
      const [total] = await executor(db).select({ n: count() }).from(tags).where(where);
      const offset = (options.page - 1) * options.perPage;
      if (options.sort.some((key) => key.field === 'articleCount')) {
        const all = (await executor(db).select(columns).from(tags).where(where)).map((row) =>
          withCount(row, counts),
        );
        const items: Tag[] = all.sort(compareBy(options.sort)).slice(offset, offset + options.perPage);
        return { items, total: total?.n ?? 0 };
      }
      // Names compare by code point, as SQLite's do, whatever the database's collation.
      const sortColumns = {
        name: sql`lower(${tags.name}) collate "C"`,
        createdAt: tags.createdAt,
        updatedAt: tags.updatedAt,
        articleCount: tags.id,
      };
      const rows: TagRow[] = await executor(db)
        .select(columns)
        .from(tags)
        .where(where)
        .orderBy(...orderBy(options.sort, sortColumns, tags.id))
        .limit(options.perPage)
        .offset(offset)
        .then((found) => found.map((row) => withCount(row, counts)));
      return { items: rows, total: total?.n ?? 0 };
    },

    create: (input, audience) =>
      writeTransaction(db, async () => {
        assertTagNameFree(input.name, await holderOfName(input.name));
        return get(await insert(input, audience.now), audience);
      }),

    update: (idOrSlug, patch, audience) =>
      writeTransaction(db, async () => {
        const current = await get(idOrSlug, audience);
        if (patch.name !== undefined)
          assertTagNameFree(patch.name, await holderOfName(patch.name), current.id);
        const slug =
          patch.slug === undefined
            ? undefined
            : await assignSlugIn(db, tags, {
                resource: 'tag',
                given: patch.slug,
                derivedFrom: '',
                self: current.id,
              });
        await executor(db)
          .update(tags)
          .set({ name: patch.name, slug, description: patch.description, updatedAt: audience.now })
          .where(eq(tags.id, current.id));
        if (await isPublic(current.id, audience.now))
          await contentState.touchPublic(audience.now, tagWriteKeys(current.id));
        const updated = await get(current.id, admin(audience.now));
        await events.record({
          type: 'tag.updated',
          resource: 'tag',
          id: current.id,
          slug: updated.slug,
          at: audience.now,
          data: () => updated,
        });
        return get(current.id, audience);
      }),

    delete: (idOrSlug, audience) =>
      writeTransaction(db, async () => {
        const current = await get(idOrSlug, audience);
        if (await isPublic(current.id, audience.now))
          await contentState.touchPublic(audience.now, tagWriteKeys(current.id));
        await executor(db).delete(tags).where(eq(tags.id, current.id));
        await events.record({
          type: 'tag.deleted',
          resource: 'tag',
          id: current.id,
          slug: current.slug,
          at: audience.now,
          data: () => ({ id: current.id, slug: current.slug }),
        });
      }),

    async carriers(tagId) {
      const rows = await executor(db)
        .select({ id: articleTags.articleId })
        .from(articleTags)
        .where(eq(articleTags.tagId, tagId))
        .orderBy(articleTags.articleId);
      return rows.map((row) => row.id);
    },

    async resolveOrCreate(refs, at) {
      const ids: number[] = [];
      for (const ref of refs) {
        let id: number | undefined;
        if (typeof ref === 'number') {
          id = await idWhere(eq(tags.id, ref));
          if (id === undefined)
            throw new DomainError('unprocessable', 'unknown-tag', `No tag with id ${ref}`);
        } else {
          const name = ref.trim();
          id = (await holderOfSlug(name)) ?? (await holderOfName(name)) ?? (await insert({ name }, at));
        }
        if (!ids.includes(id)) ids.push(id);
      }
      return ids;
    },

    async forArticles(articleIds) {
      if (articleIds.length === 0) return new Map();
      const rows = inTransaction()
        ? await tagsOf(executor(db)).execute({ ids: articleIds })
        : await tagsOfPrepared.execute({ ids: articleIds });
      return groupByArticle(rows);
    },
  };
}
