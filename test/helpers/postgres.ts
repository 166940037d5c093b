import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { Test } from 'tap';
import type { Database } from '../../src/db/database.js';
import { openPostgresDatabase } from '../../src/db/postgres/database.js';
import { openPostgres, type PostgresHandle } from '../../src/db/postgres/index.js';

/** The PostgreSQL the PostgreSQL tests use; .ci/run starts one (scripts/start-postgres.sh). */
export const postgresUrl = process.env.TEST_DATABASE_URL;

/** `skip` for tests that need PostgreSQL: they run where TEST_DATABASE_URL is set. */
export const needsPostgres = postgresUrl ? false : 'needs PostgreSQL: set TEST_DATABASE_URL (.ci/run does)';

export const uniqueSchemaName = (prefix: string) =>
  `${prefix}_${process.pid}_${randomBytes(4).toString('hex')}`;

/** A migrated store in a schema of its own, dropped when the test ends. */
export async function freshPostgres(t: Test): Promise<PostgresHandle & { schema: string }> {
  const schema = uniqueSchemaName('test');
  const handle = await openPostgres(postgresUrl as string, { schema, poolSize: 4 });
  t.teardown(async () => {
    await handle.pool.query(`drop schema ${schema} cascade`);
    await handle.close();
  });
  return { ...handle, schema };
}

/** A migrated store in a schema of its own, as repositories use it; dropped when the test ends. */
export async function freshPostgresStore(t: Test): Promise<Database> {
  const schema = uniqueSchemaName('test');
  const db = await openPostgresDatabase(postgresUrl as string, { schema, poolSize: 4 });
  t.teardown(async () => {
    await db.close();
    await dropSchema(schema);
  });
  return db;
}

/** Drops a schema and everything in it (after the app using it has closed). */
export async function dropSchema(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: postgresUrl });
  await client.connect();
  try {
    await client.query(`drop schema if exists ${schema} cascade`);
  } finally {
    await client.end();
  }
}

/** An empty database of its own (for what works on a whole database, such as the CLI), dropped after. */
export async function freshPostgresDatabase(t: Test): Promise<string> {
  const name = uniqueSchemaName('test_db');
  const admin = new pg.Client({ connectionString: postgresUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  t.teardown(async () => {
    await admin.query(`drop database ${name} with (force)`);
    await admin.end();
  });
  const url = new URL(postgresUrl as string);
  url.pathname = `/${name}`;
  return url.href;
}
