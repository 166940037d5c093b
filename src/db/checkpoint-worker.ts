/**
 * The checkpointer's thread (./checkpointer.ts): its own connection to the file, copying what the
 * write-ahead log holds into the database every `intervalMs`. PASSIVE takes what no reader still
 * needs and never waits, so neither the writer nor the readers ever wait for it.
 */
import { workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

const { file, intervalMs } = workerData as { file: string; intervalMs: number };
const connection = new Database(file);
setInterval(() => connection.pragma('wal_checkpoint(PASSIVE)'), intervalMs);
