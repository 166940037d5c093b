import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SQLiteSyncDialect } from 'drizzle-orm/sqlite-core';
import type { Test } from 'tap';
import type { Config } from '../../src/config.js';
import { buildTestApp } from './app.js';

// Counts the statements better-sqlite3 runs in this process (SQLite stores only): what a request
// costs in queries, so a read or write path cannot grow one unnoticed.
const executed: string[] = [];
const statementPrototype = Object.getPrototypeOf(new Database(':memory:').prepare('select 1')) as Record<
  string,
  (...args: unknown[]) => unknown
>;
for (const method of ['all', 'get', 'run', 'iterate'] as const) {
  const original = statementPrototype[method] as (...args: unknown[]) => unknown;
  statementPrototype[method] = function counted(this: Database.Statement, ...args: unknown[]) {
    executed.push(this.source);
    return original.apply(this, args);
  };
}

// Statements run without preparing one (BEGIN, SAVEPOINT, COMMIT).
const databasePrototype = Database.prototype as unknown as Record<string, (source: string) => unknown>;
const exec = databasePrototype.exec as (source: string) => unknown;
databasePrototype.exec = function counted(this: Database.Database, source: string) {
  executed.push(source);
  return exec.call(this, source);
};

// SQL that Drizzle builds (a prepared statement's only once), so a test can tell which are.
const built: string[] = [];
const dialectPrototype = Object.getPrototypeOf(SQLiteSyncDialect.prototype) as {
  sqlToQuery: (...args: unknown[]) => { sql: string };
};
const sqlToQuery = dialectPrototype.sqlToQuery;
dialectPrototype.sqlToQuery = function counted(...args: unknown[]) {
  const query = sqlToQuery.apply(this, args);
  built.push(query.sql);
  return query;
};

/** The SQL Drizzle built while `request` ran, in order. */
export async function builtOf(request: () => Promise<unknown>): Promise<string[]> {
  built.length = 0;
  await request();
  return [...built];
}

/** The SQL of the statements `request` ran, in order. */
export async function statementsOf(request: () => Promise<unknown>): Promise<string[]> {
  executed.length = 0;
  await request();
  return [...executed];
}

/** Response cache off: every read reaches the database. */
export const CACHE_OFF = { maxAge: 60, staleWhileRevalidate: 300, responseBytes: 0 };

/** A test app on a SQLite file of its own whatever TEST_DATABASE_URL says: its statements are counted here. */
export async function sqliteTestApp(t: Test, overrides: Partial<Config> = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'broadsheet-cost-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return buildTestApp(t, { databaseFile: join(dir, 'cost.db'), ...overrides });
}
