import { and, type Column, eq, inArray, isNull, type SQL, sql } from 'drizzle-orm';
import type { Database } from '../../db/database.js';
import { assignSlugIn, idWhere, orderBy, patchedSlug, qualified, withPagination } from '../../db/helpers.js';
import { sectionWriteKeys } from '../../lib/cache-keys.js';
import { DomainError, notFound } from '../../lib/errors.js';
import { isId } from '../../lib/slug.js';
import type { SortKey } from '../../lib/sort.js';
import { type Audience, visibleArticles } from '../articles/visibility.js';
import type { ContentStateRepository } from '../content-state/repository.js';
import type { EventsRepository } from '../events/repository.js';
import type { Section, SectionCreate, SectionPatch } from './schemas.js';

export type SectionSortField = 'position' | 'name' | 'createdAt' | 'updatedAt';

export interface SectionListOptions {
  page: number;
  perPage: number;
  sort: SortKey<SectionSortField>[];
  /** Only children of this section id; null for top-level sections. */
  parentId?: number | null;
}

/**
 * One step of the walk up from a new parent: meeting the section itself would close a cycle.
 * Returns the next section up (null at the top).
 */
export function nextAncestor(
  cursor: number,
  row: { parentId: number | null } | undefined,
  depth: number,
  self: number | undefined,
): number | null {
  if (cursor === self) {
    throw new DomainError(
      'conflict',
      'section-cycle',
      'A section cannot be nested inside itself or its descendants',
    );
  }
  if (!row)
    throw new DomainError('unprocessable', 'unknown-parent', `No section with id ${cursor} to nest under`);
  if (depth > 64) throw new DomainError('unprocessable', 'too-deep', 'Sections nest at most 64 levels deep');
  return row.parentId;
}

/** Sections with this name (ignoring case) under this parent: names are unique among siblings. */
export const sameName = (
  name: string,
  parentId: number | null,
  table: { name: Column; parentId: Column },
): SQL =>
  and(
    sql`lower(${table.name}) = lower(${name})`,
    parentId === null ? isNull(table.parentId) : eq(table.parentId, parentId),
  ) as SQL;

/** A name shared by sections under different parents names none of them: 422 asking for a slug. */
export function onlyOne(name: string, matches: { id: number }[]): number | undefined {
  if (matches.length > 1) {
    throw new DomainError(
      'unprocessable',
      'ambiguous-section',
      `Several sections are named "${name}" (under different parents): name it by slug or id`,
    );
  }
  return matches[0]?.id;
}

/** Names are unique among siblings, ignoring case: `holder` is the sibling already using the name, if any. */
export function assertNameFree(name: string, holder: number | undefined, self?: number): void {
  if (holder !== undefined && holder !== self) {
    throw new DomainError(
      'conflict',
      'name-taken',
      `A section named "${name}" already exists under the same parent (id ${holder})`,
      {
        holder: { id: holder },
      },
    );
  }
}

/** Only an empty section may go: none of its articles (trashed ones too) and no subsections. */
export function assertNotHeld(section: { slug: string }, held: number, children: number): void {
  if (held > 0) {
    throw new DomainError(
      'conflict',
      'section-not-empty',
      `Section "${section.slug}" still holds ${held} article(s), trashed ones included; move or purge them first`,
      { articleCount: held },
    );
  }
  if (children > 0) {
    throw new DomainError(
      'conflict',
      'section-has-children',
      `Section "${section.slug}" still has ${children} subsection(s); move or delete them first`,
    );
  }
}

export interface SectionsRepository {
  find(idOrSlug: string | number, audience: Audience): Promise<Section | undefined>;
  get(idOrSlug: string | number, audience: Audience): Promise<Section>;
  /** The section an import made from this source (`wp:category:12`), if any. */
  idOfSource(sourceId: string): Promise<number | undefined>;
  /** Marks an existing section as coming from this source, so the next import finds it. */
  adopt(id: number, sourceId: string): Promise<void>;
  /** The section an article's `section` names: an id, a slug, or a name only one section has. */
  resolve(ref: string | number): Promise<number | undefined>;
  /** The section with this name (ignoring case) under this parent (null: at the top), if any. */
  named(name: string, parentId: number | null): Promise<number | undefined>;
  /** The section and every section below it, at any depth. */
  withDescendants(id: number): Promise<number[]>;
  list(options: SectionListOptions, audience: Audience): Promise<{ items: Section[]; total: number }>;
  create(input: SectionCreate, audience: Audience): Promise<Section>;
  update(idOrSlug: string, patch: SectionPatch, audience: Audience): Promise<Section>;
  /** Deletes an empty section; one that still holds articles or subsections is a 409. */
  delete(idOrSlug: string, audience: Audience): Promise<void>;
}

const admin = (at: string): Audience => ({ seesUnpublished: true, now: at });

/** Sections: a tree of names unique among siblings, with counts of the articles each audience sees. */
export function createSectionsRepository(
  db: Database,
  contentState: ContentStateRepository,
  events: EventsRepository,
): SectionsRepository {
  const { articles, sections } = db.tables;
  const columns = (audience: Audience) => {
    const visible = visibleArticles(audience, articles);
    return {
      id: sections.id,
      slug: sections.slug,
      name: sections.name,
      description: sections.description,
      parentId: sections.parentId,
      position: sections.position,
      articleCount:
        sql<number>`(select count(*) from ${articles} where ${articles.sectionId} = ${qualified(sections.id)}${
          visible ? sql` and ${visible}` : sql``
        })`.mapWith(Number),
      createdAt: sections.createdAt,
      updatedAt: sections.updatedAt,
    };
  };
  const sortColumns = {
    position: sections.position,
    name: db.dialect.byCodePoint(sql`lower(${sections.name})`),
    createdAt: sections.createdAt,
    updatedAt: sections.updatedAt,
  };

  const sectionId = (where: SQL) => idWhere(db, sections, where);

  const find = async (idOrSlug: string | number, audience: Audience): Promise<Section | undefined> => {
    const text = String(idOrSlug);
    const where = isId(text) ? eq(sections.id, Number(text)) : eq(sections.slug, text);
    const [row] = await db.query().select(columns(audience)).from(sections).where(where);
    return row;
  };

  const get = async (idOrSlug: string | number, audience: Audience): Promise<Section> => {
    const section = await find(idOrSlug, audience);
    if (!section) throw notFound('section', idOrSlug);
    return section;
  };

  const nameHolder = (name: string, parentId: number | null) => sectionId(sameName(name, parentId, sections));

  return {
    find,
    get,
    idOfSource: (sourceId) => sectionId(eq(sections.sourceId, sourceId)),
    async adopt(id, sourceId) {
      await db.writeAlone((query) => query.update(sections).set({ sourceId }).where(eq(sections.id, id)));
    },
    async resolve(ref) {
      const text = String(ref);
      if (isId(text)) return sectionId(eq(sections.id, Number(text)));
      const bySlug = await sectionId(eq(sections.slug, text));
      if (bySlug !== undefined) return bySlug;
      const named = await db
        .query()
        .select({ id: sections.id })
        .from(sections)
        .where(sql`lower(${sections.name}) = lower(${text})`)
        .limit(2);
      return onlyOne(text, named);
    },
    named: (name, parentId) => nameHolder(name, parentId),

    async withDescendants(id) {
      // Level by level: sections nest at most 64 deep.
      const found = [id];
      for (let level = [id]; level.length > 0; ) {
        const children = await db
          .query()
          .select({ id: sections.id })
          .from(sections)
          .where(inArray(sections.parentId, level));
        level = children.map((child) => child.id).filter((child) => !found.includes(child));
        found.push(...level);
      }
      return found;
    },

    async list(options: SectionListOptions, audience) {
      const where =
        options.parentId === undefined
          ? undefined
          : options.parentId === null
            ? isNull(sections.parentId)
            : eq(sections.parentId, options.parentId);
      const items = await withPagination(
        db
          .query()
          .select(columns(audience))
          .from(sections)
          .where(where)
          .orderBy(...orderBy(options.sort, sortColumns, sections.id))
          .$dynamic(),
        options.page,
        options.perPage,
      );
      const total = await db.query().$count(sections, where);
      return { items, total };
    },

    ...createSectionWrites(db, { contentState, events, get, nameHolder }),
  };
}

/** The walk up from a new parent to the top: no cycle, no unknown parent, at most 64 levels. */
async function assertParent(db: Database, parentId: number, self?: number) {
  const { sections } = db.tables;
  let cursor: number | null = parentId;
  for (let depth = 0; cursor !== null; depth++) {
    const [row] = await db
      .query()
      .select({ parentId: sections.parentId })
      .from(sections)
      .where(eq(sections.id, cursor));
    cursor = nextAncestor(cursor, row, depth, self);
  }
}

/** Creating, changing and deleting sections, each with its event and cache keys. */
function createSectionWrites(
  db: Database,
  parts: {
    contentState: ContentStateRepository;
    events: EventsRepository;
    get: (idOrSlug: string | number, audience: Audience) => Promise<Section>;
    nameHolder: (name: string, parentId: number | null) => Promise<number | undefined>;
  },
) {
  const { articles, sections } = db.tables;
  const { contentState, events, get, nameHolder } = parts;
  return {
    create: (input: SectionCreate, audience: Audience) =>
      db.write(async () => {
        assertNameFree(input.name, await nameHolder(input.name, input.parentId ?? null));
        if (input.parentId != null) await assertParent(db, input.parentId);
        const slug = await assignSlugIn(db, sections, {
          resource: 'section',
          given: input.slug,
          derivedFrom: input.name,
        });
        const at = audience.now;
        const [row] = await db
          .query()
          .insert(sections)
          .values({
            name: input.name,
            slug,
            description: input.description ?? null,
            parentId: input.parentId ?? null,
            position: input.position ?? 0,
            createdAt: at,
            updatedAt: at,
          })
          .returning({ id: sections.id });
        const id = row?.id as number;
        await contentState.touchPublic(at, sectionWriteKeys(id));
        await events.record({
          type: 'section.created',
          resource: 'section',
          id,
          slug,
          at,
          data: () => get(id, admin(at)),
        });
        return get(id, audience);
      }),

    update: (idOrSlug: string, patch: SectionPatch, audience: Audience) =>
      db.write(async () => {
        const current = await get(idOrSlug, audience);
        if (patch.name !== undefined || patch.parentId !== undefined) {
          const name = patch.name ?? current.name;
          const parentId = patch.parentId === undefined ? current.parentId : patch.parentId;
          assertNameFree(name, await nameHolder(name, parentId), current.id);
        }
        if (patch.parentId != null) await assertParent(db, patch.parentId, current.id);
        const slug = await patchedSlug(db, sections, 'section', patch.slug, current.id);
        await db
          .query()
          .update(sections)
          .set({
            name: patch.name,
            slug,
            description: patch.description,
            parentId: patch.parentId,
            position: patch.position,
            updatedAt: audience.now,
          })
          .where(eq(sections.id, current.id));
        await contentState.touchPublic(audience.now, sectionWriteKeys(current.id));
        const updated = await get(current.id, admin(audience.now));
        await events.record({
          type: 'section.updated',
          resource: 'section',
          id: current.id,
          slug: updated.slug,
          at: audience.now,
          data: () => updated,
        });
        return get(current.id, audience);
      }),

    delete: (idOrSlug: string, audience: Audience) =>
      db.write(async () => {
        const current = await get(idOrSlug, audience);
        const held = await db.query().$count(articles, eq(articles.sectionId, current.id));
        const children = await db.query().$count(sections, eq(sections.parentId, current.id));
        assertNotHeld(current, held, children);
        await db.query().delete(sections).where(eq(sections.id, current.id));
        await contentState.touchPublic(audience.now, sectionWriteKeys(current.id));
        await events.record({
          type: 'section.deleted',
          resource: 'section',
          id: current.id,
          slug: current.slug,
          at: audience.now,
          data: () => ({ id: current.id, slug: current.slug }),
        });
      }),
  };
}
