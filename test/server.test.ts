import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { eventually } from './helpers/eventually.js';
import { postgresUrl } from './helpers/postgres.js';
import { sharedDatabaseUrl, startServer, stopServer as stop } from './helpers/server.js';

t.test('real server: bootstrap key once, data survives a restart, SIGTERM exits cleanly', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'broadsheet-server-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  // On SQLite, in a folder that does not exist yet.
  const env = {
    DATABASE_URL: postgresUrl ? await sharedDatabaseUrl(t) : `file:${join(dir, 'nested', 'broadsheet.db')}`,
  };

  const first = await startServer(t, env);
  const key = /\b(bsk_[A-Za-z0-9_-]{43})\b/.exec(first.output())?.[1];
  t.ok(key, 'the first start prints a bootstrap admin key');
  t.match(first.output(), /Swagger UI: http:\/\/127\.0\.0\.1:\d+\/docs/, 'start-up says where the docs are');
  t.equal((await fetch(`${first.baseUrl}/health`)).status, 200);
  t.equal((await fetch(`${first.baseUrl}/ready`)).status, 200);
  const created = await fetch(`${first.baseUrl}/v1/sections`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'Breaking News' }),
  });
  t.equal(created.status, 201);
  t.notMatch(
    first.output().replace(/No API keys yet[\s\S]*?\n\n {2}bsk_\S+\n/, ''),
    key ?? 'x',
    'key logged nowhere else',
  );
  t.equal(await stop(first), 0, 'SIGTERM: graceful exit 0');

  const second = await startServer(t, env);
  t.notMatch(second.output(), /bsk_/, 'no second bootstrap key');
  const read = await fetch(`${second.baseUrl}/v1/sections/breaking-news`);
  t.equal(read.status, 200, 'data survived the restart');
  const authed = await fetch(`${second.baseUrl}/v1/keys`, { headers: { authorization: `Bearer ${key}` } });
  t.not(authed.status, 401, 'the bootstrap key still works');
  t.equal(await stop(second), 0);
});

t.test('nodes starting together on one new database print one bootstrap key between them', async (t) => {
  const env = { DATABASE_URL: await sharedDatabaseUrl(t) };
  const nodes = await Promise.all([startServer(t, env), startServer(t, env), startServer(t, env)]);
  const keys = nodes.flatMap((node) => node.output().match(/\bbsk_[A-Za-z0-9_-]{43}\b/g) ?? []);
  t.equal(keys.length, 1, 'one key, printed by one node');
  for (const node of nodes) {
    const authed = await fetch(`${node.baseUrl}/v1/keys`, {
      headers: { authorization: `Bearer ${keys[0]}` },
    });
    t.equal(authed.status, 200, 'every node accepts it');
  }
  await Promise.all(nodes.map((node) => stop(node)));
});

t.test('bad configuration stops the server with a clear message', async (t) => {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    env: { ...process.env, PORT: 'eighty', DATABASE_URL: 'mysql://localhost/x' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  const code = await new Promise((resolve) => child.on('exit', resolve));
  t.equal(code, 1);
  t.match(stderr, /PORT: must be integer/);
  t.match(stderr, /DATABASE_URL: unsupported scheme/);
});

t.test('an unreachable PostgreSQL stops the server with one clear line, password left out', async (t) => {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    env: { ...process.env, PORT: '0', DATABASE_URL: 'postgres://app:hunter2secret@127.0.0.1:1/news' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  for (const stream of [child.stdout, child.stderr]) stream.on('data', (chunk) => (output += chunk));
  const code = await new Promise((resolve) => child.on('exit', resolve));
  t.equal(code, 1);
  t.match(
    output,
    /^DATABASE_URL: cannot open PostgreSQL at postgres:\/\/app:\*\*\*@127\.0\.0\.1:1\/news \(.*ECONNREFUSED.*\)\n$/,
  );
  t.notMatch(output, /hunter2secret/);
});

t.test('SIGTERM exits within the drain even when a request never finishes', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'broadsheet-drain-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const server = await startServer(t, {
    DATABASE_URL: `file:${join(dir, 'db.sqlite')}`,
    SHUTDOWN_DRAIN_MS: '500',
  });
  const { port } = new URL(server.baseUrl);
  // A request whose body never arrives: it stays in flight until the process goes.
  const socket = connect(Number(port), '127.0.0.1');
  t.teardown(() => socket.destroy());
  socket.on('error', () => {});
  await new Promise((resolve) => socket.once('connect', resolve));
  socket.write(
    'POST /v1/sections HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"na',
  );
  t.ok(await eventually(() => server.output().includes('/v1/sections')), 'the request is in flight');
  t.equal(await stop(server), 1, 'exits (1) once the drain runs out, instead of waiting forever');
  t.match(server.output(), /drain timed out/);
});
