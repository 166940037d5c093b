import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { ConfigError, loadConfig } from './config.js';
import { type Asynchronous, asynchronous } from './db/asynchronous.js';
import { createContentStateRepository } from './db/content-state.js';
import { exclusiveTransaction } from './db/helpers.js';
import { openDatabase } from './db/index.js';
import { BACKUP_IS_SQLITE_ONLY, openPostgres, redactedUrl } from './db/postgres/index.js';
import { rolledBack, writeTransaction } from './db/postgres/transaction.js';
import {
  API_SCOPES,
  createKeysRepository,
  type KeysRepository,
  type Scope,
} from './modules/keys/repository.js';
import { createPostgresKeysRepository } from './modules/keys/repository.postgres.js';
import { importMarkdown } from './modules/transfer/markdown-import.js';
import { exportNdjson, importNdjson } from './modules/transfer/ndjson.js';
import { postgresNdjsonSource, postgresNdjsonTarget } from './modules/transfer/ndjson-postgres.js';
import { sqliteNdjsonSource, sqliteNdjsonTarget } from './modules/transfer/ndjson-sqlite.js';
import { ImportReport, UnreadableInput } from './modules/transfer/report.js';
import { importWordpress } from './modules/transfer/wordpress-import.js';
import { createServices, type ImportServices } from './services.js';
import { createPostgresServices } from './services.postgres.js';

const usage = `Usage:
  broadsheet migrate                                    apply pending migrations to DATABASE_URL
  broadsheet keys create --name NAME --scope SCOPE...   make an API key (printed once)
  broadsheet keys list                                  list keys (never their secrets)
  broadsheet keys revoke ID                             revoke a key at once
  broadsheet backup FILE                                consistent online copy (SQLite backup API)
  broadsheet import wordpress FILE [--pages] [--dry-run] a WordPress export (WXR); --pages imports pages too
  broadsheet import markdown DIR [--dry-run]            every .md file under DIR (YAML front matter)
  broadsheet import ndjson FILE [--dry-run]             restore an export, items under their ids
  broadsheet export ndjson FILE                         everything but keys and webhooks, one JSON a line
Scopes: ${API_SCOPES.join(', ')}
On PostgreSQL (DATABASE_URL=postgres://...): migrate, import ndjson and export ndjson.`;

/** Runs one command; returns the process exit code. Output goes through `print`. */
async function runCli(
  argv: string[],
  env: NodeJS.ProcessEnv,
  print: (line: string) => void,
): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      name: { type: 'string' },
      scope: { type: 'string', multiple: true },
      help: { type: 'boolean' },
      'dry-run': { type: 'boolean' },
      pages: { type: 'boolean' },
    },
  });
  const [command, subcommand, argument] = positionals;
  if (values.help || !command) {
    print(usage);
    return command ? 0 : 2;
  }
  const config = loadConfig(env);
  if (config.postgresUrl) return await runOnPostgres(positionals, config, print, values);
  // Opening the database applies pending migrations.
  const { sqlite, db } = openDatabase(config.databaseFile);
  try {
    if (command === 'migrate') {
      print(`migrated ${config.databaseFile}`);
      return 0;
    }
    if (command === 'backup' && subcommand) {
      // Page by page while the server keeps writing; the copy is one consistent snapshot.
      const { totalPages } = await sqlite.backup(subcommand);
      const check = new Database(subcommand, { readonly: true });
      const integrity = check.pragma('integrity_check', { simple: true });
      check.close();
      print(
        `backed up ${config.databaseFile} to ${subcommand} (${totalPages} pages, integrity ${integrity})`,
      );
      return integrity === 'ok' ? 0 : 1;
    }
    if (command === 'export' && subcommand === 'ndjson' && argument) {
      print(exported(await exportNdjson(sqliteNdjsonSource(db), argument), argument));
      return 0;
    }
    const formats = ['markdown', 'ndjson', 'wordpress'] as const;
    const format = formats.find((candidate) => candidate === subcommand);
    if (command === 'import' && format && argument) {
      return await runImport(format, argument, {
        db,
        sqlite,
        config,
        print,
        dryRun: values['dry-run'] ?? false,
        pages: values.pages ?? false,
      });
    }
    if (command === 'keys') {
      return await runKeys(
        asynchronous(createKeysRepository(db, () => new Date())),
        positionals,
        values,
        print,
      );
    }
    print(usage);
    return 2;
  } finally {
    sqlite.close();
  }
}

/** `keys create|list|revoke`, on either store. */
async function runKeys(
  keys: Asynchronous<KeysRepository>,
  [, subcommand, argument]: string[],
  values: { name?: string; scope?: string[] },
  print: (line: string) => void,
): Promise<number> {
  if (subcommand === 'create') {
    const scopes = values.scope ?? [];
    const unknown = scopes.filter((scope) => !API_SCOPES.includes(scope as Scope));
    if (!values.name || scopes.length === 0 || unknown.length > 0) {
      print(unknown.length > 0 ? `unknown scope: ${unknown.join(', ')}\n${usage}` : usage);
      return 2;
    }
    const created = await keys.create(values.name, scopes as Scope[]);
    print(
      `created key ${created.id} "${created.name}" [${created.scopes.join(' ')}]. Store it now, it is not shown again:`,
    );
    print(created.key);
    return 0;
  }
  if (subcommand === 'list') {
    for (const key of (await keys.list(1, 100)).items) {
      print(
        `${key.id}\t${key.prefix}…\t${key.name}\t${key.scopes.join(' ')}\tlast used ${key.lastUsedAt ?? 'never'}`,
      );
    }
    return 0;
  }
  if (subcommand === 'revoke' && argument && /^\d+$/.test(argument)) {
    const revoked = await keys.revoke(Number(argument));
    print(revoked ? `revoked key ${argument}` : `no key ${argument}`);
    return revoked ? 0 : 1;
  }
  print(usage);
  return 2;
}

const exported = (counts: Record<string, number>, file: string) =>
  `exported ${Object.entries(counts)
    .map(([kind, n]) => `${n} ${kind}s`)
    .join(', ')} to ${file}`;

/** On PostgreSQL: migrate, keys, the imports, and NDJSON export (moving a site over from SQLite). */
async function runOnPostgres(
  positionals: string[],
  config: ReturnType<typeof loadConfig>,
  print: (line: string) => void,
  values: { name?: string; scope?: string[]; 'dry-run'?: boolean; pages?: boolean },
): Promise<number> {
  const [command, subcommand, argument] = positionals;
  const url = config.postgresUrl as string;
  const dryRun = values['dry-run'] ?? false;
  const importable = subcommand === 'markdown' || subcommand === 'wordpress';
  if (command === 'backup') throw new ConfigError(BACKUP_IS_SQLITE_ONLY);
  const known =
    command === 'migrate' ||
    command === 'keys' ||
    (command === 'import' && importable && argument) ||
    ((command === 'export' || command === 'import') && subcommand === 'ndjson' && argument);
  if (!known) {
    print(usage);
    return 2;
  }
  const store = await openPostgres(url);
  try {
    if (command === 'migrate') print(`migrated ${redactedUrl(url)}`);
    else if (command === 'keys')
      return await runKeys(
        createPostgresKeysRepository(store.db, () => new Date()),
        positionals,
        values,
        print,
      );
    else if (command === 'export')
      print(
        exported(await exportNdjson(postgresNdjsonSource(store.db), argument as string), argument as string),
      );
    else if (importable) {
      const { renderTimeoutMs, site } = config;
      const services = await createPostgresServices(store.db, () => new Date(), { renderTimeoutMs, site });
      const report = new ImportReport(print, process.stdout.isTTY === true);
      const format = subcommand === 'markdown' ? 'markdown' : 'wordpress';
      const job = { format, source: argument as string, report, pages: values.pages ?? false } as const;
      const transaction = <T>(work: () => Promise<T>) => writeTransaction(store.db, work);
      const work = () => importThrough({ ...services, transaction }, job);
      // A dry run does it all in one transaction that it then rolls back.
      if (dryRun) await rolledBack(store.db, work);
      else await work();
      return finish(report, print, dryRun);
    } else {
      const report = new ImportReport(print, process.stdout.isTTY === true);
      await importNdjson(
        await postgresNdjsonTarget(store.pool, () => new Date(), { dryRun }),
        argument as string,
        report,
      );
      return finish(report, print, dryRun);
    }
    return 0;
  } finally {
    await store.close();
  }
}

interface ImportRun {
  db: ReturnType<typeof openDatabase>['db'];
  sqlite: Database.Database;
  config: ReturnType<typeof loadConfig>;
  print: (line: string) => void;
  dryRun: boolean;
  pages: boolean;
}

/** An import through the API's own services; a dry run does it all in a transaction it rolls back. */
async function runImport(
  format: 'markdown' | 'ndjson' | 'wordpress',
  source: string,
  run: ImportRun,
): Promise<number> {
  const now = () => new Date();
  const { renderTimeoutMs, site } = run.config;
  const report = new ImportReport(run.print, process.stdout.isTTY === true);
  if (run.dryRun) run.sqlite.exec('BEGIN IMMEDIATE');
  try {
    if (format === 'ndjson') {
      const target = sqliteNdjsonTarget(run, createContentStateRepository(run.db), now);
      await importNdjson(target, source, report);
    } else {
      const services = createServices(run.db, now, { renderTimeoutMs, site });
      await importThrough(
        { ...services, transaction: (work) => exclusiveTransaction(run.sqlite, work) },
        {
          format,
          source,
          report,
          pages: run.pages,
        },
      );
    }
  } finally {
    if (run.dryRun) run.sqlite.exec('ROLLBACK');
  }
  return finish(report, run.print, run.dryRun);
}

/** A Markdown folder or a WordPress export, through the services of either store. */
async function importThrough(
  services: ImportServices,
  job: { format: 'markdown' | 'wordpress'; source: string; report: ImportReport; pages: boolean },
): Promise<void> {
  try {
    if (job.format === 'markdown') await importMarkdown(services, job.source, job.report);
    else await importWordpress(services, job.source, job.report, { pages: job.pages });
  } finally {
    await services.renderer.close();
  }
}

function finish(report: ImportReport, print: (line: string) => void, dryRun: boolean): number {
  for (const line of report.summary()) print(line);
  if (dryRun) print('dry run: nothing was written');
  return report.failed ? 1 : 0;
}

try {
  process.exitCode = await runCli(process.argv.slice(2), process.env, (line) =>
    process.stdout.write(`${line}\n`),
  );
} catch (error) {
  if (error instanceof UnreadableInput) {
    process.stderr.write(`${error.message}\n`);
    process.exitCode = 1;
  } else if (
    error instanceof ConfigError ||
    (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')
  ) {
    process.stderr.write(`${(error as Error).message}\n`);
    process.exitCode = 2;
  } else throw error;
}
