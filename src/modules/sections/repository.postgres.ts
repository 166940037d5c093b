import { count, eq, isNull, sql } from 'drizzle-orm';
import type { Asynchronous } from '../../db/asynchronous.js';
import type { ContentStateRepository } from '../../db/content-state.js';
import { orderBy, qualified } from '../../db/helpers.js';
import type { PgDb } from '../../db/postgres/index.js';
import { articles, sections } from '../../db/postgres/schema.js';
import { assignSlugIn } from '../../db/postgres/slugs.js';
import { executor, writeTransaction } from '../../db/postgres/transaction.js';
import { sectionWriteKeys } from '../../lib/cache-keys.js';
import { notFound } from '../../lib/errors.js';
import { isId } from '../../lib/slug.js';
import { type Audience, visibleArticles } from '../articles/visibility.js';
import type { EventsRepository } from '../events/repository.js';
import {
  assertNameFree,
  assertNotHeld,
  nextAncestor,
  onlyOne,
  type SectionListOptions,
  type SectionsRepository,
  sameName,
} from './repository.js';
import type { Section } from './schemas.js';

/** Sections on PostgreSQL (see ./repository.ts for the rules). */
export function createPostgresSectionsRepository(
  db: PgDb,
  contentState: Asynchronous<ContentStateRepository>,
  events: Asynchronous<EventsRepository, 'onRecorded'>,
): Asynchronous<SectionsRepository> {
  const admin = (at: string): Audience => ({ seesUnpublished: true, now: at });
  const columns = (audience: Audience) => {
    const visible = visibleArticles(audience, articles);
    return {
      id: sections.id,
      slug: sections.slug,
      name: sections.name,
      description: sections.description,
      parentId: sections.parentId,
      position: sections.position,
      articleCount: sql<number>`(select count(*)::int from ${articles} where ${articles.sectionId} = ${qualified(sections.id)}${
        visible ? sql` and ${visible}` : sql``
      })`,
      createdAt: sections.createdAt,
      updatedAt: sections.updatedAt,
    };
  };
  // Names compare by code point, as SQLite's do, whatever the database's collation.
  const sortColumns = {
    position: sections.position,
    name: sql`lower(${sections.name}) collate "C"`,
    createdAt: sections.createdAt,
    updatedAt: sections.updatedAt,
  };

  const idWhere = (where: ReturnType<typeof eq>) =>
    executor(db)
      .select({ id: sections.id })
      .from(sections)
      .where(where)
      .then(([row]) => row?.id);

  const find = async (idOrSlug: string | number, audience: Audience): Promise<Section | undefined> => {
    const text = String(idOrSlug);
    const where = isId(text) ? eq(sections.id, Number(text)) : eq(sections.slug, text);
    const [row] = await executor(db).select(columns(audience)).from(sections).where(where);
    return row;
  };

  const get = async (idOrSlug: string | number, audience: Audience): Promise<Section> => {
    const section = await find(idOrSlug, audience);
    if (!section) throw notFound('section', idOrSlug);
    return section;
  };

  const assertParent = async (parentId: number, self?: number) => {
    let cursor: number | null = parentId;
    for (let depth = 0; cursor !== null; depth++) {
      const [row] = await executor(db)
        .select({ parentId: sections.parentId })
        .from(sections)
        .where(eq(sections.id, cursor));
      cursor = nextAncestor(cursor, row, depth, self);
    }
  };

  const nameHolder = (name: string, parentId: number | null) => idWhere(sameName(name, parentId, sections));

  return {
    find,
    get,
    idOfSource: (sourceId) => idWhere(eq(sections.sourceId, sourceId)),
    async adopt(id, sourceId) {
      await executor(db).update(sections).set({ sourceId }).where(eq(sections.id, id));
    },
    async resolve(ref) {
      const text = String(ref);
      if (isId(text)) return idWhere(eq(sections.id, Number(text)));
      const bySlug = await idWhere(eq(sections.slug, text));
      if (bySlug !== undefined) return bySlug;
      const named = await executor(db)
        .select({ id: sections.id })
        .from(sections)
        .where(sql`lower(${sections.name}) = lower(${text})`)
        .limit(2);
      return onlyOne(text, named);
    },
    named: (name, parentId) => nameHolder(name, parentId),

    async withDescendants(id) {
      const result = await executor(db).execute<{ id: number }>(sql`
        with recursive tree(id) as (
          select ${id}::integer
          union select ${sections.id} from ${sections} join tree on ${sections.parentId} = tree.id
        )
        select id from tree`);
      return result.rows.map((row) => row.id);
    },

    async list(options: SectionListOptions, audience) {
      const where =
        options.parentId === undefined
          ? undefined
          : options.parentId === null
            ? isNull(sections.parentId)
            : eq(sections.parentId, options.parentId);
      const items = await executor(db)
        .select(columns(audience))
        .from(sections)
        .where(where)
        .orderBy(...orderBy(options.sort, sortColumns, sections.id))
        .limit(options.perPage)
        .offset((options.page - 1) * options.perPage);
      const [total] = await executor(db).select({ n: count() }).from(sections).where(where);
      return { items, total: total?.n ?? 0 };
    },

    create: (input, audience) =>
      writeTransaction(db, async () => {
        assertNameFree(input.name, await nameHolder(input.name, input.parentId ?? null));
        if (input.parentId != null) await assertParent(input.parentId);
        const slug = await assignSlugIn(db, sections, {
          resource: 'section',
          given: input.slug,
          derivedFrom: input.name,
        });
        const at = audience.now;
        const [row] = await executor(db)
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

    update: (idOrSlug, patch, audience) =>
      writeTransaction(db, async () => {
        const current = await get(idOrSlug, audience);
        if (patch.name !== undefined || patch.parentId !== undefined) {
          const name = patch.name ?? current.name;
          const parentId = patch.parentId === undefined ? current.parentId : patch.parentId;
          assertNameFree(name, await nameHolder(name, parentId), current.id);
        }
        if (patch.parentId != null) await assertParent(patch.parentId, current.id);
        const slug =
          patch.slug === undefined
            ? undefined
            : await assignSlugIn(db, sections, {
                resource: 'section',
                given: patch.slug,
                derivedFrom: '',
                self: current.id,
              });
        await executor(db)
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

    delete: (idOrSlug, audience) =>
      writeTransaction(db, async () => {
        const current = await get(idOrSlug, audience);
        const [held] = await executor(db)
          .select({ n: count() })
          .from(articles)
          .where(eq(articles.sectionId, current.id));
        const [children] = await executor(db)
          .select({ n: count() })
          .from(sections)
          .where(eq(sections.parentId, current.id));
        assertNotHeld(current, held?.n ?? 0, children?.n ?? 0);
        await executor(db).delete(sections).where(eq(sections.id, current.id));
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
