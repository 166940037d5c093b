import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { type Column, type SQLWrapper, sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { startCheckpointer } from './checkpointer.js';
import type { Dialect, Query, Database as StoreDatabase, Tables } from './database.js';
import { applyPragmas, MIGRATIONS_FOLDER, openDatabase } from './index.js';
import * as schema from './tables.js';
import { createWriteContext } from './write-context.js';

/**
 * SQLite's spelling of what differs. FTS5 lives here and in migrations 0006 and 0016: the
 * full-text index is `articles_fts`, joined to articles by rowid.
 */
export const sqliteDialect: Dialect = {
  kind: 'sqlite',
  ordered: (expression, descending) => (descending ? sql`${expression} desc` : sql`${expression} asc`),
  byCodePoint: (text) => sql`${text}`,
  inList: (column: Column, list: SQLWrapper) => sql`${column} in (select value from json_each(${list}))`,
  listValue: (values) => JSON.stringify(values),
  jsonRows: (values, order) =>
    sql<string>`json_group_array(json_array(${sql.join(values, sql`, `)}) order by ${order})`,
  // AUTOINCREMENT moves sqlite_sequence past any id inserted.
  afterExplicitIds: async () => {},
  search: {
    index: sql`articles_fts`,
    joinsArticle: (articleId) => sql`articles_fts.rowid = ${articleId}`,
    matches: (query) => sql`articles_fts match ${query.fts}`,
    // bm25 with the title weighted far above the body: lower is better.
    rank: () => sql<number>`bm25(articles_fts, 10.0, 4.0, 3.0, 1.0, 5.0)`,
    // FTS5 walks the matches down from the highest rowid to find where the window starts.
    rankWindow: (query, size) =>
      sql`articles_fts.rowid >= coalesce((select rowid from articles_fts where articles_fts match ${query.fts} order by rowid desc limit 1 offset ${size - 1}), 0)`,
  },
};

/** A queue of one: the next holder starts when the previous one has released. */
function createLock() {
  let tail: Promise<void> = Promise.resolve();
  return async (): Promise<() => void> => {
    let release = () => {};
    const previous = tail;
    tail = new Promise((resolve) => {
      release = resolve;
    });
    await previous;
    return release;
  };
}

/**
 * Drizzle asks better-sqlite3 to prepare every query it runs, though the same SQL text comes
 * back on every write and list: the compiled statement is kept (the 500 texts last used, per
 * connection) and handed out again, back in its default mode (Drizzle switches some to raw).
 * Measured: preparing was an eighth of the CPU an article create took.
 */
function reuseStatements(connection: Database.Database, limit = 500) {
  const prepare = connection.prepare.bind(connection);
  const kept = new Map<string, Database.Statement>();
  connection.prepare = ((source: string) => {
    const statement = kept.get(source);
    if (statement) {
      // Most recently used last: the oldest is the one dropped.
      kept.delete(source);
      kept.set(source, statement);
      return statement.reader ? statement.raw(false) : statement;
    }
    const prepared = prepare(source);
    kept.set(source, prepared);
    if (kept.size > limit) kept.delete(kept.keys().next().value as string);
    return prepared;
  }) as typeof connection.prepare;
}

/**
 * Writes after which a store copies its log into the file from a thread (./checkpointer.ts): a
 * process that writes this much will write more, and one that writes less (most tests, a quiet
 * site) is not worth a thread.
 */
const CHECKPOINTER_AFTER_WRITES = 100;

interface Running {
  committed: (() => void)[];
  savepoints: number;
}

const ROLLED_BACK = Symbol('rolled back');

/**
 * A SQLite file as a store: one connection that writes, one that reads. Writes queue for the
 * writer and run as BEGIN IMMEDIATE ... COMMIT across their awaits; reads go to the reader,
 * which (WAL) sees only committed writes, so no request ever reads another's unfinished write.
 * The reader is query_only: a write that forgot its transaction fails loudly in every test.
 * `:memory:` is a scratch file, removed on close (two connections to `:memory:` would be two
 * databases).
 */
export function openSqliteDatabase(file: string, migrationsFolder = MIGRATIONS_FOLDER): StoreDatabase {
  const scratch = file === ':memory:' ? mkdtempSync(join(tmpdir(), 'broadsheet-memory-')) : undefined;
  const path = scratch ? join(scratch, 'db.sqlite') : file;
  const { sqlite: writer, db: writing } = openDatabase(path, migrationsFolder);
  const reader = new Database(path);
  applyPragmas(reader);
  reader.pragma('query_only = ON');
  reuseStatements(writer);
  reuseStatements(reader);
  const reading = drizzle(reader, { schema });
  const dataVersion = reader.prepare('pragma data_version').pluck();
  const running = createWriteContext<Running>();
  const turn = createLock();
  let writes = 0;
  let checkpointer: ReturnType<typeof startCheckpointer> | undefined;
  const committed = () => {
    writes++;
    if (writes === CHECKPOINTER_AFTER_WRITES) checkpointer = startCheckpointer(path, writer);
  };
  const asQuery = (db: unknown) => db as Query;

  const write = async <T>(work: () => Promise<T>): Promise<T> => {
    const outer = running.current();
    if (outer) {
      const name = `nested_${++outer.savepoints}`;
      writer.exec(`SAVEPOINT ${name}`);
      try {
        const result = await work();
        writer.exec(`RELEASE ${name}`);
        return result;
      } catch (error) {
        writer.exec(`ROLLBACK TO ${name}; RELEASE ${name}`);
        throw error;
      }
    }
    const release = await turn();
    const transaction: Running = { committed: [], savepoints: 0 };
    let result: T;
    try {
      writer.exec('BEGIN IMMEDIATE');
      try {
        result = await running.run(transaction, work);
        writer.exec('COMMIT');
      } catch (error) {
        if (writer.inTransaction) writer.exec('ROLLBACK');
        throw error;
      }
    } finally {
      release();
    }
    committed();
    for (const callback of transaction.committed) callback();
    return result;
  };

  return {
    dialect: sqliteDialect,
    tables: schema as unknown as Tables,
    backup: (to) => writer.backup(to),
    readers: asQuery(reading),
    query: () => asQuery(running.current() ? writing : reading),
    write,
    async writeAlone(statement) {
      if (running.current()) return statement(asQuery(writing));
      const release = await turn();
      try {
        return await statement(asQuery(writing));
      } finally {
        committed();
        release();
      }
    },
    preparedForWrites(build) {
      let prepared: ReturnType<typeof build> | undefined;
      return () => {
        prepared ??= build(asQuery(writing));
        return prepared;
      };
    },
    inWrite: () => running.current() !== undefined,
    currentWrite: () => running.current(),
    afterCommit(callback) {
      const transaction = running.current();
      if (transaction) transaction.committed.push(callback);
      else callback();
    },
    async rolledBack(work) {
      await write(async () => {
        await work();
        throw ROLLED_BACK;
      }).catch((error) => {
        if (error !== ROLLED_BACK) throw error;
      });
    },
    dataVersion: () => dataVersion.get() as number,
    committedWrites: () => writes,
    async ping() {
      reader.prepare('select 1').get();
    },
    async close() {
      await checkpointer?.stop();
      reader.close();
      writer.close();
      if (scratch) rmSync(scratch, { recursive: true, force: true });
    },
  };
}
