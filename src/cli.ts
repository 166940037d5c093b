import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { ConfigError, loadConfig } from './config.js';
import { openDatabase } from './db/index.js';
import { API_SCOPES, createKeysRepository, type Scope } from './modules/keys/repository.js';

const usage = `Usage:
  broadsheet migrate                                    apply pending migrations to DATABASE_URL
  broadsheet keys create --name NAME --scope SCOPE...   make an API key (printed once)
  broadsheet keys list                                  list keys (never their secrets)
  broadsheet keys revoke ID                             revoke a key at once
  broadsheet backup FILE                                consistent online copy (SQLite backup API)
Scopes: ${API_SCOPES.join(', ')}`;

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
    },
  });
  const [command, subcommand, argument] = positionals;
  if (values.help || !command) {
    print(usage);
    return command ? 0 : 2;
  }
  const config = loadConfig(env);
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
    if (command === 'keys') {
      const keys = createKeysRepository(db, () => new Date());
      if (subcommand === 'create') {
        const scopes = values.scope ?? [];
        const unknown = scopes.filter((scope) => !API_SCOPES.includes(scope as Scope));
        if (!values.name || scopes.length === 0 || unknown.length > 0) {
          print(unknown.length > 0 ? `unknown scope: ${unknown.join(', ')}\n${usage}` : usage);
          return 2;
        }
        const created = keys.create(values.name, scopes as Scope[]);
        print(
          `created key ${created.id} "${created.name}" [${created.scopes.join(' ')}]. Store it now, it is not shown again:`,
        );
        print(created.key);
        return 0;
      }
      if (subcommand === 'list') {
        for (const key of keys.list(1, 100).items) {
          print(
            `${key.id}\t${key.prefix}…\t${key.name}\t${key.scopes.join(' ')}\tlast used ${key.lastUsedAt ?? 'never'}`,
          );
        }
        return 0;
      }
      if (subcommand === 'revoke' && argument && /^\d+$/.test(argument)) {
        const revoked = keys.revoke(Number(argument));
        print(revoked ? `revoked key ${argument}` : `no key ${argument}`);
        return revoked ? 0 : 1;
      }
    }
    print(usage);
    return 2;
  } finally {
    sqlite.close();
  }
}

try {
  process.exitCode = await runCli(process.argv.slice(2), process.env, (line) =>
    process.stdout.write(`${line}\n`),
  );
} catch (error) {
  if (!(error instanceof ConfigError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')))
    throw error;
  process.stderr.write(`${(error as Error).message}\n`);
  process.exitCode = 2;
}
