import t from 'tap';
import { buildTestApp } from '../helpers/app.js';

async function withArticles(t: Parameters<typeof buildTestApp>[0], overrides = {}) {
  const app = await buildTestApp(t, overrides);
  await app.call('POST', '/v1/sections', { body: { name: 'World' } });
  const article = await app.call('POST', '/v1/articles', {
    body: {
      title: 'Cached',
      section: 'world',
      tags: ['ukraine'],
      status: 'published',
      body: 'Text '.repeat(400),
    },
  });
  await app.call('POST', '/v1/articles', { body: { title: 'Other', status: 'published' } });
  return { ...app, article: article.json };
}

t.test('GETs carry validators and cache headers; 304 on a match, with no body', async (t) => {
  const { call, article } = await withArticles(t);
  const url = `/v1/articles/${article.slug}`;
  const first = await call('GET', url, { key: null });
  t.match(
    first.headers.etag,
    new RegExp(`^"a${article.id}\\.v1\\.[A-Za-z0-9_-]+"$`),
    'strong, versioned ETag',
  );
  t.ok(first.headers['last-modified']);
  t.equal(first.headers['cache-control'], 'public, max-age=60, stale-while-revalidate=300');
  t.equal(
    first.headers['surrogate-key'],
    `article-${article.id} section-${article.section.id} tag-${article.tags[0].id}`,
  );
  t.equal(first.headers['x-content-type-options'], 'nosniff');
  t.match(first.headers.vary, /Authorization/);

  const again = await call('GET', url, {
    key: null,
    headers: { 'if-none-match': String(first.headers.etag) },
  });
  t.equal(again.status, 304);
  t.equal(again.body, '');
  t.equal(again.headers.etag, first.headers.etag);
  const since = await call('GET', url, {
    key: null,
    headers: { 'if-modified-since': String(first.headers['last-modified']) },
  });
  t.equal(since.status, 304, 'If-Modified-Since too');
  const older = await call('GET', url, {
    key: null,
    headers: { 'if-modified-since': 'Thu, 01 Jan 2015 00:00:00 GMT' },
  });
  t.equal(older.status, 200);

  const keyed = await call('GET', url);
  t.equal(keyed.headers['cache-control'], 'private, no-store');
  t.not(keyed.headers.etag, first.headers.etag, 'a keyed reader gets its own ETag');
  const missing = await call('GET', '/v1/articles/none', { key: null });
  t.equal(missing.headers['cache-control'], 'no-store', 'errors are not cached');
  t.notOk(missing.headers.etag);

  const list = await call('GET', '/v1/articles', { key: null });
  t.match(list.headers['surrogate-key'], /^articles article-\d+/);
  const listAgain = await call('GET', '/v1/articles', {
    key: null,
    headers: { 'if-none-match': String(list.headers.etag) },
  });
  t.equal(listAgain.status, 304, 'lists answer 304 too');
  for (const other of ['/v1/sections', '/v1/tags/ukraine', `/v1/articles/${article.id}/comments`]) {
    const response = await call('GET', other, { key: null });
    const revalidated = await call('GET', other, {
      key: null,
      headers: { 'if-none-match': String(response.headers.etag) },
    });
    t.equal(revalidated.status, 304, other);
  }
});

t.test('an update changes the ETag of the article and of every list it is in', async (t) => {
  const { call, article } = await withArticles(t);
  const urls = [
    `/v1/articles/${article.id}`,
    `/v1/articles/${article.slug}`,
    '/v1/articles',
    '/v1/articles?section=world',
    '/v1/articles?tag=ukraine',
    '/v1/sections/world',
    '/v1/tags',
  ];
  const before = new Map<string, string>();
  for (const url of urls) before.set(url, String((await call('GET', url, { key: null })).headers.etag));
  await call('PATCH', `/v1/articles/${article.id}`, { body: { title: 'Cached, updated' } });
  for (const url of urls) {
    const response = await call('GET', url, {
      key: null,
      headers: { 'if-none-match': before.get(url) ?? '' },
    });
    t.equal(response.status, 200, `${url} is fresh after the edit`);
  }
  const bumped = await call('GET', `/v1/articles/${article.id}`, { key: null });
  t.match(bumped.headers.etag, new RegExp(`^"a${article.id}\\.v2\\.`));
});

t.test('a scheduled article going live changes list ETags without any write', async (t) => {
  const { call, clock } = await withArticles(t);
  const at = new Date(clock.now.getTime() + 60_000).toISOString();
  await call('POST', '/v1/articles', { body: { title: 'Later', status: 'scheduled', publishedAt: at } });
  const before = await call('GET', '/v1/articles', { key: null });
  clock.set(at);
  const after = await call('GET', '/v1/articles', {
    key: null,
    headers: { 'if-none-match': String(before.headers.etag) },
  });
  t.equal(after.status, 200);
  t.equal(after.json.meta.total, 3);
});

t.test('If-Match: current passes, stale is a 412 that changes nothing', async (t) => {
  const { call, article } = await withArticles(t);
  const url = `/v1/articles/${article.id}`;
  const read = await call('GET', url);
  const etag = String(read.headers.etag);
  const ok = await call('PATCH', url, { body: { title: 'Editor one' }, headers: { 'if-match': etag } });
  t.equal(ok.status, 200);
  const stale = await call('PATCH', url, { body: { title: 'Editor two' }, headers: { 'if-match': etag } });
  t.equal(stale.status, 412);
  t.match(stale.json, { type: 'https://broadsheet.dev/problems/stale-version', currentVersion: 2 });
  t.equal((await call('GET', url)).json.title, 'Editor one', 'the stale write changed nothing');
  t.equal((await call('DELETE', url, { headers: { 'if-match': etag } })).status, 412);
  t.equal(
    (await call('PATCH', url, { body: { title: 'x' }, headers: { 'if-match': '"garbage"' } })).status,
    412,
  );
  t.equal((await call('PATCH', url, { body: { title: 'Any' }, headers: { 'if-match': '*' } })).status, 200);
  const current = String((await call('GET', url)).headers.etag);
  t.equal(
    (await call('PATCH', url, { body: { title: 'Weak' }, headers: { 'if-match': `W/${current}` } })).status,
    412,
    'a weak tag never passes (strong comparison)',
  );
  const gzipTag = `"${current.slice(1, -1)}-gzip"`;
  t.equal(
    (await call('PATCH', url, { body: { title: 'Via gzip tag' }, headers: { 'if-match': gzipTag } })).status,
    200,
    'an ETag from a compressed read of the current version works too',
  );
  const forged = `"${current.slice(1, -1).replace(/\.v\d+\./, '.v5.')}"`;
  t.equal(
    (await call('PATCH', url, { body: { title: 'Forged' }, headers: { 'if-match': forged } })).status,
    412,
    'the whole tag is compared, not just the version in it',
  );
  const other = await call('POST', '/v1/articles', { body: { title: 'Another', status: 'published' } });
  const otherTag = String((await call('GET', `/v1/articles/${other.json.id}`)).headers.etag);
  t.equal(
    (await call('PATCH', url, { body: { title: 'Other' }, headers: { 'if-match': otherTag } })).status,
    412,
    "another article's ETag does not pass",
  );
  t.equal(
    (
      await call('PATCH', '/v1/articles/no-such-article', {
        body: { title: 'x' },
        headers: { 'if-match': otherTag },
      })
    ).status,
    404,
    'a missing article is a 404, not a 412',
  );
});

t.test('REQUIRE_IF_MATCH makes If-Match mandatory (428)', async (t) => {
  const { call, article } = await withArticles(t, { requireIfMatch: true });
  const missing = await call('PATCH', `/v1/articles/${article.id}`, { body: { title: 'x' } });
  t.equal(missing.status, 428);
  const etag = String((await call('GET', `/v1/articles/${article.id}`)).headers.etag);
  t.equal(
    (
      await call('PATCH', `/v1/articles/${article.id}`, {
        body: { title: 'x' },
        headers: { 'if-match': etag },
      })
    ).status,
    200,
  );
});

t.test('compression for large bodies, with per-encoding ETags', async (t) => {
  const { call, article } = await withArticles(t);
  const url = `/v1/articles/${article.id}`;
  const gzipped = await call('GET', url, { key: null, headers: { 'accept-encoding': 'gzip' } });
  t.equal(gzipped.headers['content-encoding'], 'gzip');
  t.match(gzipped.headers.vary, /Accept-Encoding/);
  t.match(gzipped.headers.etag, /-gzip"$/);
  const revalidated = await call('GET', url, {
    key: null,
    headers: { 'accept-encoding': 'gzip', 'if-none-match': String(gzipped.headers.etag) },
  });
  t.equal(revalidated.status, 304);
  const plain = await call('GET', url, { key: null });
  t.notOk(plain.headers['content-encoding']);
  t.notMatch(plain.headers.etag, /-gzip/);
});

t.test('CORS: preflight allows the API’s methods and headers, and is cached', async (t) => {
  const { app } = await withArticles(t);
  const preflight = await app.inject({
    method: 'OPTIONS',
    url: '/v1/articles/1',
    headers: {
      origin: 'https://news.example',
      'access-control-request-method': 'PATCH',
      'access-control-request-headers': 'authorization, if-match, content-type',
    },
  });
  t.equal(preflight.statusCode, 204);
  t.equal(preflight.headers['access-control-allow-origin'], '*');
  t.match(preflight.headers['access-control-allow-methods'], /PATCH/);
  t.match(
    String(preflight.headers['access-control-allow-headers']).toLowerCase(),
    /authorization.*content-type.*if-match/,
  );
  t.equal(preflight.headers['access-control-max-age'], '600');
  // A browser retrying a creation safely sends Idempotency-Key, and reads whether it was replayed.
  const create = await app.inject({
    method: 'OPTIONS',
    url: '/v1/articles',
    headers: {
      origin: 'https://news.example',
      'access-control-request-method': 'POST',
      'access-control-request-headers': 'authorization, content-type, idempotency-key',
    },
  });
  t.match(String(create.headers['access-control-allow-headers']).toLowerCase(), /idempotency-key/);
  const read = await app.inject({ url: '/v1/articles', headers: { origin: 'https://news.example' } });
  t.match(read.headers['access-control-expose-headers'], /ETag/);
  t.match(read.headers['access-control-expose-headers'], /Location/);
  t.match(read.headers['access-control-expose-headers'], /Idempotent-Replayed/);
});

t.test('CORS origins are configurable', async (t) => {
  const { app } = await buildTestApp(t, { corsOrigins: ['https://news.example'] });
  const allowed = await app.inject({ url: '/v1/articles', headers: { origin: 'https://news.example' } });
  t.equal(allowed.headers['access-control-allow-origin'], 'https://news.example');
  const other = await app.inject({ url: '/v1/articles', headers: { origin: 'https://evil.example' } });
  t.notOk(other.headers['access-control-allow-origin']);
});

// Feed readers and crawlers revalidate with If-Modified-Since: an unrelated write must not turn
// their 304 into a 200, whether or not the response cache answered (off, or a compressed read).
for (const [label, overrides] of [
  ['response cache on', {}],
  ['response cache off', { cache: { maxAge: 60, staleWhileRevalidate: 300, responseBytes: 0 } }],
] as const) {
  t.test(`Last-Modified follows the resource, not the last write anywhere (${label})`, async (t) => {
    const { call, clock, article } = await withArticles(t, overrides);
    await call('POST', '/v1/sections', { body: { name: 'Sport' } });
    const urls = [`/v1/articles/${article.slug}`, '/v1/articles?section=world', '/v1/sections/world'];
    for (const encoding of ['identity', 'gzip']) {
      const first = await Promise.all(
        urls.map((url) => call('GET', url, { key: null, headers: { 'accept-encoding': encoding } })),
      );
      clock.advance(5_000);
      // Unrelated public writes: another section's article, a new tag, another section.
      await call('POST', '/v1/articles', {
        body: { title: `Elsewhere ${encoding}`, section: 'sport', status: 'published' },
      });
      await call('POST', '/v1/tags', { body: { name: `Unrelated ${encoding}` } });
      for (const [i, url] of urls.entries()) {
        const lastModified = String(first[i]?.headers['last-modified']);
        const again = await call('GET', url, {
          key: null,
          headers: { 'accept-encoding': encoding, 'if-modified-since': lastModified },
        });
        t.equal(again.status, 304, `${url} (${encoding}) is still not modified`);
      }
      clock.advance(5_000);
    }
    // A write to what they show moves it.
    const before = String(
      (await call('GET', `/v1/articles/${article.slug}`, { key: null })).headers['last-modified'],
    );
    clock.advance(5_000);
    await call('PATCH', `/v1/articles/${article.id}`, { body: { subtitle: 'New' } });
    for (const url of [`/v1/articles/${article.slug}`, '/v1/articles?section=world']) {
      const changed = await call('GET', url, { key: null, headers: { 'if-modified-since': before } });
      t.equal(changed.status, 200, `${url} changed`);
      t.not(changed.headers['last-modified'], before);
    }
  });
}
