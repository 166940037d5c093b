import t from 'tap';
import { buildTestApp } from '../helpers/app.js';

const articleCount = async (call: Awaited<ReturnType<typeof buildTestApp>>['call']) =>
  (await call('GET', '/v1/articles')).json.meta.total;

t.test('the same key and body replay the first response without writing again', async (t) => {
  const { call } = await buildTestApp(t);
  const headers = { 'idempotency-key': '"8e03978e-40d5-43e8-bc93-6894a57f9324"' };
  const first = await call('POST', '/v1/articles', { headers, body: { title: 'Once' } });
  t.equal(first.status, 201);
  t.notOk(first.headers['idempotent-replayed']);
  const again = await call('POST', '/v1/articles', { headers, body: { title: 'Once' } });
  t.equal(again.status, 201);
  t.equal(again.headers['idempotent-replayed'], 'true');
  t.equal(again.headers.location, first.headers.location);
  t.same(again.json, first.json);
  t.equal(await articleCount(call), 1, 'one article');

  const other = await call('POST', '/v1/articles', { headers, body: { title: 'Twice' } });
  t.match(other.json, { status: 422, type: /idempotency-key-reused$/ });
  const named = { 'idempotency-key': 'named' };
  t.equal((await call('POST', '/v1/tags', { headers: named, body: { name: 'Once' } })).status, 201);
  const elsewhere = await call('POST', '/v1/sections', { headers: named, body: { name: 'Once' } });
  t.equal(elsewhere.status, 422, 'the same body to another URL is another request');
  t.equal(await articleCount(call), 1);
});

t.test('keys belong to their client, last 24 hours, and errors are replayed too', async (t) => {
  const { call, clock } = await buildTestApp(t);
  const other = (await call('POST', '/v1/keys', { body: { name: 'other', scopes: ['content:write'] } })).json
    .key;
  const headers = { 'idempotency-key': 'k-1' };
  await call('POST', '/v1/articles', { headers, body: { title: 'Mine' } });
  const theirs = await call('POST', '/v1/articles', { key: other, headers, body: { title: 'Mine' } });
  t.equal(theirs.status, 201);
  t.notOk(theirs.headers['idempotent-replayed'], 'another client, another key space');
  t.equal(await articleCount(call), 2);
  clock.advance(25 * 3_600_000);
  const later = await call('POST', '/v1/articles', { headers, body: { title: 'Mine' } });
  t.notOk(later.headers['idempotent-replayed'], 'expired after 24 hours');
  t.equal(await articleCount(call), 3);

  const badHeaders = { 'idempotency-key': 'k-2' };
  const refused = await call('POST', '/v1/articles', {
    headers: badHeaders,
    body: { title: 'x', section: 'nowhere' },
  });
  t.equal(refused.status, 422);
  const replayed = await call('POST', '/v1/articles', {
    headers: badHeaders,
    body: { title: 'x', section: 'nowhere' },
  });
  t.equal(replayed.headers['idempotent-replayed'], 'true');
  t.same(replayed.json, refused.json);
  t.equal(
    (await call('POST', '/v1/articles', { headers: { 'idempotency-key': '' }, body: { title: 'x' } })).status,
    400,
  );
});

t.test('a duplicate while the first is still running is 409', async (t) => {
  const { call } = await buildTestApp(t);
  const headers = { 'idempotency-key': 'slow' };
  // A body over 16 KiB renders in the worker: the first request is in flight meanwhile.
  const body = { title: 'Long', body: 'word '.repeat(20_000) };
  const [first, second] = await Promise.all([
    call('POST', '/v1/articles', { headers, body }),
    call('POST', '/v1/articles', { headers, body }),
  ]);
  t.same([first.status, second.status].sort(), [201, 409]);
  const conflict = first.status === 409 ? first : second;
  t.match(conflict.json, { type: /idempotency-key-in-flight$/ });
  t.equal(await articleCount(call), 1);
  const retried = await call('POST', '/v1/articles', { headers, body });
  t.equal(retried.headers['idempotent-replayed'], 'true');
});

t.test('anonymous comments are idempotent per client address', async (t) => {
  const { call } = await buildTestApp(t);
  const article = await call('POST', '/v1/articles', { body: { title: 'Open', status: 'published' } });
  const comment = { authorName: 'R', authorEmail: 'r@example.org', body: 'Once only' };
  const headers = { 'idempotency-key': 'c-1' };
  const url = `/v1/articles/${article.json.id}/comments`;
  const first = await call('POST', url, { key: null, headers, body: comment });
  const second = await call('POST', url, { key: null, headers, body: comment });
  t.equal(first.status, 201);
  t.equal(second.status, 201, 'a replay, not a duplicate-comment refusal');
  t.equal(second.headers['idempotent-replayed'], 'true');
});

t.test('every POST documents Idempotency-Key', async (t) => {
  const { app } = await buildTestApp(t);
  const document = app.swagger() as unknown as {
    paths: Record<string, Record<string, { parameters?: { name: string; in: string }[]; responses: object }>>;
  };
  let posts = 0;
  for (const [path, operations] of Object.entries(document.paths)) {
    const post = operations.post;
    if (!post) continue;
    posts++;
    t.ok(
      post.parameters?.some((parameter) => parameter.in === 'header' && parameter.name === 'idempotency-key'),
      path,
    );
    t.ok('409' in post.responses && '422' in post.responses, `${path}: 409 and 422`);
  }
  t.ok(posts >= 8, `${posts} POST operations`);
});

t.test('a secret shown once is never stored for replays: new keys and webhook secrets', async (t) => {
  const { call } = await buildTestApp(t);
  const headers = { 'idempotency-key': 'secret-once' };
  const created = await call('POST', '/v1/keys', { headers, body: { name: 'ci', scopes: ['content:read'] } });
  t.match(created.json.key, /^bsk_/);
  const replayed = await call('POST', '/v1/keys', {
    headers,
    body: { name: 'ci', scopes: ['content:read'] },
  });
  t.equal(replayed.status, 201);
  t.equal(replayed.headers['idempotent-replayed'], 'true');
  t.equal(replayed.headers.location, created.headers.location);
  const { key: _secret, ...record } = created.json;
  t.same(replayed.json, record, 'the same key, without its secret');
  t.notOk(replayed.body.includes(created.json.key.slice(4)));
  await call('DELETE', `/v1/keys/${created.json.id}`);
  const afterRevoke = await call('POST', '/v1/keys', {
    headers,
    body: { name: 'ci', scopes: ['content:read'] },
  });
  t.notOk(afterRevoke.body.includes(created.json.key.slice(4)), 'nor after it was revoked');

  const hook = { 'idempotency-key': 'hook-once' };
  const webhook = await call('POST', '/v1/webhooks', {
    headers: hook,
    body: { url: 'http://127.0.0.1:9/hook', events: ['*'] },
  });
  t.match(webhook.json.secret, /^whsec_/);
  const again = await call('POST', '/v1/webhooks', {
    headers: hook,
    body: { url: 'http://127.0.0.1:9/hook', events: ['*'] },
  });
  t.equal(again.headers['idempotent-replayed'], 'true');
  t.equal(again.json.id, webhook.json.id);
  t.notOk('secret' in again.json);
  t.notOk(again.body.includes(webhook.json.secret.slice(6)));
});
