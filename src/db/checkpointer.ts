import { Worker } from 'node:worker_threads';
import type Database from 'better-sqlite3';

/** Pages of write-ahead log at which SQLite's COMMIT copies it into the database by default. */
const SQLITE_DEFAULT_PAGES = 1000;

/** Where the writer copies the log itself while the thread runs: a backstop for a thread that falls behind. */
const BACKSTOP_PAGES = 10_000;

// Run from src/ (tests, tsx) the worker is TypeScript; built, JavaScript beside this module.
const WORKER = new URL(
  import.meta.url.endsWith('.ts') ? './checkpoint-worker.ts' : './checkpoint-worker.js',
  import.meta.url,
);

/**
 * Copies SQLite's write-ahead log into the database file from a thread of its own. By default
 * SQLite does it inside the COMMIT that takes the log past 1,000 pages: an article create writes
 * about 50, so every twentieth create paid for a 4 MB copy and two fsyncs, 7–14 ms of the event
 * loop in which no request moved (nearly two thirds of all the time COMMITs took under load). The thread's
 * passive checkpoints wait for nobody and block nobody; the writer keeps a backstop
 * (`BACKSTOP_PAGES`). If the thread fails, the writer goes back to SQLite's default.
 */
export function startCheckpointer(file: string, writer: Database.Database, intervalMs = 100) {
  const worker = new Worker(WORKER, { workerData: { file, intervalMs } });
  // A process that stops serving need not wait for it.
  worker.unref();
  writer.pragma(`wal_autocheckpoint = ${BACKSTOP_PAGES}`);
  worker.on('error', () => {
    if (writer.open) writer.pragma(`wal_autocheckpoint = ${SQLITE_DEFAULT_PAGES}`);
  });
  return {
    async stop() {
      await worker.terminate();
    },
  };
}
