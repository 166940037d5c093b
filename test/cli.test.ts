import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { buildTestApp } from './helpers/app.js';

// The CLI on SQLite files (backup is SQLite's own). On PostgreSQL: test/db/postgres.test.ts,
// test/modules/transfer-postgres.test.ts, and transfer.test.ts with TEST_DATABASE_URL.

const cli = (args: string[], env: Record<string, string>) =>
  spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], {
    env: { ...process.env, ...env },
    encoding: 'utf8',
  });

t.test('npm run migrate and npm run keys', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'broadsheet-cli-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'cli.db');
  const env = { DATABASE_URL: `file:${file}` };

  const migrated = cli(['migrate'], env);
  t.equal(migrated.status, 0);
  t.match(migrated.stdout, /migrated/);

  const created = cli(['keys', 'create', '--name', 'ci', '--scope', 'content:write'], env);
  t.equal(created.status, 0, created.stderr);
  const key = /^(bsk_\S+)$/m.exec(created.stdout)?.[1];
  t.ok(key, 'the key is printed');

  const { call } = await buildTestApp(t, { databaseFile: file });
  t.equal(
    (await call('POST', '/v1/tags', { key: key ?? '', body: { name: 'from-cli' } })).status,
    201,
    'the key works',
  );

  const listed = cli(['keys', 'list'], env);
  t.match(listed.stdout, /ci\tcontent:write/);
  t.notMatch(listed.stdout, key ?? 'x', 'lists never show secrets');
  t.equal(cli(['keys', 'create', '--name', 'x', '--scope', 'root'], env).status, 2, 'unknown scope');
  t.equal(cli(['keys', 'revoke', '1'], env).status, 0);
  t.equal((await call('GET', '/v1/tags', { key: key ?? '' })).status, 401, 'revoked at once');
  t.equal(cli(['nonsense'], env).status, 2);
});
