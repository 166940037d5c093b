import { and, type Column, count, eq, isNull, type SQL, sql } from 'drizzle-orm';
import type { ContentStateRepository } from '../../db/content-state.js';
import { assignSlug, orderBy, qualified, writeTransaction } from '../../db/helpers.js';
import type { Db } from '../../db/index.js';
import { articles, sections } from '../../db/schema.js';
import { sectionWriteKeys } from '../../lib/cache-keys.js';
import { DomainError, notFound } from '../../lib/errors.js';
import { isId } from '../../lib/slug.js';
import type { SortKey } from '../../lib/sort.js';
import { type Audience, visibleArticles } from '../articles/visibility.js';
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

const sortColumns = {
  position: sections.position,
  name: sql`lower(${sections.name})`,
  createdAt: sections.createdAt,
  updatedAt: sections.updatedAt,
};

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
  table: { name: Column; parentId: Column } = sections,
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

export function createSectionsRepository(
  db: Db,
  contentState: ContentStateRepository,
  events: EventsRepository,
) {
  const admin = (at: string): Audience => ({ seesUnpublished: true, now: at });
  const columns = (audience: Audience) => {
    const visible = visibleArticles(audience);
    return {
      id: sections.id,
      slug: sections.slug,
      name: sections.name,
      description: sections.description,
      parentId: sections.parentId,
      position: sections.position,
      articleCount: sql<number>`(select count(*) from ${articles} where ${articles.sectionId} = ${qualified(sections.id)}${
        visible ? sql` and ${visible}` : sql``
      })`,
      createdAt: sections.createdAt,
      updatedAt: sections.updatedAt,
    };
  };

  const holderOfSlug = (slug: string) =>
    db.select({ id: sections.id }).from(sections).where(eq(sections.slug, slug)).get()?.id;

  /** Id of the section named by id, slug or (ignoring case) name; used when articles name one. */
  const resolve = (ref: string | number): number | undefined => {
    const text = String(ref);
    if (isId(text))
      return db
        .select({ id: sections.id })
        .from(sections)
        .where(eq(sections.id, Number(text)))
        .get()?.id;
    const bySlug = db.select({ id: sections.id }).from(sections).where(eq(sections.slug, text)).get()?.id;
    return (
      bySlug ??
      onlyOne(
        text,
        db
          .select({ id: sections.id })
          .from(sections)
          .where(sql`lower(${sections.name}) = lower(${text})`)
          .limit(2)
          .all(),
      )
    );
  };

  const find = (idOrSlug: string | number, audience: Audience): Section | undefined => {
    const text = String(idOrSlug);
    const where = isId(text) ? eq(sections.id, Number(text)) : eq(sections.slug, text);
    return db.select(columns(audience)).from(sections).where(where).get();
  };

  const get = (idOrSlug: string | number, audience: Audience): Section => {
    const section = find(idOrSlug, audience);
    if (!section) throw notFound('section', idOrSlug);
    return section;
  };

  const assertParent = (parentId: number, self?: number) => {
    let cursor: number | null = parentId;
    for (let depth = 0; cursor !== null; depth++) {
      const row = db
        .select({ parentId: sections.parentId })
        .from(sections)
        .where(eq(sections.id, cursor))
        .get();
      cursor = nextAncestor(cursor, row, depth, self);
    }
  };

  const nameHolder = (name: string, parentId: number | null) =>
    db.select({ id: sections.id }).from(sections).where(sameName(name, parentId)).get()?.id;

  return {
    find,
    get,

    /** The section with this name (ignoring case) under this parent (null: at the top), if any. */
    named(name: string, parentId: number | null): number | undefined {
      return nameHolder(name, parentId);
    },

    /** The section an import made from this source (`wp:category:12`), if any. */
    idOfSource(sourceId: string): number | undefined {
      return db.select({ id: sections.id }).from(sections).where(eq(sections.sourceId, sourceId)).get()?.id;
    },

    /** Marks an existing section as coming from this source, so the next import finds it. */
    adopt(id: number, sourceId: string): void {
      db.update(sections).set({ sourceId }).where(eq(sections.id, id)).run();
    },
    resolve,

    /** The section and every section below it, at any depth. */
    withDescendants(id: number): number[] {
      const rows = db.all<{ id: number }>(sql`
        with recursive tree(id) as (
          select ${id}
          union select ${sections.id} from ${sections} join tree on ${sections.parentId} = tree.id
        )
        select id from tree`);
      return rows.map((row) => row.id);
    },

    list(options: SectionListOptions, audience: Audience): { items: Section[]; total: number } {
      const where =
        options.parentId === undefined
          ? undefined
          : options.parentId === null
            ? isNull(sections.parentId)
            : eq(sections.parentId, options.parentId);
      const items = db
        .select(columns(audience))
        .from(sections)
        .where(where)
        .orderBy(...orderBy(options.sort, sortColumns, sections.id))
        .limit(options.perPage)
        .offset((options.page - 1) * options.perPage)
        .all();
      const total = db.select({ n: count() }).from(sections).where(where).get()?.n ?? 0;
      return { items, total };
    },

    create(input: SectionCreate, audience: Audience): Section {
      return writeTransaction(db, () => {
        assertNameFree(input.name, nameHolder(input.name, input.parentId ?? null));
        if (input.parentId != null) assertParent(input.parentId);
        const slug = assignSlug({
          resource: 'section',
          given: input.slug,
          derivedFrom: input.name,
          holderOf: holderOfSlug,
        });
        const at = audience.now;
        const { id } = db
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
          .returning({ id: sections.id })
          .get();
        // Every section is public: any section write changes what the public sees.
        contentState.touchPublic(at, sectionWriteKeys(id));
        events.record({
          type: 'section.created',
          resource: 'section',
          id,
          slug,
          at,
          data: () => get(id, admin(at)),
        });
        return get(id, audience);
      });
    },

    update(idOrSlug: string, patch: SectionPatch, audience: Audience): Section {
      return writeTransaction(db, () => {
        const current = get(idOrSlug, audience);
        if (patch.name !== undefined || patch.parentId !== undefined) {
          const name = patch.name ?? current.name;
          assertNameFree(
            name,
            nameHolder(name, patch.parentId === undefined ? current.parentId : patch.parentId),
            current.id,
          );
        }
        if (patch.parentId != null) assertParent(patch.parentId, current.id);
        const slug =
          patch.slug === undefined
            ? undefined
            : assignSlug({
                resource: 'section',
                given: patch.slug,
                derivedFrom: '',
                holderOf: holderOfSlug,
                self: current.id,
              });
        db.update(sections)
          .set({
            name: patch.name,
            slug,
            description: patch.description,
            parentId: patch.parentId,
            position: patch.position,
            updatedAt: audience.now,
          })
          .where(eq(sections.id, current.id))
          .run();
        contentState.touchPublic(audience.now, sectionWriteKeys(current.id));
        const updated = get(current.id, admin(audience.now));
        events.record({
          type: 'section.updated',
          resource: 'section',
          id: current.id,
          slug: updated.slug,
          at: audience.now,
          data: () => updated,
        });
        return get(current.id, audience);
      });
    },

    /** Deletes an empty section; one that still holds articles or subsections is a 409. */
    delete(idOrSlug: string, audience: Audience): void {
      writeTransaction(db, () => {
        const current = get(idOrSlug, audience);
        const held =
          db.select({ n: count() }).from(articles).where(eq(articles.sectionId, current.id)).get()?.n ?? 0;
        const children =
          db.select({ n: count() }).from(sections).where(eq(sections.parentId, current.id)).get()?.n ?? 0;
        assertNotHeld(current, held, children);
        db.delete(sections).where(eq(sections.id, current.id)).run();
        contentState.touchPublic(audience.now, sectionWriteKeys(current.id));
        events.record({
          type: 'section.deleted',
          resource: 'section',
          id: current.id,
          slug: current.slug,
          at: audience.now,
          data: () => ({ id: current.id, slug: current.slug }),
        });
      });
    },
  };
}

export type SectionsRepository = ReturnType<typeof createSectionsRepository>;
