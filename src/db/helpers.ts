import type Database from 'better-sqlite3';
import { asc, type Column, desc, getTableName, type SQL, sql } from 'drizzle-orm';
import { DomainError } from '../lib/errors.js';
import { deriveSlug, uniqueSlug } from '../lib/slug.js';
import type { SortKey } from '../lib/sort.js';
import type { Db } from './index.js';

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
 * A constraint error (unique, foreign key, not null, check) from either store: SQLite's
 * `SQLITE_CONSTRAINT_*` codes, PostgreSQL's SQLSTATE class 23. Drizzle wraps a PostgreSQL
 * driver error in a DrizzleQueryError whose `cause` carries the code.
 */
export function isConstraintViolation(error: unknown): boolean {
  for (let current = error; current instanceof Error; current = current.cause) {
    const code = String((current as { code?: unknown }).code);
    if (code.startsWith('SQLITE_CONSTRAINT') || /^23[0-9A-Z]{3}$/.test(code)) return true;
  }
  return false;
}

/**
 * A column with its table name, for correlated subqueries: Drizzle leaves single-table
 * selects unqualified, where an inner `"id"` would bind to the subquery's own table.
 */
export function qualified(column: Column): SQL {
  return sql`${sql.identifier(getTableName(column.table))}.${sql.identifier(column.name)}`;
}

/**
 * Runs `work` as one write transaction that takes the write lock up front (BEGIN IMMEDIATE):
 * a second process writing the same file then makes it wait out busy_timeout, instead of
 * failing halfway with SQLITE_BUSY. Nested calls become savepoints. Keep `work` synchronous.
 */
export function writeTransaction<T>(db: Db, work: () => T): T {
  return db.transaction(work, { behavior: 'immediate' });
}

let savepoints = 0;

/**
 * A write transaction around awaited repository calls, for a process that is its connection's
 * only user (the CLI's imports): BEGIN IMMEDIATE ... COMMIT, or a savepoint inside another.
 * The server never uses it: there other requests would run between the awaits, inside it.
 */
export async function exclusiveTransaction<T>(sqlite: Database.Database, work: () => Promise<T>): Promise<T> {
  const savepoint = sqlite.inTransaction ? `import_${++savepoints}` : undefined;
  sqlite.exec(savepoint ? `SAVEPOINT ${savepoint}` : 'BEGIN IMMEDIATE');
  try {
    const result = await work();
    sqlite.exec(savepoint ? `RELEASE ${savepoint}` : 'COMMIT');
    return result;
  } catch (error) {
    sqlite.exec(savepoint ? `ROLLBACK TO ${savepoint}; RELEASE ${savepoint}` : 'ROLLBACK');
    throw error;
  }
}
