import Database from 'better-sqlite3';
import { sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import t from 'tap';
import { buildApp } from '../../src/app.js';
import { buildTestApp } from '../helpers/app.js';
import { testConfig } from '../helpers/config.js';
import { freshPostgres, postgresUrl } from '../helpers/postgres.js';

const PROBLEM = 'application/problem+json; charset=utf-8';

t.test('validation names every bad field; unknown fields are refused, never stripped', async (t) => {
  const { call } = await buildTestApp(t);
  const bad = await call('POST', '/v1/articles', {
    body: { title: '', status: 'live', colour: 'red', tags: 'x' },
  });
  t.equal(bad.status, 400);
  t.equal(bad.headers['content-type'], PROBLEM);
  t.equal(bad.headers['cache-control'], 'no-store');
  const paths = bad.json.errors.map((e: { path: string }) => e.path);
  for (const path of ['/body/title', '/body/status', '/body/colour', '/body/tags'])
    t.ok(paths.includes(path), path);
  t.ok(
    bad.json.errors.some(
      (e: { path: string; message: string }) =>
        e.path === '/body/colour' && e.message === 'is not a known field',
    ),
  );
  const missing = await call('POST', '/v1/articles', { body: {} });
  t.same(missing.json.errors, [{ path: '/body/title', message: 'is required' }]);
  const coerced = await call('POST', '/v1/articles', { body: { title: 12 } });
  t.equal(coerced.status, 400, 'JSON bodies are not coerced');
});

t.test('media types, malformed JSON and size limits', async (t) => {
  const { call } = await buildTestApp(t, { bodyLimit: 2048 });
  const text = await call('POST', '/v1/tags', { body: 'name=x', headers: { 'content-type': 'text/plain' } });
  t.equal(text.status, 415);
  t.equal(text.headers['content-type'], PROBLEM);
  const form = await call('POST', '/v1/tags', {
    body: 'name=x',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  });
  t.equal(form.status, 415);
  const malformed = await call('POST', '/v1/tags', {
    body: '{"name": ',
    headers: { 'content-type': 'application/json' },
  });
  t.equal(malformed.status, 400);
  t.match(malformed.json, { type: 'https://broadsheet.dev/problems/malformed-json' });
  const empty = await call('POST', '/v1/tags', { body: '', headers: { 'content-type': 'application/json' } });
  t.equal(empty.status, 400);
  const proto = await call('POST', '/v1/tags', {
    body: '{"name":"x","__proto__":{"admin":true}}',
    headers: { 'content-type': 'application/json' },
  });
  t.equal(proto.status, 400);
  const big = await call('POST', '/v1/articles', { body: { title: 'x', body: 'y'.repeat(4096) } });
  t.equal(big.status, 413);
  t.equal(big.headers['content-type'], PROBLEM);
  const merge = await call('PATCH', '/v1/tags/none', {
    body: '{"name":"y"}',
    headers: { 'content-type': 'application/merge-patch+json' },
  });
  t.equal(merge.status, 404, 'merge-patch+json is accepted as JSON');
});

t.test('hostile and malformed query strings are 400s, never 500s', async (t) => {
  const { call } = await buildTestApp(t);
  const urls = [
    '/v1/articles?page=0',
    '/v1/articles?page=abc',
    '/v1/articles?perPage=101',
    '/v1/articles?perPage=1e9',
    '/v1/articles?perPage=-1',
    '/v1/articles?page=1&page=2',
    '/v1/articles?sort=title;drop%20table%20articles',
    '/v1/articles?sort=colour',
    '/v1/articles?sort=title,title',
    '/v1/articles?status=deleted',
    '/v1/articles?secton=news',
    "/v1/articles?section=' or 1=1 --",
    '/v1/articles?tag[]=a',
    `/v1/articles?author=${'a'.repeat(500)}`,
    '/v1/articles/%00',
    "/v1/articles/'; drop table articles; --",
    `/v1/articles/${'a'.repeat(300)}`,
    '/v1/articles/UPPER',
    '/v1/articles?include=everything',
  ];
  for (const url of urls) {
    const response = await call('GET', url);
    t.ok(response.status === 400 || response.status === 404, `${url} -> ${response.status}`);
    t.equal(response.headers['content-type'], PROBLEM, `${url} is a problem`);
  }
  t.equal((await call('GET', '/v1/articles')).status, 200, 'still serving, tables intact');
});

t.test('unknown routes and ids are 404 problems', async (t) => {
  const { call } = await buildTestApp(t);
  for (const url of [
    '/v1/nothing',
    '/v1/articles/999',
    '/v1/articles/no-such-slug',
    '/v1/sections/9',
    '/v1/tags/x',
  ]) {
    const response = await call('GET', url);
    t.equal(response.status, 404, url);
    t.equal(response.headers['content-type'], PROBLEM);
    t.equal(response.json.status, 404);
  }
  const method = await call('PUT', '/v1/articles/1', { body: {} });
  t.equal(method.status, 405, 'a known path with the wrong method');
  t.equal(method.headers.allow, 'GET, HEAD, PATCH, DELETE');
  // QUERY carries a body, and Fastify checked for its Content-Type before seeing no route (400).
  for (const headers of [{}, { 'content-type': 'application/json' }] as Record<string, string>[]) {
    const query = await call('QUERY' as never, '/v1/articles', { headers });
    t.equal(query.status, 405, 'QUERY is a method this API does not serve');
    t.equal(query.headers.allow, 'GET, HEAD, POST');
  }
  t.equal((await call('QUERY' as never, '/v1/nothing')).status, 404);
});

t.test('every answer carries the request id, the caller’s own when given', async (t) => {
  const { call } = await buildTestApp(t);
  const given = await call('GET', '/v1/articles', { headers: { 'x-request-id': 'trace-123' } });
  t.equal(given.headers['x-request-id'], 'trace-123');
  const generated = await call('GET', '/v1/nothing');
  t.ok(generated.headers['x-request-id'], 'errors too');
});

t.test(
  'a constraint the repositories did not foresee is a 409 problem, not a 500, on either store',
  async (t) => {
    const app = await buildApp(testConfig());
    t.teardown(() => app.close());
    // A real driver error through Drizzle, on the store this run uses: a unique index refusing a
    // second row (PostgreSQL's arrives wrapped in a DrizzleQueryError, with SQLSTATE 23505).
    let violate: () => Promise<unknown>;
    if (postgresUrl) {
      const { db } = await freshPostgres(t);
      await db.execute(sql`create table t (slug text unique)`);
      violate = () => db.execute(sql`insert into t values ('same'), ('same')`);
    } else {
      const sqlite = new Database(':memory:');
      t.teardown(() => sqlite.close());
      const db = drizzle(sqlite);
      db.run(sql`create table t (slug text unique)`);
      violate = async () => db.run(sql`insert into t values ('same'), ('same')`);
    }
    app.get('/v1/boom', { schema: { hide: true } }, violate);
    const response = await app.inject({ url: '/v1/boom' });
    t.equal(response.statusCode, 409);
    t.match(response.json(), { status: 409, type: 'https://broadsheet.dev/problems/conflict' });
  },
);
