import { and, asc, type Column, desc, eq, getTableName, gte, lt, or, type SQL, sql } from 'drizzle-orm';
import type { PgColumn, PgSelect, PgTable } from 'drizzle-orm/pg-core';
import { DomainError } from '../lib/errors.js';
import { deriveSlug, SLUG_MAX_LENGTH, uniqueSlug } from '../lib/slug.js';
import type { SortKey } from '../lib/sort.js';
import type { Database } from './database.js';

/** ORDER BY for parsed sort keys, always ending with id (in the first key's direction). */
export function orderBy<Field extends string>(
  keys: SortKey<Field>[],
  columns: Record<Field, Column | SQL>,
  id: Column,
): SQL[] {
  const order = keys.map((key) => (key.descending ? desc(columns[key.field]) : asc(columns[key.field])));
  order.push(keys[0]?.descending ? desc(id) : asc(id));
  return order;
}

export interface SlugRequest {
  resource: string;
  /** The slug the caller asked for, if any: taken means 409. */
  given: string | undefined;
  /** The name or title a slug is derived from when none is given: taken means a suffix. */
  derivedFrom: string;
  /** The id holding a slug, if any. */
  holderOf: (slug: string) => number | undefined;
  /** The row being updated, which may keep its own slug. */
  self?: number;
}

/** Picks a slug by the API conventions: a given slug must be free, a derived one gets -2, -3 ... */
export function assignSlug(request: SlugRequest): string {
  const { given, holderOf, self } = request;
  if (given !== undefined) {
    const holder = holderOf(given);
    if (holder !== undefined && holder !== self) {
      throw new DomainError(
        'conflict',
        'slug-taken',
        `The slug "${given}" is already used by ${request.resource} ${holder}`,
        { holder: { id: holder, slug: given } },
      );
    }
    return given;
  }
  return uniqueSlug(deriveSlug(request.derivedFrom), (slug) => {
    const holder = holderOf(slug);
    return holder !== undefined && holder !== self;
  });
}

/**
 * A column with its table name, for correlated subqueries: Drizzle leaves single-table
 * selects unqualified, where an inner `"id"` would bind to the subquery's own table.
 */
export function qualified(column: Column): SQL {
  return sql`${sql.identifier(getTableName(column.table))}.${sql.identifier(column.name)}`;
}

/**
 * The rows whose slug `base` or one of its suffixed forms could collide with: `base` itself and
 * the slugs starting with its stem (a suffixed candidate keeps at least the base's first
 * SLUG_MAX_LENGTH - 10 characters), as a range of code points. Both stores' indexes serve the
 * range: SQLite's slug index does not serve LIKE (case-insensitive there), and PostgreSQL's
 * `*_slug_code_point_idx` follow the code-point order the range is written in.
 */
export function slugCandidates(
  db: Database,
  table: PgTable & { slug: PgColumn },
  base: string,
): SQL | undefined {
  const stem = base.slice(0, SLUG_MAX_LENGTH - 10);
  const slug = db.dialect.byCodePoint(table.slug);
  return or(eq(table.slug, base), and(gte(slug, stem), lt(slug, `${stem}\u{10FFFF}`)));
}

/**
 * assignSlug for a write: the slugs it could ask about (the base and its `-2`, `-3` ...
 * variants, which may cut the base short) are read in one query first, so the same synchronous
 * rules pick the slug. Call inside the write transaction.
 */
export async function assignSlugIn(
  db: Database,
  table: PgTable & { id: PgColumn; slug: PgColumn },
  request: Omit<SlugRequest, 'holderOf'>,
): Promise<string> {
  const base = request.given ?? deriveSlug(request.derivedFrom);
  const rows = await db
    .query()
    .select({ id: table.id, slug: table.slug })
    .from(table)
    .where(slugCandidates(db, table, base));
  const holders = new Map(rows.map((row) => [row.slug as string, row.id as number]));
  return assignSlug({ ...request, holderOf: (slug) => holders.get(slug) });
}

/** A rename's slug: undefined when the patch leaves it, else checked as assignSlugIn checks it. */
export function patchedSlug(
  db: Database,
  table: PgTable & { id: PgColumn; slug: PgColumn },
  resource: string,
  given: string | undefined,
  self: number,
): Promise<string | undefined> {
  if (given === undefined) return Promise.resolve(undefined);
  return assignSlugIn(db, table, { resource, given, derivedFrom: '', self });
}

/**
 * Runs `work` as part of the write this call runs in, else as a write of its own. Unlike a
 * nested write it opens no savepoint (two statements, two round trips on PostgreSQL): a failure
 * fails the caller's whole write.
 */
export const withinWrite = <T>(db: Database, work: () => Promise<T>): Promise<T> =>
  db.inWrite() ? work() : db.write(work);

/** The id of a row of `table` that matches, if any (ids by source, slug or name). */
export async function idWhere(
  db: Database,
  table: PgTable & { id: PgColumn },
  where: SQL | undefined,
): Promise<number | undefined> {
  const [row] = await db.query().select({ id: table.id }).from(table).where(where).limit(1);
  return row?.id as number | undefined;
}

/** One page of a list query (Drizzle's dynamic-query pattern): pages count from 1. */
export function withPagination<T extends PgSelect>(query: T, page: number, perPage: number) {
  return query.limit(perPage).offset((page - 1) * perPage);
}
