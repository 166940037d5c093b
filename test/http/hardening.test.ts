import { connect } from 'node:net';
import type { FastifyInstance } from 'fastify';
import t from 'tap';
import { redactUrl } from '../../src/http/logging.js';
import { ADMIN_KEY, buildTestApp } from '../helpers/app.js';
import { eventually } from '../helpers/eventually.js';
import { sharedDatabaseUrl, startServer } from '../helpers/server.js';

/** Sends raw bytes to a listening app and returns the whole answer. */
async function rawRequest(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.end(text));
    let answer = '';
    socket.on('data', (chunk) => {
      answer += chunk.toString('utf8');
    });
    socket.on('close', () => resolve(answer));
    socket.on('error', reject);
  });
}

t.test('a search over an article with 130,000 matches answers, with a bounded snippet', async (t) => {
  const { call } = await buildTestApp(t);
  // 400 KB: rendered in the worker thread, indexed, then searched with a prefix that matches every token.
  await call('POST', '/v1/articles', {
    body: { title: 'Flood', status: 'published', body: 'ab '.repeat(130_000) },
  });
  await call('POST', '/v1/articles', {
    body: { title: 'Markers', status: 'published', body: 'alpha \uE000bravo\uE001 charlie <b>delta</b>' },
  });
  const found = await call('GET', '/v1/search?q=ab*&perPage=100', { key: null });
  t.equal(found.status, 200);
  const flood = found.json.data.find((hit: { title: string }) => hit.title === 'Flood');
  t.ok(flood.snippet.length < 1000, 'the snippet is a window, not the document');
  t.match(flood.snippet, /^<mark>ab ab ab( ab)+<\/mark>…$/, 'one run of matches, then an ellipsis');
  const markers = await call('GET', '/v1/search?q=alpha', { key: null });
  const snippet: string = markers.json.data[0].snippet;
  t.equal((snippet.match(/<mark>/g) ?? []).length, 1, 'private-use characters in a body never become markup');
  t.match(snippet, /<mark>alpha<\/mark>/);
  t.match(snippet, /&lt;b&gt;delta/, 'body text is escaped');
});

// Half a megabyte of Markdown that renders slowly (seconds here): both tests below hold on any
// machine by margins of a thousand, not on this one's speed.
const SLOW_BODY = '!['.repeat(249_000);
const postSlow = (app: FastifyInstance) =>
  app.inject({
    method: 'POST',
    url: '/v1/articles',
    headers: { authorization: `Bearer ${ADMIN_KEY}` },
    payload: { title: 'Brackets', body: SLOW_BODY },
  });

t.test('a body that takes longer than RENDER_TIMEOUT_MS to render is refused', async (t) => {
  // Rendering half a megabyte never takes under a millisecond.
  const { app, call } = await buildTestApp(t, { renderTimeoutMs: 1 });
  const refused = await postSlow(app);
  t.equal(refused.statusCode, 422);
  t.match(refused.json(), { type: 'https://broadsheet.dev/problems/body-too-complex' });
  t.equal((await call('GET', '/v1/articles')).json.meta.total, 0, 'nothing was written');
});

t.test('the server answers while a long body renders', async (t) => {
  const { app } = await buildTestApp(t, { renderTimeoutMs: 120_000 });
  const finished: string[] = [];
  const slow = postSlow(app).then((response) => {
    finished.push('render');
    return response;
  });
  const health = await app.inject({ method: 'GET', url: '/health' });
  finished.push('health');
  t.equal(health.statusCode, 200);
  t.equal((await slow).statusCode, 201, 'the long body was accepted in the end');
  t.same(finished, ['health', 'render'], '/health answered while the body was rendering (in a worker)');
});

t.test('/health and /ready are never shed; the API is', async (t) => {
  // A heap limit of one byte: under-pressure sheds every request in its scope.
  const { app } = await buildTestApp(t, { overload: { maxEventLoopDelayMs: 0, maxHeapUsedBytes: 1 } });
  // Wait for its first heap sample (about a second; longer on a loaded machine).
  let shed = await app.inject({ method: 'GET', url: '/v1/articles' });
  for (const started = Date.now(); shed.statusCode !== 503 && Date.now() - started < 20_000; ) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    shed = await app.inject({ method: 'GET', url: '/v1/articles' });
  }
  t.equal(shed.statusCode, 503);
  t.equal((await app.inject({ method: 'GET', url: '/health' })).statusCode, 200);
  t.equal((await app.inject({ method: 'GET', url: '/ready' })).statusCode, 200);
  t.match(shed.headers['content-type'], /problem\+json/);
});

t.test('a body of many unknown keys gets a short 400', async (t) => {
  const { app } = await buildTestApp(t);
  const send = (count: number) =>
    app.inject({
      method: 'POST',
      url: '/v1/articles/1/comments',
      payload: {
        authorName: 'A',
        authorEmail: 'a@example.org',
        body: 'x',
        ...Object.fromEntries(Array.from({ length: count }, (_, i) => [`k${i}`, i])),
      },
    });
  const some = await send(500);
  t.equal(some.statusCode, 400);
  t.equal(some.json().errors.length, 20, 'the first 20 errors are listed');
  t.equal(some.json().moreErrors, 480, 'and how many more there are');
  t.ok(some.body.length < 4000, `the answer is small (${some.body.length} bytes)`);
  const flood = await send(60_000); // about 800 KB, under the body limit
  t.equal(flood.statusCode, 400);
  t.match(flood.json(), { type: 'https://broadsheet.dev/problems/too-many-fields' });
  t.ok(flood.body.length < 1000, 'refused before validation, in a few hundred bytes');
});

t.test('refused requests and refused keys count against the rate limit', async (t) => {
  const { app } = await buildTestApp(t, { rateLimit: { anonymous: 5, keyed: 1000, comments: 20 } });
  for (let i = 0; i < 5; i++) {
    const bad = await app.inject({ method: 'GET', url: '/v1/articles?unknown=1' });
    t.equal(bad.statusCode, 400);
  }
  t.equal(
    (await app.inject({ method: 'GET', url: '/v1/articles' })).statusCode,
    429,
    'rejected requests counted',
  );

  const other = await buildTestApp(t, { rateLimit: { anonymous: 5, keyed: 1000, comments: 20 } });
  const statuses: number[] = [];
  for (let i = 0; i < 7; i++) {
    const answer = await other.app.inject({
      method: 'GET',
      url: '/v1/articles',
      headers: { authorization: `Bearer bsk_random${i}` },
    });
    statuses.push(answer.statusCode);
  }
  t.same(statuses, [401, 401, 401, 401, 401, 429, 429], 'guessing keys runs into the limit');
  const unknownPath = await other.app.inject({ method: 'GET', url: '/v1/nothing-here' });
  t.equal(unknownPath.statusCode, 429, 'unknown API paths count too');
});

t.test('keys in the URL are refused and never logged', async (t) => {
  const { app } = await buildTestApp(t);
  const answer = await app.inject({ method: 'GET', url: `/v1/articles?access_token=${ADMIN_KEY}` });
  t.equal(answer.statusCode, 400);
  t.match(answer.json().detail, /Authorization header/);
  t.equal(
    redactUrl(`/v1/articles?page=2&access_token=${ADMIN_KEY}`),
    '/v1/articles?page=2&access_token=[REDACTED]',
  );
  t.equal(redactUrl('/v1/articles?API_KEY=x&q=a'), '/v1/articles?API_KEY=[REDACTED]&q=a');
  for (const name of [
    'access-token',
    'accessToken',
    'api-key',
    'authorization',
    'bearer',
    'auth',
    'access_token[]',
  ]) {
    t.equal(redactUrl(`/v1/articles?${name}=secret&q=a`), `/v1/articles?${name}=[REDACTED]&q=a`, name);
    const refused = await app.inject({ method: 'GET', url: `/v1/articles?${encodeURIComponent(name)}=x` });
    t.equal(refused.statusCode, 400, `${name}= is refused as a key in the URL`);
  }
});

t.test('anything that looks like a key is redacted wherever it stands in a logged URL', async (t) => {
  const key = 'bsk_q3F1aZ0xw0T3Yq0m4jvQm4b1X8c8a3Y2T8yq3m8z1Q0';
  for (const [url, logged] of [
    [`/v1/articles/${key}`, '/v1/articles/bsk_[REDACTED]'],
    [`/v1/articles?q=${key}`, '/v1/articles?q=bsk_[REDACTED]'],
    [`/v1/articles?x-credential=${key}&page=2`, '/v1/articles?x-credential=bsk_[REDACTED]&page=2'],
    [`/v1/articles?q=bsk%5F${key.slice(4)}`, '/v1/articles?q=bsk_[REDACTED]'],
    ['/v1/webhooks?note=whsec_abc%2Bdef%3D', '/v1/webhooks?note=whsec_[REDACTED]'],
  ]) {
    t.equal(redactUrl(url as string), logged);
  }
  // What is logged, end to end: a server process's request log lines.
  const server = await startServer(t, { DATABASE_URL: await sharedDatabaseUrl(t), LOG_LEVEL: 'info' });
  await fetch(`${server.baseUrl}/v1/articles/${key}?accessToken=${key}`);
  await fetch(`${server.baseUrl}/v1/articles?page=1`);
  t.ok(await eventually(() => server.output().includes('page=1')), 'the second request was logged');
  t.match(server.output(), '/v1/articles/bsk_[REDACTED]?accessToken=[REDACTED]', 'the request was logged');
  t.notOk(server.output().includes(key.slice(4)), 'no part of the key is in the log');
});

t.test('cross-cutting rules hold whatever form the URL takes', async (t) => {
  const { app, call } = await buildTestApp(t);
  const article = await call('POST', '/v1/articles', { body: { title: 'Pub', status: 'published' } });
  const created = await call('POST', '/v1/keys', { body: { name: 'old', scopes: ['content:read'] } });
  await call('DELETE', `/v1/keys/${created.json.id}`);
  const encoded = await app.inject({
    method: 'GET',
    url: `/%76%31/articles/${article.json.id}`,
    headers: { authorization: `Bearer ${created.json.key}` },
  });
  t.equal(encoded.statusCode, 401, 'a revoked key is refused on a percent-encoded path too');
  const anonymous = await app.inject({ method: 'GET', url: `/%76%31/articles/${article.json.id}` });
  t.equal(anonymous.statusCode, 200);
  t.ok(anonymous.headers.etag, 'and caching applies to it');
});

t.test('conditional requests never turn a missing resource into a 304', async (t) => {
  const { call } = await buildTestApp(t);
  for (const url of ['/v1/articles/nope', '/v1/sections/nope', '/v1/tags/nope', '/v1/comments/999']) {
    t.equal((await call('GET', url, { headers: { 'if-none-match': '*' } })).status, 404, `${url} with *`);
    const future = new Date(Date.now() + 86_400_000 * 365).toUTCString();
    t.equal(
      (await call('GET', url, { headers: { 'if-modified-since': future } })).status,
      404,
      `${url} future`,
    );
  }
  await call('POST', '/v1/sections', { body: { name: 'World' } });
  const future = new Date(Date.now() + 86_400_000 * 365).toUTCString();
  t.equal(
    (await call('GET', '/v1/sections/world', { headers: { 'if-modified-since': future } })).status,
    200,
    'a date in the future is no validator',
  );
  t.equal((await call('GET', '/v1/sections/world', { headers: { 'if-none-match': '*' } })).status, 304);
});

t.test('every error is problem+json: 405, 414, 431, bad framing, preflight, request ids', async (t) => {
  const { app } = await buildTestApp(t);
  const wrongMethod = await app.inject({ method: 'PUT', url: '/v1/articles/1' });
  t.equal(wrongMethod.statusCode, 405);
  t.equal(wrongMethod.headers.allow, 'GET, HEAD, PATCH, DELETE');
  t.match(wrongMethod.headers['content-type'], /problem\+json/);
  const tooLong = await app.inject({ method: 'GET', url: `/v1/articles/${'a'.repeat(3000)}` });
  t.equal(tooLong.statusCode, 414);
  t.match(tooLong.headers['content-type'], /problem\+json/);
  const preflight = await app.inject({
    method: 'OPTIONS',
    url: '/v1/articles',
    headers: { origin: 'https://x.example' },
  });
  t.notMatch(String(preflight.headers['content-type'] ?? ''), /text\/plain/);
  t.ok(preflight.statusCode < 400, 'a preflight without its headers is no plain-text error');

  const odd = await app.inject({
    method: 'GET',
    url: '/health',
    headers: { 'x-request-id': `bad id ${'x'.repeat(200)}` },
  });
  t.match(odd.headers['x-request-id'], /^[0-9a-f-]{36}$/, 'an unsafe request id is replaced');
  const fine = await app.inject({
    method: 'GET',
    url: '/health',
    headers: { 'x-request-id': 'trace-42:a.b' },
  });
  t.equal(fine.headers['x-request-id'], 'trace-42:a.b');

  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as { port: number };
  const huge = await rawRequest(
    port,
    `GET /health HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
  );
  t.match(huge, /^HTTP\/1\.1 431 /);
  t.match(huge, /application\/problem\+json/);
  const badLength = await rawRequest(
    port,
    'POST /v1/sections HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n',
  );
  t.match(badLength, /^HTTP\/1\.1 400 /);
  t.match(badLength, /application\/problem\+json/);
});
