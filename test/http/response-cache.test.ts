import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { buildTestApp } from '../helpers/app.js';

t.test('a repeated public read is served from the cache, with the same bytes and ETag', async (t) => {
  const { call } = await buildTestApp(t);
  await call('POST', '/v1/articles', {
    body: { title: 'Cached', status: 'published', body: 'Long '.repeat(500) },
  });
  for (const encoding of ['gzip', 'br', 'identity']) {
    const headers = { 'accept-encoding': encoding };
    const first = await call('GET', '/v1/articles/cached', { key: null, headers });
    const second = await call('GET', '/v1/articles/cached', { key: null, headers });
    t.equal(first.headers['x-cache'], 'MISS', `${encoding}: first read`);
    t.equal(second.headers['x-cache'], 'HIT', `${encoding}: second read`);
    t.equal(second.headers.etag, first.headers.etag);
    t.equal(second.headers['content-encoding'], first.headers['content-encoding']);
    t.same(second.json, first.json);
    const revalidated = await call('GET', '/v1/articles/cached', {
      key: null,
      headers: { ...headers, 'if-none-match': String(first.headers.etag) },
    });
    t.equal(revalidated.status, 304);
  }
  const keyed = await call('GET', '/v1/articles/cached');
  t.equal(keyed.headers['x-cache'], undefined, 'reads that see drafts are never cached');
});

t.test(
  'the cache never serves a stale public response: every write kind x every cached route, two apps on one database',
  async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'broadsheet-cache-'));
    t.teardown(() => rmSync(dir, { recursive: true, force: true }));
    const databaseFile = join(dir, 'db.sqlite');
    // Writes go through one app, reads through the other (its own cache), as two processes would.
    const writer = await buildTestApp(t, { databaseFile });
    const reader = await buildTestApp(t, { databaseFile });
    const fresh = await buildTestApp(t, {
      databaseFile,
      cache: { maxAge: 60, staleWhileRevalidate: 300, responseBytes: 0 },
    });
    const w = writer.call;
    await w('POST', '/v1/sections', { body: { name: 'World' } });
    const article = (
      await w('POST', '/v1/articles', {
        body: {
          title: 'Harbour',
          section: 'world',
          tags: ['ukraine'],
          status: 'published',
          body: 'Harbour text.',
        },
      })
    ).json;
    const comment = (
      await w('POST', `/v1/articles/${article.id}/comments`, {
        key: null,
        body: { authorName: 'A', authorEmail: 'a@example.org', body: 'First' },
      })
    ).json;
    const scheduledAt = new Date(writer.clock.now.getTime() + 3_600_000).toISOString();
    const urls = [
      '/v1/articles',
      '/v1/articles?section=world',
      `/v1/articles/${article.id}`,
      '/v1/articles/harbour',
      `/v1/articles/${article.id}/comments`,
      '/v1/search?q=harbour',
      '/v1/sections',
      '/v1/sections/world',
      '/v1/tags',
      '/v1/tags/ukraine',
    ];
    let n = 0;
    const writes: [string, () => Promise<unknown>][] = [
      [
        'edit the article',
        () => w('PATCH', `/v1/articles/${article.id}`, { body: { title: `Harbour ${++n}` } }),
      ],
      ['approve a comment', () => w('PATCH', `/v1/comments/${comment.id}`, { body: { status: 'approved' } })],
      ['rename the section', () => w('PATCH', '/v1/sections/world', { body: { name: `World ${++n}` } })],
      ['rename the tag', () => w('PATCH', '/v1/tags/ukraine', { body: { name: `Ukraine ${++n}` } })],
      [
        'publish another',
        () =>
          w('POST', '/v1/articles', {
            body: { title: 'Harbour two', section: 'world', tags: ['ukraine'], status: 'published' },
          }),
      ],
      [
        'schedule one',
        () =>
          w('POST', '/v1/articles', {
            body: { title: 'Harbour later', section: 'world', status: 'scheduled', publishedAt: scheduledAt },
          }),
      ],
      [
        'reach its instant',
        async () => {
          for (const app of [writer, reader, fresh]) app.clock.set(scheduledAt);
        },
      ],
      ['unpublish', () => w('PATCH', `/v1/articles/${article.id}`, { body: { status: 'draft' } })],
      ['republish', () => w('PATCH', `/v1/articles/${article.id}`, { body: { status: 'published' } })],
      ['delete the comment', () => w('DELETE', `/v1/comments/${comment.id}`)],
      ['delete the tag', () => w('DELETE', '/v1/tags/ukraine')],
      ['delete the article', () => w('DELETE', `/v1/articles/${article.id}`)],
    ];
    const read = async (app: typeof reader, url: string) => {
      const answer = await app.call('GET', url, { key: null });
      return `${answer.status} ${answer.status === 200 ? JSON.stringify(answer.json) : ''}`;
    };
    let hits = 0;
    for (const [what, write] of writes) {
      for (const url of urls) await read(reader, url); // fill (or refresh) the reader's cache
      await write();
      for (const url of urls) {
        const cached = await reader.call('GET', url, { key: null });
        if (cached.headers['x-cache'] === 'HIT') hits++;
        t.equal(await read(reader, url), await read(fresh, url), `after "${what}": ${url}`);
      }
    }
    t.ok(hits > 0, `unchanged responses were still served from the cache (${hits} hits)`);
  },
);
