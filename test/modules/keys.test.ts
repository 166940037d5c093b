import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import t from 'tap';
import { buildTestApp } from '../helpers/app.js';

t.test('keys: shown once, stored hashed, scoped, revoked at once', async (t) => {
  const { call, clock } = await buildTestApp(t);
  const created = await call('POST', '/v1/keys', { body: { name: 'importer', scopes: ['content:write'] } });
  t.equal(created.status, 201);
  t.equal(created.headers['cache-control'], 'no-store');
  t.match(created.json, { id: Number, name: 'importer', scopes: ['content:write'], lastUsedAt: null });
  const secret: string = created.json.key;
  t.match(secret, /^bsk_[A-Za-z0-9_-]{43}$/, '32 random bytes, base64url');
  t.ok(secret.startsWith(created.json.prefix));

  const listed = await call('GET', '/v1/keys');
  t.notOk(JSON.stringify(listed.json).includes(secret), 'the secret is never listed');
  t.notOk('key' in listed.json.data[0]);

  clock.advance(5000);
  const used = await call('POST', '/v1/tags', { key: secret, body: { name: 'x' } });
  t.equal(used.status, 201);
  t.equal((await call('GET', `/v1/keys/${created.json.id}`)).json.lastUsedAt, clock.now.toISOString());
  t.equal((await call('GET', '/v1/keys', { key: secret })).status, 403, 'content:write is not admin');

  t.equal((await call('DELETE', `/v1/keys/${created.json.id}`)).status, 204);
  const revoked = await call('POST', '/v1/tags', { key: secret, body: { name: 'y' } });
  t.equal(revoked.status, 401);
  t.match(revoked.headers['www-authenticate'], /error="invalid_token"/);
  t.equal(
    (await call('GET', '/v1/articles', { key: secret })).status,
    401,
    'a revoked key on a read is a 401, not anonymous',
  );
  t.equal((await call('DELETE', `/v1/keys/${created.json.id}`)).status, 404);
});

t.test('the database holds only a SHA-256 of each key', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'broadsheet-keys-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'keys.db');
  const { call, app } = await buildTestApp(t, { databaseFile: file });
  const created = await call('POST', '/v1/keys', { body: { name: 'n', scopes: ['admin'] } });
  await app.close();
  const sqlite = new Database(file, { readonly: true });
  t.teardown(() => sqlite.close());
  const rows = sqlite.prepare('select * from api_keys').all();
  t.notOk(JSON.stringify(rows).includes(created.json.key), 'no plaintext secret stored');
  t.match(rows, [{ hash: createHash('sha256').update(created.json.key).digest('hex') }]);
});

t.test('bad key requests', async (t) => {
  const { call } = await buildTestApp(t);
  t.equal((await call('POST', '/v1/keys', { body: { name: 'x', scopes: [] } })).status, 400);
  t.equal((await call('POST', '/v1/keys', { body: { name: 'x', scopes: ['root'] } })).status, 400);
  t.equal((await call('POST', '/v1/keys', { body: { name: 'x', scopes: ['admin', 'admin'] } })).status, 400);
  t.equal((await call('GET', '/v1/keys/abc')).status, 400);
  const malformed = await call('GET', '/v1/articles', { headers: { authorization: 'Basic abc' }, key: null });
  t.equal(malformed.status, 401);
  t.match(malformed.headers['www-authenticate'], /^Bearer realm="broadsheet"/);
});
