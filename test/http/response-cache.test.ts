import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import t from 'tap';
import { buildTestApp } from '../helpers/app.js';
import { SITE } from '../helpers/syndication.js';

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
  'large compressed responses are cached too, per encoding (they are compressed as streams)',
  async (t) => {
    const { call } = await buildTestApp(t);
    const paragraph = 'A long report on the harbour, the council and the budget. '.repeat(40);
    await call('POST', '/v1/articles', {
      body: { title: 'Long read', status: 'published', body: Array(120).fill(paragraph).join('\n\n') },
    });
    for (const encoding of ['gzip', 'br', 'identity']) {
      const headers = { 'accept-encoding': encoding };
      const first = await call('GET', '/v1/articles/long-read', { key: null, headers });
      t.ok(
        first.body.length > 65_536 || encoding !== 'identity',
        'larger than the synchronous compression path',
      );
      const second = await call('GET', '/v1/articles/long-read', { key: null, headers });
      t.equal(first.headers['x-cache'], 'MISS', `${encoding}: first read`);
      t.equal(second.headers['x-cache'], 'HIT', `${encoding}: second read`);
      t.equal(second.headers['content-encoding'], first.headers['content-encoding']);
      t.same(second.json, first.json, `${encoding}: the same bytes`);
    }
  },
);

t.test(
  'the cache never serves a stale public response: every write kind x every cached route, two apps on one database',
  async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'broadsheet-cache-'));
    t.teardown(() => rmSync(dir, { recursive: true, force: true }));
    const databaseFile = join(dir, 'db.sqlite');
    // Writes go through one app, reads through the other (its own cache), as two processes would.
    const writer = await buildTestApp(t, { databaseFile, site: SITE });
    const reader = await buildTestApp(t, { databaseFile, site: SITE });
    const fresh = await buildTestApp(t, {
      databaseFile,
      site: SITE,
      cache: { maxAge: 60, staleWhileRevalidate: 300, responseBytes: 0 },
    });
    const w: typeof writer.call = async (...args) => {
      const answer = await writer.call(...args);
      t.ok(answer.status < 300, `${args[0]} ${args[1]}: ${answer.status}`);
      return answer;
    };
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
      '/feeds/articles.rss',
      '/feeds/articles.json?section=world',
      '/feeds/articles.atom?tag=ukraine',
      '/sitemap.xml',
      '/sitemaps/articles-1.xml',
      '/sitemaps/sections.xml',
      '/sitemaps/tags.xml',
      '/sitemaps/news.xml',
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
      [
        'move it to another section',
        async () => {
          await w('POST', '/v1/sections', { body: { name: 'Sport' } });
          await w('PATCH', `/v1/articles/${article.id}`, { body: { section: 'sport' } });
        },
      ],
      ['move it back', () => w('PATCH', `/v1/articles/${article.id}`, { body: { section: 'world' } })],
      ['delete the empty section', () => w('DELETE', '/v1/sections/sport')],
      ['retag it', () => w('PATCH', `/v1/articles/${article.id}`, { body: { tags: ['ukraine', 'Odesa'] } })],
      ['delete the comment', () => w('DELETE', `/v1/comments/${comment.id}`)],
      ['delete the tag', () => w('DELETE', '/v1/tags/ukraine')],
      ['move the article to the trash', () => w('DELETE', `/v1/articles/${article.id}`)],
      ['restore it', () => w('POST', `/v1/articles/${article.id}/restore`)],
      [
        'let the news sitemap age',
        async () => {
          for (const app of [writer, reader, fresh]) app.clock.advance(49 * 3_600_000);
        },
      ],
      ['delete it for good', () => w('DELETE', `/v1/articles/${article.id}?permanent=true`)],
    ];
    const read = async (app: typeof reader, url: string) => {
      const answer = await app.call('GET', url, { key: null });
      return `${answer.status} ${answer.status === 200 ? (answer.json ? JSON.stringify(answer.json) : answer.body) : ''}`;
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

t.test('a hit is checked by the versions of its keys alone: it reads no content', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'broadsheet-cache-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const databaseFile = join(dir, 'db.sqlite');
  const { call } = await buildTestApp(t, { databaseFile });
  const article = (
    await call('POST', '/v1/articles', { body: { title: 'Original title', status: 'published' } })
  ).json;
  await call('GET', `/v1/articles/${article.id}`, { key: null });
  // A change written past the repositories moves no key: a hit cannot see it, which shows that
  // a hit asks nothing of the articles table (every write must go through the repositories).
  const raw = new Database(databaseFile);
  t.teardown(() => raw.close());
  raw.prepare('update articles set title = ? where id = ?').run('Changed behind its back', article.id);
  const hit = await call('GET', `/v1/articles/${article.id}`, { key: null });
  t.equal(hit.headers['x-cache'], 'HIT');
  t.equal(hit.json.title, 'Original title');
  // A write through the API moves the article's key: the next read is fresh.
  await call('PATCH', `/v1/articles/${article.id}`, { body: { subtitle: 'Now with a subtitle' } });
  const fresh = await call('GET', `/v1/articles/${article.id}`, { key: null });
  t.equal(fresh.headers['x-cache'], 'MISS');
  t.match(fresh.json, { title: 'Changed behind its back', subtitle: 'Now with a subtitle' });
});

t.test(
  'readers asking at once for a response nobody has asked for are answered by one computation',
  async (t) => {
    const { call } = await buildTestApp(t);
    for (let i = 0; i < 30; i++) {
      await call('POST', '/v1/articles', {
        body: {
          title: `Harbour report ${i}`,
          status: 'published',
          body: 'The harbour and the council. '.repeat(50),
        },
      });
    }
    for (const url of ['/v1/search?q=harbour%20council', '/v1/articles?perPage=50&include=body']) {
      const burst = await Promise.all(Array.from({ length: 12 }, () => call('GET', url, { key: null })));
      const misses = burst.filter((response) => response.headers['x-cache'] === 'MISS').length;
      t.equal(misses, 1, `${url}: one of twelve computed it`);
      t.ok(
        burst.every((response) => response.status === 200 && response.body === burst[0]?.body),
        'all twelve got the same answer',
      );
    }
  },
);

t.test('a request computing a response that is not kept lets the waiting ones compute theirs', async (t) => {
  const { call } = await buildTestApp(t);
  // A 404 is not kept: each waiting reader, in turn, finds nothing stored and answers itself.
  const burst = await Promise.all(
    Array.from({ length: 6 }, () => call('GET', '/v1/articles/not-there', { key: null })),
  );
  t.ok(
    burst.every((response) => response.status === 404),
    'every reader answered',
  );
});
