import t from 'tap';
import { buildTestApp } from '../helpers/app.js';
import { SITE } from '../helpers/syndication.js';

// Expiry: at `expiresAt` an article leaves every public surface, with no job running, as a
// scheduled one arrives; keys still read it, and the expiry is announced.

t.test('an article leaves every public surface at its expiry instant, caches included', async (t) => {
  const { app, call, clock } = await buildTestApp(t, { site: SITE });
  await call('POST', '/v1/sections', { body: { name: 'World' } });
  const expiresAt = new Date(clock.now.getTime() + 3_600_000).toISOString();
  const created = await call('POST', '/v1/articles', {
    body: {
      title: 'Embargoed results',
      section: 'world',
      tags: ['Results'],
      status: 'published',
      body: 'Harbour votes counted.',
      expiresAt,
    },
  });
  t.equal(created.status, 201, created.body);
  t.equal(created.json.expiresAt, expiresAt);
  await call('POST', '/v1/articles', { body: { title: 'Stays', status: 'published' } });

  const surfaces = {
    article: '/v1/articles/embargoed-results',
    ninjs: '/v1/articles/embargoed-results/ninjs',
    list: '/v1/articles',
    section: '/v1/articles?section=world',
    search: '/v1/search?q=harbour',
    rss: '/feeds/articles.rss',
    sitemap: '/sitemaps/articles-1.xml',
    news: '/sitemaps/news.xml',
  };
  const shows = async () => {
    const seen: Record<string, boolean | number> = {};
    for (const [name, url] of Object.entries(surfaces)) {
      const response = await call('GET', url, { key: null });
      seen[name] = response.status === 200 ? response.body.includes('embargoed-results') : response.status;
    }
    seen.tag = (await call('GET', '/v1/tags/results', { key: null })).status;
    return seen;
  };
  const before = Object.fromEntries(
    await Promise.all(
      Object.entries(surfaces).map(
        async ([name, url]) => [name, await call('GET', url, { key: null })] as const,
      ),
    ),
  );
  for (const url of Object.values(surfaces)) await call('GET', url, { key: null }); // now cached
  t.equal((await call('GET', surfaces.article, { key: null })).headers['x-cache'], 'HIT');

  clock.set(new Date(Date.parse(expiresAt) - 1).toISOString());
  t.same(
    await shows(),
    {
      article: true,
      ninjs: true,
      list: true,
      section: true,
      search: true,
      rss: true,
      sitemap: true,
      news: true,
      tag: 200,
    },
    'a millisecond before: everywhere',
  );
  clock.set(expiresAt);
  t.same(
    await shows(),
    {
      article: 404,
      ninjs: 404,
      list: false,
      section: false,
      search: false,
      rss: false,
      sitemap: false,
      news: false,
      tag: 404,
    },
    'at the instant: nowhere, the cached copies included',
  );
  for (const [name, url] of Object.entries(surfaces)) {
    const old = before[name as keyof typeof surfaces];
    const revalidated = await call('GET', url, {
      key: null,
      headers: { 'if-none-match': String(old?.headers.etag) },
    });
    t.not(revalidated.status, 304, `${name}: no stale 304`);
  }

  const keyed = await call('GET', surfaces.article);
  t.equal(keyed.status, 200, 'keys still read it');
  t.equal(keyed.json.expiresAt, expiresAt);
  const ninjs = (await call('GET', surfaces.ninjs)).json;
  t.match(ninjs, { pubstatus: 'withheld', expires: expiresAt });

  await app.jobs.runOnce();
  const types = (await call('GET', '/v1/changes')).json.data.map(
    (change: { type: string; slug: string }) => `${change.type} ${change.slug}`,
  );
  t.ok(
    types.includes('article.expired embargoed-results'),
    'the expiry is announced by the next round of the jobs',
  );
  await app.jobs.runOnce();
  const again = (await call('GET', '/v1/changes')).json.data.filter(
    (change: { type: string }) => change.type === 'article.expired',
  );
  t.equal(again.length, 1, 'once');

  const cleared = await call('PATCH', surfaces.article, { body: { expiresAt: null } });
  t.equal(cleared.json.expiresAt, null);
  t.equal(
    (await call('GET', surfaces.article, { key: null })).status,
    200,
    'back when the expiry is cleared',
  );
  const republished = (await call('GET', '/v1/changes')).json.data.filter(
    (change: { type: string; slug: string }) =>
      change.type === 'article.published' && change.slug === 'embargoed-results',
  );
  t.equal(republished.length, 2, 'and announced as published again');
});

t.test(
  'expiry rules: after publication, a scheduled article comes and goes, the background jobs wake for it',
  async (t) => {
    const { app, call, clock } = await buildTestApp(t);
    const refused = await call('POST', '/v1/articles', {
      body: { title: 'Backwards', status: 'published', expiresAt: '2026-01-15T11:00:00.000Z' },
    });
    t.equal(refused.status, 422);
    t.match(refused.json, { type: /expires-before-publication$/ });
    t.equal((await call('GET', '/v1/articles')).json.meta.total, 0, 'nothing written');
    const draft = await call('POST', '/v1/articles', {
      body: { title: 'Draft', expiresAt: '2026-01-15T11:00:00.000Z' },
    });
    t.equal(draft.status, 201, 'a draft may carry any expiry: it is checked against publication');

    await call('POST', '/v1/articles', {
      body: {
        title: 'Window',
        status: 'scheduled',
        publishedAt: '2026-01-15T13:00:00.000Z',
        expiresAt: '2026-01-15T14:00:00.000Z',
      },
    });
    const patchBack = await call('PATCH', '/v1/articles/window', {
      body: { publishedAt: '2026-01-15T14:30:00.000Z' },
    });
    t.equal(patchBack.status, 422, 'moving publication past the expiry is refused too');
    const read = () => call('GET', '/v1/articles/window', { key: null }).then((r) => r.status);
    t.equal(await read(), 404);
    clock.set('2026-01-15T13:00:00.000Z');
    t.equal(await read(), 200, 'live at publication');
    await app.jobs.runOnce();
    clock.set('2026-01-15T14:00:00.000Z');
    t.equal(await read(), 404, 'gone at expiry');
    await app.jobs.runOnce();
    const types = (await call('GET', '/v1/changes')).json.data
      .filter((change: { slug: string }) => change.slug === 'window')
      .map((change: { type: string }) => change.type);
    t.same(types, ['article.created', 'article.published', 'article.expired']);
    const revisions = (await call('GET', '/v1/articles/window/revisions')).json.data;
    t.equal(revisions[0].snapshot.expiresAt, '2026-01-15T14:00:00.000Z', 'revisions keep the expiry');
  },
);
