import { and, eq, inArray, type SQL, sql } from 'drizzle-orm';
import type { Database, Tables } from '../../db/database.js';
import { assignSlugIn, idWhere, patchedSlug, withinWrite } from '../../db/helpers.js';
import { tagWriteKeys } from '../../lib/cache-keys.js';
import { DomainError, notFound } from '../../lib/errors.js';
import { isId } from '../../lib/slug.js';
import type { SortKey } from '../../lib/sort.js';
import {
  type ArticleLink,
  carriersOf,
  createArticleCounts,
  listTargets,
  shownTo,
  type TargetSortField,
  withCount,
} from '../articles/article-links.js';
import type { Audience } from '../articles/visibility.js';
import type { ContentStateRepository } from '../content-state/repository.js';
import type { EventsRepository } from '../events/repository.js';
import type { Tag, TagCreate, TagPatch } from './schemas.js';

export type TagRow = Omit<Tag, 'url'>;

export type TagSortField = TargetSortField;

/** Tag names are unique ignoring case: `holder` is the tag already using the name, if any. */
export function assertTagNameFree(name: string, holder: number | undefined, self?: number): void {
  if (holder !== undefined && holder !== self) {
    throw new DomainError('conflict', 'name-taken', `A tag named "${name}" already exists (id ${holder})`, {
      holder: { id: holder },
    });
  }
}

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
}

const admin = (at: string): Audience => ({ seesUnpublished: true, now: at });

/** How articles link to tags: article_tags, in order. */
export const tagLink = ({ articleTags, tags }: Tables): ArticleLink => ({
  links: articleTags,
  articleId: articleTags.articleId,
  targetId: articleTags.tagId,
  position: articleTags.position,
  targets: tags,
  target: tags,
  row: (articleId, tagId, position) => ({ articleId, tagId, position }),
  name: 'tags',
});

const columnsOf = ({ tags }: Tables) => ({
  id: tags.id,
  slug: tags.slug,
  name: tags.name,
  description: tags.description,
  createdAt: tags.createdAt,
  updatedAt: tags.updatedAt,
});

/** Tags: names unique ignoring case, counts of the articles each audience sees. */
export function createTagsRepository(
  db: Database,
  contentState: ContentStateRepository,
  events: EventsRepository,
): TagsRepository {
  const { tags } = db.tables;
  const link = tagLink(db.tables);
  const countsFor = createArticleCounts(db, contentState, link);
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
      .where(and(named(String(idOrSlug)), shownTo(db, link, audience)));
    return row && withCount(row, await countsFor(audience));
  };
  const get = async (idOrSlug: string | number, audience: Audience): Promise<Tag> => {
    const tag = await find(idOrSlug, audience);
    if (!tag) throw notFound('tag', idOrSlug);
    return tag;
  };
  const writes = createTagWrites(db, { contentState, events, get, holderOfName });

  /** resolveOrCreate's work: every slug named is looked up in one query, then names one by one. */
  const resolve = async (refs: (string | number)[], at: string) => {
    const names = refs.filter((ref): ref is string => typeof ref === 'string').map((ref) => ref.trim());
    const slugHolders = new Map<string, number>();
    if (names.length > 0) {
      const rows = await db
        .query()
        .select({ id: tags.id, slug: tags.slug })
        .from(tags)
        .where(inArray(tags.slug, names));
      for (const row of rows) slugHolders.set(row.slug, row.id);
    }
    let created = false;
    const ids: number[] = [];
    for (const ref of refs) {
      let id: number | undefined;
      if (typeof ref === 'number') {
        id = await tagId(eq(tags.id, ref));
        if (id === undefined) throw new DomainError('unprocessable', 'unknown-tag', `No tag with id ${ref}`);
      } else {
        const name = ref.trim();
        // A tag an earlier ref created may hold the slug: only then is it looked up again.
        id =
          slugHolders.get(name) ??
          (created ? await holderOfSlug(name) : undefined) ??
          (await holderOfName(name));
        if (id === undefined) {
          id = await writes.insert({ name }, at);
          created = true;
        }
      }
      if (!ids.includes(id)) ids.push(id);
    }
    return ids;
  };

  return {
    find,
    get,
    idOfSource: (sourceId) => tagId(eq(tags.sourceId, sourceId)),
    idOf: (idOrSlug, audience) => tagId(and(named(idOrSlug), shownTo(db, link, audience))),
    list: async (options, audience) =>
      listTargets(
        db,
        { table: tags, columns: columnsOf(db.tables) },
        await countsFor(audience),
        options,
        audience,
      ),
    ...writes,

    carriers: (tagId) => carriersOf(db, link, tagId),

    resolveOrCreate: async (refs, at) => (refs.length === 0 ? [] : withinWrite(db, () => resolve(refs, at))),
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
    (await idWhere(
      db,
      tags,
      and(eq(tags.id, id), shownTo(db, tagLink(db.tables), { seesUnpublished: false, now: at })),
    )) !== undefined;
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
