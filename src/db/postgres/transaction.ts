import { sql } from 'drizzle-orm';
import { createWriteContext } from '../write-context.js';
import type { PgDb } from './index.js';

/** A transaction, with the same query API as the pool's database. */
export type PgTransaction = Parameters<Parameters<PgDb['transaction']>[0]>[0];
export type PgExecutor = PgDb | PgTransaction;

interface Running {
  tx: PgTransaction;
  /** Run once the outermost transaction has committed. */
  committed: (() => void)[];
}

const current = createWriteContext<Running>();

/**
 * What a repository query runs on: the transaction this call is part of, or the pool. Lets
 * repositories call each other inside one transaction, as SQLite's do, without passing it along.
 */
export const executor = (db: PgDb): PgExecutor => current.current()?.tx ?? db;

/**
 * Whether this call runs inside a write transaction. Prepared statements run on the pool, so
 * a hot read may use one only outside: inside, it must see the transaction's own writes.
 */
export const inTransaction = (): boolean => current.current() !== undefined;

/**
 * The outermost transaction this call runs in, through its savepoints (which share its
 * `committed` list): undefined outside one.
 */
export const currentWrite = (): object | undefined => current.current()?.committed;

/** Calls `callback` once the transaction this call runs in commits (at once outside one). */
export function afterCommit(callback: () => void): void {
  const running = current.current();
  if (running) running.committed.push(callback);
  else callback();
}

/**
 * One write transaction. It first locks content_state's row, which every writer in every
 * process updates: writers run one after another, as SQLite's BEGIN IMMEDIATE makes them, so
 * slug checks, versions, If-Match and the event log's commit order hold exactly as there.
 * Called inside another, it is a savepoint (a failure undoes only itself), as on SQLite.
 */
export async function writeTransaction<T>(db: PgDb, work: () => Promise<T>): Promise<T> {
  const outer = current.current();
  if (outer) return outer.tx.transaction((savepoint) => current.within({ ...outer, tx: savepoint }, work));
  const committed: (() => void)[] = [];
  const result = await db.transaction(async (tx) => {
    await tx.execute(sql`select 1 from content_state where id = 1 for update`);
    return current.run({ tx, committed }, work);
  });
  for (const callback of committed) callback();
  return result;
}

const ROLLED_BACK = Symbol('rolled back');

/** Runs `work` in one write transaction and undoes it all: a dry run. */
export async function rolledBack(db: PgDb, work: () => Promise<unknown>): Promise<void> {
  try {
    await writeTransaction(db, async () => {
      await work();
      throw ROLLED_BACK;
    });
  } catch (error) {
    if (error !== ROLLED_BACK) throw error;
  }
}
