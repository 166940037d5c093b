import { fileURLToPath } from 'node:url';
import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import pg from 'pg';
import * as schema from './tables.js';

export type PgDb = NodePgDatabase<typeof schema>;

export interface PostgresHandle {
  pool: pg.Pool;
  db: PgDb;
  close(): Promise<void>;
}

// Resolved from this module so src/ (tsx) and dist/ (node) both find the committed folder.
export const POSTGRES_MIGRATIONS_FOLDER = fileURLToPath(
  new URL('../../../migrations-postgres', import.meta.url),
);

export interface PostgresOptions {
  /**
   * A schema to keep everything in (created if missing), migrations' own table included: tests
   * give each file a fresh one. Without it, the connection's search_path decides (`public`).
   */
  schema?: string;
  /** Connections in the pool (node-postgres' default is 10). */
  poolSize?: number;
}

/** Opens a connection pool on a PostgreSQL URL and applies pending migrations. */
export async function openPostgres(url: string, options: PostgresOptions = {}): Promise<PostgresHandle> {
  const { schema: schemaName } = options;
  if (schemaName !== undefined && !/^[a-z_][a-z0-9_]*$/.test(schemaName))
    throw new Error(`not a plain schema name: ${schemaName}`);
  const pool = new pg.Pool({
    connectionString: url,
    max: options.poolSize ?? 10,
    ...(schemaName ? { options: `-c search_path=${schemaName}` } : {}),
  });
  // An idle client losing its server (a restart, a failover) must not crash the process: the
  // pool drops it and the next query opens a new one.
  pool.on('error', () => {});
  try {
    if (schemaName) await pool.query(`create schema if not exists ${schemaName}`);
    const db = drizzle(pool, { schema });
    // Two processes starting together: the first to take the lock migrates, the other waits and
    // then finds nothing pending.
    const client = await pool.connect();
    try {
      await client.query('select pg_advisory_lock(hashtext(current_schema()))');
      await migrate(drizzle(client, { schema }), {
        migrationsFolder: POSTGRES_MIGRATIONS_FOLDER,
        ...(schemaName ? { migrationsSchema: schemaName } : {}),
      });
    } finally {
      await client.query('select pg_advisory_unlock_all()');
      client.release();
    }
    return { pool, db, close: () => pool.end() };
  } catch (error) {
    await pool.end();
    throw error;
  }
}

/** What `backup` (SQLite's online copy) answers on PostgreSQL. */
export const BACKUP_IS_SQLITE_ONLY =
  "DATABASE_URL: `backup` copies a SQLite file; on PostgreSQL, back up with pg_dump (or your provider's snapshots). migrate, keys, import and export work on both stores.";

/** A PostgreSQL URL fit for a log line: the password replaced. */
export function redactedUrl(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = '***';
  return parsed.href;
}
