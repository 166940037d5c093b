import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import pg from 'pg';
import type { BenchDatabase } from './generate.js';

const cli = (databaseUrl: string, ...args: string[]) =>
  execFileSync(process.execPath, ['dist/cli.js', ...args], {
    env: { ...process.env, DATABASE_URL: databaseUrl, LOG_LEVEL: 'warn' },
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });

/**
 * The benchmark database on a PostgreSQL server: moved over from the SQLite file once (NDJSON
 * export and import, as a site would move, and a key of its own), kept as a template, and copied
 * for each run (writes must not leak into the next run).
 */
export async function postgresCopy(serverUrl: string, database: BenchDatabase, label: string) {
  const urlOf = (name: string) => {
    const url = new URL(serverUrl);
    url.pathname = `/${name}`;
    return url.href;
  };
  const template = `bench_${basename(database.file).replace(/\W/g, '_')}`;
  const keyFile = `${database.file}.postgres-key`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  const exists =
    ((await admin.query('select 1 from pg_database where datname = $1', [template])).rowCount ?? 0) > 0;
  if (!exists || !existsSync(keyFile)) {
    process.stderr.write(`moving ${database.file} to PostgreSQL (once)...\n`);
    await admin.query(`drop database if exists ${template} with (force)`);
    await admin.query(`create database ${template}`);
    const ndjson = `${database.file}.ndjson`;
    const started = Date.now();
    cli(`file:${database.file}`, 'export', 'ndjson', ndjson);
    cli(urlOf(template), 'import', 'ndjson', ndjson);
    rmSync(ndjson, { force: true });
    process.stderr.write(`imported in ${Math.round((Date.now() - started) / 1000)} s\n`);
    const printed = cli(urlOf(template), 'keys', 'create', '--name', 'bench', '--scope', 'admin');
    writeFileSync(keyFile, printed.trim().split('\n').at(-1) ?? '');
    // Fresh statistics for the planner, as autovacuum would have gathered by now on a live site.
    const tuning = new pg.Client({ connectionString: urlOf(template) });
    await tuning.connect();
    await tuning.query('vacuum analyze');
    await tuning.end();
  }
  // Lower case: PostgreSQL folds the unquoted name it is created with.
  const copy = `bench_run_${label.replace(/\W/g, '_').toLowerCase()}`;
  await admin.query(`drop database if exists ${copy} with (force)`);
  await admin.query(`create database ${copy} template ${template}`);
  return {
    url: urlOf(copy),
    database: { ...database, key: readFileSync(keyFile, 'utf8').trim() },
    async drop() {
      await admin.query(`drop database if exists ${copy} with (force)`);
      await admin.end();
    },
  };
}
