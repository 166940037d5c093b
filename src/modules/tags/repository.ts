import { and, count, eq, exists, inArray, type SQL, sql } from 'drizzle-orm';
import type { Database, Query, Tables } from '../../db/database.js';
import { assignSlugIn, idWhere, orderBy, patchedSlug, qualified } from '../../db/helpers.js';
import { tagWriteKeys } from '../../lib/cache-keys.js';
import { DomainError, notFound } from '../../lib/errors.js';
import { isId } from '../../lib/slug.js';
import type { SortKey } from '../../lib/sort.js';
import { type Audience, publishedBy, visibleArticles } from '../articles/visibility.js';
import type { ContentStateRepository } from '../content-state/repository.js';
import type { EventsRepository } from '../events/repository.js';
import type { Tag, TagCreate, TagPatch } from './schemas.js';

export type TagRow = Omit<Tag, 'url'>;

export type TagSortField = 'name' | 'createdAt' | 'updatedAt' | 'articleCount';

/** Tag names are unique ignoring case: `holder` is the tag already using the name, if any. */
export function assertTagNameFree(name: string, holder: number | undefined, self?: number): void {
  if (holder !== undefined && holder !== self) {
    throw new DomainError('conflict', 'name-taken', `A tag named "${name}" already exists (id ${holder})`, {
      holder: { id: holder },
    });
  }
}

/** Rows of (article, tag) in the articles' tag order, grouped by article. */
export function groupByArticle(
  rows: { articleId: number; id: number; slug: string; name: string }[],
): Map<number, { id: number; slug: string; name: string }[]> {
  const byArticle = new Map<number, { id: number; slug: string; name: string }[]>();
  for (const { articleId, ...tag } of rows) {
    const list = byArticle.get(articleId) ?? [];
    list.push(tag);
    byArticle.set(articleId, list);
  }
  return byArticle;
}

/** The same order as the SQL sort (names compared as SQLite's lower() does: ASCII only), ties by id. */
export function compareBy(keys: SortKey<TagSortField>[]) {
  const value = (tag: TagRow, field: TagSortField): string | number =>
    field === 'name' ? tag.name.replace(/[A-Z]/g, (c) => c.toLowerCase()) : tag[field];
  return (a: TagRow, b: TagRow): number => {
    for (const key of keys) {
      const left = value(a, key.field);
      const right = value(b, key.field);
      if (left !== right) return (left < right ? -1 : 1) * (key.descending ? -1 : 1);
    }
    return (a.id - b.id) * (keys[0]?.descending ? -1 : 1);
  };
}

type TagRef = { id: number; slug: string; name: string };

export interface TagsRepository {
  find(idOrSlug: string | number, audience: Audience): Promise<Tag | undefined>;
  get(idOrSlug: string | number, audience: Audience): Promise<Tag>;
  /** The tag an import made from this source (`wp:category:12`), if any. */
  idOfSource(sourceId: string): Promise<number | undefined>;
  /** Marks an existing tag as coming from this source, so the next import finds it. */
  adopt(id: number, sourceId: string): Promise<void>;
  /** Just the id of the tag with this id or slug, if the audience sees it: filters need no counts. */
  idOf(idOrSlug: string, audience: Audience): Promise<number | undefined>;
  list(
    options: { page: number; perPage: number; sort: SortKey<TagSortField>[] },
    audience: Audience,
  ): Promise<{ items: TagRow[]; total: number }>;
  create(input: TagCreate, audience: Audience): Promise<Tag>;
  update(idOrSlug: string, patch: TagPatch, audience: Audience): Promise<Tag>;
  /**
   * Deletes a tag no article carries any more (articles.deleteTag unlinks it first, as a
   * recorded change of each article).
   */
  delete(idOrSlug: string | number, audience: Audience): Promise<void>;
  /** The ids of the articles that carry a tag. */
  carriers(tagId: number): Promise<number[]>;
  /**
   * Tag ids for an article's `tags`: ids must exist (422 otherwise); a string is a slug or a
   * name (ignoring case), and an unknown name creates the tag. Order kept, duplicates dropped.
   * Call inside the article's write transaction so a failed write creates no tags.
   */
  resolveOrCreate(refs: (string | number)[], at: string): Promise<number[]>;
  /** The tags of each article, in the article's order, with one query for any number of articles. */
  forArticles(articleIds: number[]): Promise<Map<number, TagRef[]>>;
}

const admin = (at: string): Audience => ({ seesUnpublished: true, now: at });

/** Tags some article this audience sees carries (keyed readers see every tag). */
function shownTo({ readers, tables }: Database, audience: Audience): SQL | undefined {
  if (audience.seesUnpublished) return undefined;
  const { articles, articleTags, tags } = tables;
  return exists(
    readers
      .select({ one: sql`1` })
      .from(articleTags)
      .innerJoin(articles, eq(articles.id, articleTags.articleId))
      .where(and(eq(articleTags.tagId, qualified(tags.id)), visibleArticles(audience, articles))),
  );
}

const columnsOf = ({ tags }: Tables) => ({
  id: tags.id,
  slug: tags.slug,
  name: tags.name,
  description: tags.description,
  createdAt: tags.createdAt,
  updatedAt: tags.updatedAt,
});

/** Every tag's count from one grouped pass, kept until what it counts changes. */
function createCounts(db: Database, contentState: ContentStateRepository) {
  const { articles, articleTags } = db.tables;
  const remembered = new Map<'public' | 'all', { state: string; counts: Map<number, number> }>();
  return async (audience: Audience): Promise<Map<number, number>> => {
    const state = await contentState.read(audience.now);
    const scope = audience.seesUnpublished ? 'all' : 'public';
    const key =
      scope === 'all' ? String(state.generation) : `${state.publicGeneration}|${state.latestPublishedAt}`;
    const known = remembered.get(scope);
    if (known?.state === key) return known.counts;
    const rows = await db
      .query()
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
}

const withCount = <T extends { id: number }>(row: T, counts: Map<number, number>) => ({
  ...row,
  articleCount: counts.get(row.id) ?? 0,
});

/**
 * The tags of each article, in the article's order. Every article read asks: prepared once for
 * any number of articles (the ids travel as one parameter), for the readers outside writes.
 */
function createTagsOfArticles(db: Database) {
  const { articleTags, tags } = db.tables;
  const tagsOf = (on: Query, articleIds: SQL) =>
    on
      .select({ articleId: articleTags.articleId, id: tags.id, slug: tags.slug, name: tags.name })
      .from(articleTags)
      .innerJoin(tags, eq(tags.id, articleTags.tagId))
      .where(articleIds)
      .orderBy(articleTags.articleId, articleTags.position);
  const prepared = tagsOf(
    db.readers,
    db.dialect.inList(articleTags.articleId, sql.placeholder('ids')),
  ).prepare('tags_of_articles');
  return async (articleIds: number[]) => {
    if (articleIds.length === 0) return new Map<number, TagRef[]>();
    const rows = db.inWrite()
      ? await tagsOf(db.query(), inArray(articleTags.articleId, articleIds))
      : await prepared.execute({ ids: db.dialect.listValue(articleIds) });
    return groupByArticle(rows);
  };
}

/** A page of tags: by a column, or (articleCount) by the counts in memory. */
async function listTags(
  db: Database,
  counts: Map<number, number>,
  options: { page: number; perPage: number; sort: SortKey<TagSortField>[] },
  audience: Audience,
) {
  const { tags } = db.tables;
  const columns = columnsOf(db.tables);
  const where = audience.seesUnpublished ? undefined : inArray(tags.id, [...counts.keys(), 0]);
  const total = await db.query().$count(tags, where);
  const offset = (options.page - 1) * options.perPage;
  if (options.sort.some((key) => key.field === 'articleCount')) {
    // Counts live in memory: order the (few thousand at most) tags here.
    const all = (await db.query().select(columns).from(tags).where(where)).map((row) =>
      withCount(row, counts),
    );
    const items: Tag[] = all.sort(compareBy(options.sort)).slice(offset, offset + options.perPage);
    return { items, total };
  }
  const sortColumns = {
    name: db.dialect.byCodePoint(sql`lower(${tags.name})`),
    createdAt: tags.createdAt,
    updatedAt: tags.updatedAt,
    articleCount: tags.id,
  };
  const rows = await db
    .query()
    .select(columns)
    .from(tags)
    .where(where)
    .orderBy(...orderBy(options.sort, sortColumns, tags.id))
    .limit(options.perPage)
    .offset(offset);
  return { items: rows.map((row) => withCount(row, counts)), total };
}

/** Tags: names unique ignoring case, counts of the articles each audience sees. */
export function createTagsRepository(
  db: Database,
  contentState: ContentStateRepository,
  events: EventsRepository,
): TagsRepository {
  const { articleTags, tags } = db.tables;
  const countsFor = createCounts(db, contentState);
  const tagId = (where: SQL | undefined) => idWhere(db, tags, where);
  const holderOfSlug = (slug: string) => tagId(eq(tags.slug, slug));
  const holderOfName = (name: string) => tagId(sql`lower(${tags.name}) = lower(${name})`);
  const named = (idOrSlug: string) =>
    isId(idOrSlug) ? eq(tags.id, Number(idOrSlug)) : eq(tags.slug, idOrSlug);

  const find = async (idOrSlug: string | number, audience: Audience): Promise<Tag | undefined> => {
    const [row] = await db
      .query()
      .select(columnsOf(db.tables))
      .from(tags)
      .where(and(named(String(idOrSlug)), shownTo(db, audience)));
    return row && withCount(row, await countsFor(audience));
  };
  const get = async (idOrSlug: string | number, audience: Audience): Promise<Tag> => {
    const tag = await find(idOrSlug, audience);
    if (!tag) throw notFound('tag', idOrSlug);
    return tag;
  };
  const writes = createTagWrites(db, { contentState, events, get, holderOfName });

  return {
    find,
    get,
    idOfSource: (sourceId) => tagId(eq(tags.sourceId, sourceId)),
    idOf: (idOrSlug, audience) => tagId(and(named(idOrSlug), shownTo(db, audience))),
    list: async (options, audience) => listTags(db, await countsFor(audience), options, audience),
    ...writes,

    async carriers(tagId) {
      const rows = await db
        .query()
        .select({ id: articleTags.articleId })
        .from(articleTags)
        .where(eq(articleTags.tagId, tagId))
        .orderBy(articleTags.articleId);
      return rows.map((row) => row.id);
    },

    resolveOrCreate: (refs, at) =>
      db.write(async () => {
        const ids: number[] = [];
        for (const ref of refs) {
          let id: number | undefined;
          if (typeof ref === 'number') {
            id = await tagId(eq(tags.id, ref));
            if (id === undefined)
              throw new DomainError('unprocessable', 'unknown-tag', `No tag with id ${ref}`);
          } else {
            const name = ref.trim();
            id =
              (await holderOfSlug(name)) ?? (await holderOfName(name)) ?? (await writes.insert({ name }, at));
          }
          if (!ids.includes(id)) ids.push(id);
        }
        return ids;
      }),

    forArticles: createTagsOfArticles(db),
  };
}

/** Creating, renaming and deleting tags, each with its event and (when public) its cache keys. */
function createTagWrites(
  db: Database,
  parts: {
    contentState: ContentStateRepository;
    events: EventsRepository;
    get: (idOrSlug: string | number, audience: Audience) => Promise<Tag>;
    holderOfName: (name: string) => Promise<number | undefined>;
  },
) {
  const { tags } = db.tables;
  const { contentState, events, get, holderOfName } = parts;
  const isPublic = async (id: number, at: string) =>
    (await idWhere(db, tags, and(eq(tags.id, id), shownTo(db, { seesUnpublished: false, now: at })))) !==
    undefined;
  const insert = async (input: TagCreate, at: string): Promise<number> => {
    const slug = await assignSlugIn(db, tags, {
      resource: 'tag',
      given: input.slug,
      derivedFrom: input.name,
    });
    const values = {
      name: input.name,
      slug,
      description: input.description ?? null,
      createdAt: at,
      updatedAt: at,
    };
    const [row] = await db.query().insert(tags).values(values).returning({ id: tags.id });
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
    insert,
    async adopt(id: number, sourceId: string) {
      await db.writeAlone((query) => query.update(tags).set({ sourceId }).where(eq(tags.id, id)));
    },
    create: (input: TagCreate, audience: Audience) =>
      db.write(async () => {
        assertTagNameFree(input.name, await holderOfName(input.name));
        return get(await insert(input, audience.now), audience);
      }),
    update: (idOrSlug: string, patch: TagPatch, audience: Audience) =>
      db.write(async () => {
        const current = await get(idOrSlug, audience);
        if (patch.name !== undefined)
          assertTagNameFree(patch.name, await holderOfName(patch.name), current.id);
        const slug = await patchedSlug(db, tags, 'tag', patch.slug, current.id);
        await db
          .query()
          .update(tags)
          .set({ name: patch.name, slug, description: patch.description, updatedAt: audience.now })
          .where(eq(tags.id, current.id));
        if (await isPublic(current.id, audience.now))
          await contentState.touchPublic(audience.now, tagWriteKeys(current.id));
        const updated = await get(current.id, admin(audience.now));
        const at = audience.now;
        await events.record({
          type: 'tag.updated',
          resource: 'tag',
          id: current.id,
          slug: updated.slug,
          at,
          data: () => updated,
        });
        return get(current.id, audience);
      }),
    delete: (idOrSlug: string | number, audience: Audience) =>
      db.write(async () => {
        const current = await get(idOrSlug, audience);
        const { id, slug } = current;
        if (await isPublic(id, audience.now)) await contentState.touchPublic(audience.now, tagWriteKeys(id));
        await db.query().delete(tags).where(eq(tags.id, id));
        await events.record({
          type: 'tag.deleted',
          resource: 'tag',
          id,
          slug,
          at: audience.now,
          data: () => ({ id, slug }),
        });
      }),
  };
}
