import { and, count, eq, exists, inArray, type SQL, sql } from 'drizzle-orm';
import type { ContentStateRepository } from '../../db/content-state.js';
import { assignSlug, orderBy, qualified, writeTransaction } from '../../db/helpers.js';
import type { Db } from '../../db/index.js';
import { articles, articleTags, tags } from '../../db/schema.js';
import { tagWriteKeys } from '../../lib/cache-keys.js';
import { DomainError, notFound } from '../../lib/errors.js';
import { isId } from '../../lib/slug.js';
import type { SortKey } from '../../lib/sort.js';
import { type Audience, publishedBy, visibleArticles } from '../articles/visibility.js';
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

export function createTagsRepository(db: Db, contentState: ContentStateRepository, events: EventsRepository) {
  const admin = (at: string): Audience => ({ seesUnpublished: true, now: at });
  // The public sees a tag only while a published article carries it: a draft's tags stay private.
  const shownTo = (audience: Audience): SQL | undefined => {
    if (audience.seesUnpublished) return undefined;
    const visible = visibleArticles(audience);
    return visible
      ? exists(
          db
            .select({ one: sql`1` })
            .from(articleTags)
            .innerJoin(articles, eq(articles.id, articleTags.articleId))
            .where(and(eq(articleTags.tagId, qualified(tags.id)), visible)),
        )
      : undefined;
  };
  const columns = {
    id: tags.id,
    slug: tags.slug,
    name: tags.name,
    description: tags.description,
    createdAt: tags.createdAt,
    updatedAt: tags.updatedAt,
  };

  // Every tag's article count, from one grouped pass (a correlated count per tag made SQLite
  // walk the published-articles index once per tag: 30 s to sort 500 tags at 100,000
  // articles), remembered until the content it counts changes.
  const countQueries = {
    public: db
      .select({ tagId: articleTags.tagId, n: count() })
      .from(articles)
      .innerJoin(articleTags, eq(articleTags.articleId, articles.id))
      .where(publishedBy(sql.placeholder('now')))
      .groupBy(articleTags.tagId)
      .prepare(),
    all: db
      .select({ tagId: articleTags.tagId, n: count() })
      .from(articles)
      .innerJoin(articleTags, eq(articleTags.articleId, articles.id))
      .where(visibleArticles({ seesUnpublished: true, now: '' }))
      .groupBy(articleTags.tagId)
      .prepare(),
  };
  const remembered = new Map<'public' | 'all', { state: string; counts: Map<number, number> }>();
  const countsFor = (audience: Audience): Map<number, number> => {
    const state = contentState.read(audience.now);
    const scope = audience.seesUnpublished ? 'all' : 'public';
    // Counting up to the latest publication reached counts what "up to now" counts.
    const key =
      scope === 'all' ? String(state.generation) : `${state.publicGeneration}|${state.latestPublishedAt}`;
    const known = remembered.get(scope);
    if (known?.state === key) return known.counts;
    const rows = countQueries[scope].all({ now: state.latestPublishedAt });
    const counts = new Map(rows.map((row) => [row.tagId, row.n]));
    remembered.set(scope, { state: key, counts });
    return counts;
  };
  const withCount = <T extends { id: number }>(row: T, counts: Map<number, number>) => ({
    ...row,
    articleCount: counts.get(row.id) ?? 0,
  });

  // Prepared once, for any number of articles: the ids travel as one JSON array.
  const tagsOfArticles = db
    .select({ articleId: articleTags.articleId, id: tags.id, slug: tags.slug, name: tags.name })
    .from(articleTags)
    .innerJoin(tags, eq(tags.id, articleTags.tagId))
    .where(inArray(articleTags.articleId, sql`(select value from json_each(${sql.placeholder('ids')}))`))
    .orderBy(articleTags.articleId, articleTags.position)
    .prepare();

  const holderOfSlug = (slug: string) =>
    db.select({ id: tags.id }).from(tags).where(eq(tags.slug, slug)).get()?.id;
  const holderOfName = (name: string) =>
    db.select({ id: tags.id }).from(tags).where(sql`lower(${tags.name}) = lower(${name})`).get()?.id;

  const assertNameFree = (name: string, self?: number) => assertTagNameFree(name, holderOfName(name), self);

  const find = (idOrSlug: string | number, audience: Audience): Tag | undefined => {
    const text = String(idOrSlug);
    const where = isId(text) ? eq(tags.id, Number(text)) : eq(tags.slug, text);
    const row = db
      .select(columns)
      .from(tags)
      .where(and(where, shownTo(audience)))
      .get();
    return row && withCount(row, countsFor(audience));
  };

  const get = (idOrSlug: string | number, audience: Audience): Tag => {
    const tag = find(idOrSlug, audience);
    if (!tag) throw notFound('tag', idOrSlug);
    return tag;
  };

  /** Whether the public sees this tag now, so a change to it changes public responses. */
  const isPublic = (id: number, at: string) =>
    db
      .select({ id: tags.id })
      .from(tags)
      .where(and(eq(tags.id, id), shownTo({ seesUnpublished: false, now: at })))
      .get() !== undefined;

  const insert = (input: TagCreate, at: string): number => {
    const slug = assignSlug({
      resource: 'tag',
      given: input.slug,
      derivedFrom: input.name,
      holderOf: holderOfSlug,
    });
    const { id } = db
      .insert(tags)
      .values({
        name: input.name,
        slug,
        description: input.description ?? null,
        createdAt: at,
        updatedAt: at,
      })
      .returning({ id: tags.id })
      .get();
    // Tags an article names into existence are created as much as POST /v1/tags creates them.
    events.record({ type: 'tag.created', resource: 'tag', id, slug, at, data: () => get(id, admin(at)) });
    return id;
  };

  return {
    find,
    get,

    /** The tag an import made from this source (`wp:category:12`), if any. */
    idOfSource(sourceId: string): number | undefined {
      return db.select({ id: tags.id }).from(tags).where(eq(tags.sourceId, sourceId)).get()?.id;
    },

    /** Marks an existing tag as coming from this source, so the next import finds it. */
    adopt(id: number, sourceId: string): void {
      db.update(tags).set({ sourceId }).where(eq(tags.id, id)).run();
    },

    /** Just the id of the tag with this id or slug, if the audience sees it: filters need no counts. */
    idOf(idOrSlug: string, audience: Audience): number | undefined {
      const where = isId(idOrSlug) ? eq(tags.id, Number(idOrSlug)) : eq(tags.slug, idOrSlug);
      return db
        .select({ id: tags.id })
        .from(tags)
        .where(and(where, shownTo(audience)))
        .get()?.id;
    },

    list(options: { page: number; perPage: number; sort: SortKey<TagSortField>[] }, audience: Audience) {
      const counts = countsFor(audience);
      // The public sees the tags its counts name (those a published article carries).
      const where = audience.seesUnpublished
        ? undefined
        : inArray(tags.id, sql`(select value from json_each(${JSON.stringify([...counts.keys()])}))`);
      const total = db.select({ n: count() }).from(tags).where(where).get()?.n ?? 0;
      const offset = (options.page - 1) * options.perPage;
      if (options.sort.some((key) => key.field === 'articleCount')) {
        // Counts live in memory: order the (few thousand at most) tags here.
        const all = db
          .select(columns)
          .from(tags)
          .where(where)
          .all()
          .map((row) => withCount(row, counts));
        const items: Tag[] = all.sort(compareBy(options.sort)).slice(offset, offset + options.perPage);
        return { items, total };
      }
      const sortColumns = {
        name: sql`lower(${tags.name})`,
        createdAt: tags.createdAt,
        updatedAt: tags.updatedAt,
        articleCount: tags.id, // never reached: sorting by count is done above
      };
      const items: Tag[] = db
        .select(columns)
        .from(tags)
        .where(where)
        .orderBy(...orderBy(options.sort, sortColumns, tags.id))
        .limit(options.perPage)
        .offset(offset)
        .all()
        .map((row) => withCount(row, counts));
      return { items, total };
    },

    create(input: TagCreate, audience: Audience): Tag {
      return writeTransaction(db, () => {
        assertNameFree(input.name);
        return get(insert(input, audience.now), audience);
      });
    },

    update(idOrSlug: string, patch: TagPatch, audience: Audience): Tag {
      return writeTransaction(db, () => {
        const current = get(idOrSlug, audience);
        if (patch.name !== undefined) assertNameFree(patch.name, current.id);
        const slug =
          patch.slug === undefined
            ? undefined
            : assignSlug({
                resource: 'tag',
                given: patch.slug,
                derivedFrom: '',
                holderOf: holderOfSlug,
                self: current.id,
              });
        db.update(tags)
          .set({ name: patch.name, slug, description: patch.description, updatedAt: audience.now })
          .where(eq(tags.id, current.id))
          .run();
        if (isPublic(current.id, audience.now))
          contentState.touchPublic(audience.now, tagWriteKeys(current.id));
        const updated = get(current.id, admin(audience.now));
        events.record({
          type: 'tag.updated',
          resource: 'tag',
          id: current.id,
          slug: updated.slug,
          at: audience.now,
          data: () => updated,
        });
        return get(current.id, audience);
      });
    },

    /**
     * Deletes a tag no article carries any more (articles.deleteTag unlinks it first, as a
     * recorded change of each article).
     */
    delete(idOrSlug: string | number, audience: Audience): void {
      writeTransaction(db, () => {
        const current = get(idOrSlug, audience);
        if (isPublic(current.id, audience.now))
          contentState.touchPublic(audience.now, tagWriteKeys(current.id));
        db.delete(tags).where(eq(tags.id, current.id)).run();
        events.record({
          type: 'tag.deleted',
          resource: 'tag',
          id: current.id,
          slug: current.slug,
          at: audience.now,
          data: () => ({ id: current.id, slug: current.slug }),
        });
      });
    },

    /** The ids of the articles that carry a tag. */
    carriers(tagId: number): number[] {
      return db
        .select({ id: articleTags.articleId })
        .from(articleTags)
        .where(eq(articleTags.tagId, tagId))
        .orderBy(articleTags.articleId)
        .all()
        .map((row) => row.id);
    },

    /**
     * Tag ids for an article's `tags`: ids must exist (422 otherwise); a string is a slug or a
     * name (ignoring case), and an unknown name creates the tag. Order kept, duplicates dropped.
     * Call inside the article's write transaction so a failed write creates no tags.
     */
    resolveOrCreate(refs: (string | number)[], at: string): number[] {
      const ids: number[] = [];
      for (const ref of refs) {
        let id: number | undefined;
        if (typeof ref === 'number') {
          id = db.select({ id: tags.id }).from(tags).where(eq(tags.id, ref)).get()?.id;
          if (id === undefined)
            throw new DomainError('unprocessable', 'unknown-tag', `No tag with id ${ref}`);
        } else {
          const name = ref.trim();
          id = holderOfSlug(name) ?? holderOfName(name) ?? insert({ name }, at);
        }
        if (!ids.includes(id)) ids.push(id);
      }
      return ids;
    },

    /** The tags of each article, in the article's order, with one query for any number of articles. */
    forArticles(articleIds: number[]): Map<number, { id: number; slug: string; name: string }[]> {
      if (articleIds.length === 0) return new Map();
      return groupByArticle(tagsOfArticles.all({ ids: JSON.stringify(articleIds) }));
    },
  };
}

export type TagsRepository = ReturnType<typeof createTagsRepository>;
