import type { Test } from 'tap';
import { openSqliteDatabase } from '../../src/db/sqlite.js';
import { DomainError } from '../../src/lib/errors.js';
import type { StoreRepositories } from '../../src/modules/services.js';
import { createRepositories } from '../../src/services.js';
import { testConfig } from './config.js';
import { freshPostgresStore } from './postgres.js';

/** What both stores answer: their repositories. */
export type Store = StoreRepositories;

export const PARITY_NOW = new Date('2026-01-15T12:00:00.000Z');

/** A fresh SQLite store and a fresh PostgreSQL one (a schema of its own), on the same clock. */
async function bothStores(t: Test): Promise<{ sqlite: Store; postgres: Store }> {
  const now = () => PARITY_NOW;
  const sqliteDb = openSqliteDatabase(':memory:');
  t.teardown(() => sqliteDb.close());
  const options = { media: testConfig().media };
  const sqlite = await createRepositories(sqliteDb, now, options);
  return { sqlite, postgres: await createRepositories(await freshPostgresStore(t), now, options) };
}

export type Step = (label: string, work: () => Promise<unknown>) => Promise<void>;

/**
 * Runs one scenario on each store and checks that every step answers the same: the value it
 * returns, or the domain error it throws (kind, code, message).
 */
export async function sameOnBothStores(
  t: Test,
  scenario: (store: Store, step: Step) => Promise<void>,
): Promise<void> {
  const stores = await bothStores(t);
  const transcripts: Record<'sqlite' | 'postgres', [string, unknown][]> = { sqlite: [], postgres: [] };
  for (const name of ['sqlite', 'postgres'] as const) {
    await scenario(stores[name], async (label, work) => {
      try {
        transcripts[name].push([label, await work()]);
      } catch (error) {
        if (!(error instanceof DomainError)) throw error;
        transcripts[name].push([label, { kind: error.kind, code: error.code, message: error.message }]);
      }
    });
  }
  t.equal(transcripts.postgres.length, transcripts.sqlite.length, 'as many steps on each');
  for (const [index, [label, expected]] of transcripts.sqlite.entries()) {
    t.strictSame(transcripts.postgres[index]?.[1], expected, label);
  }
}
