import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { type Config, ConfigError, loadConfig } from './config.js';
import { BACKUP_IS_SQLITE_ONLY, redactedUrl } from './db/postgres/index.js';
import { API_SCOPES, type KeysRepository, type Scope } from './modules/keys/repository.js';
import type { Services } from './modules/services.js';
import { importMarkdown } from './modules/transfer/markdown-import.js';
import { exportNdjson, importNdjson } from './modules/transfer/ndjson.js';
import { ndjsonSource, ndjsonTarget } from './modules/transfer/ndjson-store.js';
import { ImportReport, UnreadableInput } from './modules/transfer/report.js';
import { importWordpress } from './modules/transfer/wordpress-import.js';
import { openStore, type Store } from './store.js';

const usage = `Usage:
  broadsheet migrate                                    apply pending migrations to DATABASE_URL
  broadsheet keys create --name NAME --scope SCOPE...   make an API key (printed once)
  broadsheet keys list                                  list keys (never their secrets)
  broadsheet keys revoke ID                             revoke a key at once
  broadsheet backup FILE                                consistent online copy (SQLite backup API)
  broadsheet import wordpress FILE [--pages] [--uploads DIR] [--dry-run]
                                                        a WordPress export (WXR); --pages imports pages too;
                                                        --uploads wp-content/uploads: images become media
  broadsheet import markdown DIR [--dry-run]            every .md file under DIR (YAML front matter)
  broadsheet import ndjson FILE [--dry-run]             restore an export, items under their ids
  broadsheet export ndjson FILE                         everything but keys and webhooks, one JSON a line
Scopes: ${API_SCOPES.join(', ')}
Every command works on PostgreSQL (DATABASE_URL=postgres://...) but backup: use pg_dump there.`;

type Values = { name?: string; scope?: string[]; 'dry-run'?: boolean; pages?: boolean; uploads?: string };

const IMPORT_FORMATS = ['markdown', 'ndjson', 'wordpress'] as const;

/** Whether the command line names a command (the store is opened only then). */
function isCommand([command, subcommand, argument]: string[]): boolean {
  if (command === 'migrate' || command === 'keys') return true;
  if (command === 'backup') return subcommand !== undefined;
  if (command === 'export') return subcommand === 'ndjson' && argument !== undefined;
  if (command === 'import')
    return IMPORT_FORMATS.some((format) => format === subcommand) && argument !== undefined;
  return false;
}

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
      uploads: { type: 'string' },
      pages: { type: 'boolean' },
    },
  });
  const [command] = positionals;
  if (values.help || !command || !isCommand(positionals)) {
    print(usage);
    return values.help ? 0 : 2;
  }
  const config = loadConfig(env);
  // Refused before anything opens: backup is SQLite's.
  if (command === 'backup' && config.postgresUrl) throw new ConfigError(BACKUP_IS_SQLITE_ONLY);
  // Opening the store applies pending migrations, as the server's start does.
  const { renderTimeoutMs, site, media } = config;
  const store = await openStore(config, () => new Date(), { renderTimeoutMs, site, media });
  try {
    return await runCommand(store, positionals, values, config, print);
  } finally {
    await store.services.renderer.close();
    await store.close();
  }
}

async function runCommand(
  store: Store,
  positionals: string[],
  values: Values,
  config: Config,
  print: (line: string) => void,
): Promise<number> {
  const [command, subcommand, argument] = positionals as [string, string, string];
  if (command === 'migrate') {
    print(`migrated ${config.postgresUrl ? redactedUrl(config.postgresUrl) : config.databaseFile}`);
    if (store.rerendered > 0) print(`re-rendered ${store.rerendered} article bodies`);
    if (store.bylinesAdopted > 0) print(`linked ${store.bylinesAdopted} articles' bylines to authors`);
    return 0;
  }
  if (command === 'keys') return runKeys(store.services.keys, positionals, values, print);
  if (command === 'backup') return backup(store, subcommand, config, print);
  if (command === 'export') {
    print(exported(await exportNdjson(ndjsonSource(store.db), argument), argument));
    return 0;
  }
  const report = new ImportReport(print, process.stdout.isTTY === true);
  const dryRun = values['dry-run'] ?? false;
  const work =
    subcommand === 'ndjson'
      ? () =>
          importNdjson(
            ndjsonTarget(
              store.db,
              store.services.contentState,
              () => new Date(),
              () => store.services.authors.adoptLegacyBylines(new Date().toISOString()),
            ),
            argument,
            report,
          )
      : () =>
          importThrough(store.services, {
            format: subcommand === 'markdown' ? 'markdown' : 'wordpress',
            source: argument,
            report,
            pages: values.pages ?? false,
            uploads: values.uploads,
          });
  // A dry run does it all in one transaction that it then rolls back.
  if (dryRun) await store.db.rolledBack(work);
  else await work();
  for (const line of report.summary()) print(line);
  if (dryRun) print('dry run: nothing was written');
  return report.failed ? 1 : 0;
}

/** SQLite's online backup: page by page while the server keeps writing, one consistent snapshot. */
async function backup(store: Store, file: string, config: Config, print: (line: string) => void) {
  if (!store.db.backup) throw new ConfigError(BACKUP_IS_SQLITE_ONLY);
  const { totalPages } = await store.db.backup(file);
  const check = new Database(file, { readonly: true });
  const integrity = check.pragma('integrity_check', { simple: true });
  check.close();
  print(`backed up ${config.databaseFile} to ${file} (${totalPages} pages, integrity ${integrity})`);
  return integrity === 'ok' ? 0 : 1;
}

/** `keys create|list|revoke`, on either store. */
async function runKeys(
  keys: KeysRepository,
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
    .map(([kind, n]) => `${n} ${kind}${n === 1 || kind === 'media' ? '' : 's'}`)
    .join(', ')} to ${file}`;

/** A Markdown folder or a WordPress export, through the services of either store. */
async function importThrough(
  services: Services,
  job: {
    format: 'markdown' | 'wordpress';
    source: string;
    report: ImportReport;
    pages: boolean;
    uploads: string | undefined;
  },
): Promise<void> {
  if (job.format === 'markdown') await importMarkdown(services, job.source, job.report);
  else await importWordpress(services, job.source, job.report, { pages: job.pages, uploads: job.uploads });
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
