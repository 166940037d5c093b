import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { type BetterSQLite3Database, drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import * as schema from './tables.js';

export type Db = BetterSQLite3Database<typeof schema>;

export interface DatabaseHandle {
  /** The raw better-sqlite3 handle: pragmas, backups, closing. */
  sqlite: Database.Database;
  db: Db;
}

// Resolved from this module so src/ (tsx) and dist/ (node) both find the committed folder.
export const MIGRATIONS_FOLDER = fileURLToPath(new URL('../../migrations', import.meta.url));

/** The settings every connection runs with (the benchmark's reference server uses them too). */
export function applyPragmas(sqlite: Database.Database): void {
  // WAL lets readers run beside the writer; NORMAL sync is durable across process crashes
  // (the WAL is fsynced at checkpoints), and a busy timeout rides out a second process's write.
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  // Reads are most of the work: map the file (up to 1 GiB) instead of a read() per page, and
  // keep 64 MiB of pages per connection.
  sqlite.pragma('mmap_size = 1073741824');
  sqlite.pragma('cache_size = -65536');
  sqlite.pragma('temp_store = MEMORY');
  // Deleted means deleted: what a purge removes is zeroed in its page where that costs no extra I/O.
  sqlite.pragma('secure_delete = FAST');
}

/**
 * Opens (creating if needed) the SQLite file, sets the pragmas every connection needs and
 * applies pending migrations.
 */
export function openDatabase(file: string, migrationsFolder = MIGRATIONS_FOLDER): DatabaseHandle {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const sqlite = new Database(file);
  applyPragmas(sqlite);
  const db = drizzle(sqlite, { schema });
  try {
    migrate(db, { migrationsFolder });
  } catch {
    // Processes starting together on a new file: each read "nothing applied yet" before the
    // first one's migrations committed, and the second's then failed on what they created. Once
    // more, it finds them applied and does nothing; a migration that truly fails fails again.
    migrate(db, { migrationsFolder });
  }
  return { sqlite, db };
}
