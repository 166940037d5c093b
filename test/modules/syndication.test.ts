import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { parseAtomFeed, parseJsonFeed, parseRssFeed } from 'feedsmith';
import t, { type Test } from 'tap';
import { loadConfig } from '../../src/config.js';
import { escapeXml } from '../../src/lib/xml.js';
import { buildTestApp } from '../helpers/app.js';
import { loadSeedArticle } from '../helpers/seed.js';
import { SITE, textsOf, xmlErrors } from '../helpers/syndication.js';

const FEEDS = ['/feeds/articles.rss', '/feeds/articles.atom', '/feeds/articles.json'];
const SITEMAPS = [
  '/sitemap.xml',
  '/sitemaps/articles-1.xml',
  '/sitemaps/sections.xml',
  '/sitemaps/tags.xml',
  '/sitemaps/news.xml',
];

/** A site with the seed article (section, ten tags), a sub-section article, a draft and a scheduled one. */
async function newsroom(t: Test, site = SITE) {
  const app = await buildTestApp(t, { site });
  const { call, clock } = app;
  const seed = loadSeedArticle();
  await call('POST', '/v1/sections', { body: { name: seed.section } });
  const world = await call('POST', '/v1/sections', { body: { name: 'World' } });
  await call('POST', '/v1/sections', { body: { name: 'Europe', parentId: world.json.id } });
  const seeded = await call('POST', '/v1/articles', {
    body: { ...seed, author: 'Olena Kovalenko', publishedAt: '2026-01-15T09:00:00.000Z' },
  });
  const europe = await call('POST', '/v1/articles', {
    body: {
      title: 'Talks in Vienna \u0001 & <more>',
      body: 'Diplomats met — again.',
      section: 'europe',
      tags: ['Diplomacy'],
      status: 'published',
      publishedAt: '2026-01-15T10:00:00.000Z',
    },
  });
  const draft = await call('POST', '/v1/articles', {
    body: { title: 'Draft only', section: 'world', tags: ['Secret plans'] },
  });
  const scheduled = await call('POST', '/v1/articles', {
    body: {
      title: 'Tomorrow',
      section: 'world',
      status: 'scheduled',
      publishedAt: '2026-01-16T06:00:00.000Z',
    },
  });
  for (const response of [seeded, europe, draft, scheduled]) t.equal(response.status, 201);
  return {
    ...app,
    clock,
    seeded: seeded.json,
    europe: europe.json,
    draft: draft.json,
    scheduled: scheduled.json,
  };
}

t.test('without SITE_URL: no url on resources, and feeds and sitemaps say what to set', async (t) => {
  const { call } = await buildTestApp(t);
  const article = await call('POST', '/v1/articles', { body: { title: 'x', status: 'published' } });
  t.notOk('url' in article.json);
  for (const url of [...FEEDS, ...SITEMAPS]) {
    const response = await call('GET', url, { key: null });
    t.equal(response.status, 404, url);
    t.match(response.json, { type: /site-not-configured$/, detail: /SITE_URL/ }, url);
  }
});

t.test('canonical urls follow the templates on articles, sections and tags', async (t) => {
  const { call, seeded, europe } = await newsroom(t, {
    ...SITE,
    articleUrlTemplate: '{site}/{section}/{yyyy}/{mm}/{dd}/{slug}-{id}',
    tagUrlTemplate: '{site}/topics/{slug}',
  });
  t.equal(seeded.url, `https://news.example.com/breaking-news/2026/01/15/${seeded.slug}-${seeded.id}`);
  t.equal((await call('GET', `/v1/articles/${seeded.slug}`, { key: null })).json.url, seeded.url);
  const list = await call('GET', '/v1/articles?fields=id,url', { key: null });
  t.same(
    list.json.data.map((item: { url: string }) => item.url),
    [europe.url, seeded.url],
  );
  t.equal((await call('GET', '/v1/sections/europe')).json.url, 'https://news.example.com/europe');
  t.equal(
    (await call('GET', '/v1/tags/ukraine', { key: null })).json.url,
    'https://news.example.com/topics/ukraine',
  );
  const listed = await call('GET', '/v1/tags?perPage=1', { key: null });
  t.match(listed.json.data[0].url, /^https:\/\/news\.example\.com\/topics\//);
  const loose = await call('POST', '/v1/articles', { body: { title: 'No section' } });
  t.equal(
    loose.json.url,
    `https://news.example.com/2026/01/15/no-section-${loose.json.id}`,
    'no empty segment',
  );
  const moved = await call('PATCH', '/v1/sections/europe', { body: { slug: 'eu' } });
  t.equal(moved.json.url, 'https://news.example.com/eu');
  t.match((await call('GET', `/v1/articles/${europe.id}`, { key: null })).json.url, /\/eu\/2026\//);
});

t.test('RSS 2.0: well-formed, every published article with what the API says', async (t) => {
  const { call, seeded, europe } = await newsroom(t);
  const response = await call('GET', '/feeds/articles.rss', { key: null });
  t.equal(response.status, 200);
  t.equal(response.headers['content-type'], 'application/rss+xml; charset=utf-8');
  t.not((await xmlErrors('<a>\u0001</a>')).length, 0, 'the checker itself refuses forbidden characters');
  t.same(await xmlErrors(response.body), []);
  t.notOk(response.body.includes('\u0001'), 'characters XML forbids are removed');
  const feed = parseRssFeed(response.body);
  t.match(feed, {
    title: 'Example News',
    link: 'https://news.example.com/',
    language: 'en-GB',
    atom: { links: [{ rel: 'self', href: 'https://news.example.com/feeds/articles.rss' }] },
  });
  t.ok(feed.description);
  t.equal(feed.items?.length, 2, 'published only: no draft, not the scheduled one yet');
  const [first, second] = feed.items ?? [];
  t.equal(first?.title, 'Talks in Vienna  & <more>');
  t.equal(first?.link, europe.url);
  const api = (await call('GET', `/v1/articles/${seeded.id}`, { key: null })).json;
  t.match(second, {
    title: 'Zelenskyy’s Call for Guaranteed Security: A Turning Point for Ukraine?',
    link: api.url,
    description: escapeXml(api.excerpt),
    guid: { isPermaLink: false, value: `tag:news.example.com,2026-01-15:articles/${seeded.id}` },
    pubDate: 'Thu, 15 Jan 2026 09:00:00 GMT',
    dc: { creators: ['Olena Kovalenko'] },
    content: { encoded: api.bodyHtml.trim() },
  });
  t.same(
    second?.categories?.map((category) => category.name),
    ['Breaking News', ...api.tags.map((tag: { name: string }) => tag.name)],
    'the section, then the ten tags',
  );
  // An excerpt quoting markup stays text for readers that render descriptions as HTML.
  await call('POST', '/v1/articles', {
    body: { title: 'Markup', status: 'published', excerpt: 'Why <script>alert(1)</script> & co.' },
  });
  const quoting = parseRssFeed((await call('GET', '/feeds/articles.rss', { key: null })).body);
  const markup = quoting.items?.find((item) => item.title === 'Markup');
  t.equal(markup?.description, 'Why &lt;script&gt;alert(1)&lt;/script&gt; &amp; co.');
});

t.test('entry ids never change when an article is edited', async (t) => {
  const { call, seeded } = await newsroom(t);
  const before = parseAtomFeed((await call('GET', '/feeds/articles.atom', { key: null })).body);
  await call('PATCH', `/v1/articles/${seeded.id}`, { body: { title: 'Renamed', slug: 'renamed' } });
  const after = parseAtomFeed((await call('GET', '/feeds/articles.atom', { key: null })).body);
  t.same(
    after.entries?.map((entry) => entry.id),
    before.entries?.map((entry) => entry.id),
  );
  t.not(
    after.entries?.[1]?.links?.[0]?.href,
    before.entries?.[1]?.links?.[0]?.href,
    'the link follows the slug',
  );
});

t.test('Atom 1.0: required elements, html content, dates', async (t) => {
  const { call, seeded, clock } = await newsroom(t);
  clock.set('2026-01-15T12:00:00.000Z');
  const response = await call('GET', '/feeds/articles.atom', { key: null });
  t.equal(response.headers['content-type'], 'application/atom+xml; charset=utf-8');
  t.same(await xmlErrors(response.body), []);
  const feed = parseAtomFeed(response.body);
  t.match(feed, {
    id: 'https://news.example.com/feeds/articles.atom',
    title: { value: 'Example News' },
    authors: [{ name: 'Example News' }],
    xml: { lang: 'en-GB' },
  });
  t.ok(feed.links?.some((link) => link.rel === 'self' && link.href === feed.id));
  t.ok(feed.links?.some((link) => link.rel === 'alternate' && link.href === 'https://news.example.com/'));
  const entry = feed.entries?.find((candidate) => candidate.id?.endsWith(`/${seeded.id}`));
  const api = (await call('GET', `/v1/articles/${seeded.id}`, { key: null })).json;
  t.match(entry, {
    title: { value: api.title },
    published: '2026-01-15T09:00:00.000Z',
    updated: api.updatedAt,
    authors: [{ name: 'Olena Kovalenko', uri: 'https://news.example.com/author/olena-kovalenko' }],
    summary: { value: api.excerpt, type: 'text' },
    content: { value: api.bodyHtml.trim(), type: 'html' },
  });
  t.equal(entry?.categories?.length, 11);
  t.ok(Date.parse(feed.updated ?? '') >= Date.parse('2026-01-15T10:00:00.000Z'), 'feed updated');
});

/** JSON Feed 1.1's required members and types, from https://www.jsonfeed.org/version/1.1/. */
const jsonFeedSpec = {
  type: 'object',
  required: ['version', 'title', 'items'],
  properties: {
    version: { const: 'https://jsonfeed.org/version/1.1' },
    title: { type: 'string' },
    home_page_url: { type: 'string', format: 'uri' },
    feed_url: { type: 'string', format: 'uri' },
    language: { type: 'string' },
    authors: { type: 'array', items: { type: 'object', minProperties: 1 } },
    items: {
      type: 'array',
      items: {
        type: 'object',
        required: ['id'],
        anyOf: [{ required: ['content_html'] }, { required: ['content_text'] }],
        properties: {
          id: { type: 'string' },
          url: { type: 'string', format: 'uri' },
          date_published: { type: 'string', format: 'date-time' },
          date_modified: { type: 'string', format: 'date-time' },
          tags: { type: 'array', items: { type: 'string' } },
        },
      },
    },
  },
};

t.test('JSON Feed 1.1: valid, and filtered by section (with subsections) and tag', async (t) => {
  const { call, seeded, europe } = await newsroom(t);
  const response = await call('GET', '/feeds/articles.json?section=world', { key: null });
  t.equal(response.headers['content-type'], 'application/feed+json; charset=utf-8');
  const ajv = new Ajv2020({ strict: false });
  addFormats.default(ajv);
  t.ok(ajv.validate(jsonFeedSpec, response.json), ajv.errorsText());
  const parsed = parseJsonFeed(response.json);
  t.equal(parsed.title, 'Example News: World');
  t.equal(parsed.home_page_url, 'https://news.example.com/world');
  t.equal(parsed.feed_url, 'https://news.example.com/feeds/articles.json?section=world');
  t.same(
    parsed.items?.map((item) => item.url),
    [europe.url],
    'Europe is inside World; the seed article is in Breaking News',
  );
  const tagged = await call('GET', '/feeds/articles.json?tag=ukraine&limit=1', { key: null });
  t.same(
    tagged.json.items.map((item: { url: string }) => item.url),
    [seeded.url],
  );
  t.equal(tagged.json.feed_url, 'https://news.example.com/feeds/articles.json?tag=ukraine&limit=1');
  t.equal((await call('GET', '/feeds/articles.rss?section=nowhere', { key: null })).status, 404);
  t.equal(
    (await call('GET', '/feeds/articles.rss?tag=secret-plans', { key: null })).status,
    404,
    'only on a draft',
  );
  t.equal((await call('GET', '/feeds/articles.json?limit=101', { key: null })).status, 400);
  t.equal((await call('GET', '/feeds/articles.json?limit=1', { key: null })).json.items.length, 1);
});

t.test('feeds are cached like any public read, and a scheduled article appears at its instant', async (t) => {
  const { call, clock, scheduled, europe } = await newsroom(t);
  const first = await call('GET', '/feeds/articles.rss', { key: null });
  t.match(first.headers['cache-control'], /^public, max-age=\d+/);
  t.match(first.headers['surrogate-key'], /\barticles\b.*\barticle-\d+/);
  const etag = String(first.headers.etag);
  t.equal(
    (await call('GET', '/feeds/articles.rss', { key: null, headers: { 'if-none-match': etag } })).status,
    304,
  );
  t.equal((await call('GET', '/feeds/articles.rss', { key: null })).headers['x-cache'], 'HIT');
  clock.set(scheduled.publishedAt);
  const live = await call('GET', '/feeds/articles.rss', { key: null, headers: { 'if-none-match': etag } });
  t.equal(live.status, 200);
  t.equal(parseRssFeed(live.body).items?.[0]?.title, 'Tomorrow');
  const etag2 = String(live.headers.etag);
  await call('PATCH', `/v1/articles/${europe.id}`, { body: { title: 'Talks in Vienna, updated' } });
  const edited = await call('GET', '/feeds/articles.rss', { key: null, headers: { 'if-none-match': etag2 } });
  t.equal(edited.status, 200, 'an edit changes the feed');
  t.ok(edited.body.includes('Talks in Vienna, updated'));
});

t.test('sitemap index and article files: valid, complete, newest first, split by size', async (t) => {
  const { call, clock } = await newsroom(t, { ...SITE, sitemapUrlsPerFile: 2 });
  for (let i = 0; i < 3; i++) {
    await call('POST', '/v1/articles', {
      body: { title: `Brief ${i}`, status: 'published', publishedAt: `2026-01-14T0${i}:00:00.000Z` },
    });
  }
  const index = await call('GET', '/sitemap.xml', { key: null });
  t.equal(index.headers['content-type'], 'application/xml; charset=utf-8');
  t.same(await xmlErrors(index.body, 'siteindex.xsd'), []);
  const files = textsOf(index.body, 'loc');
  t.same(files, [
    'https://news.example.com/sitemaps/articles-1.xml',
    'https://news.example.com/sitemaps/articles-2.xml',
    'https://news.example.com/sitemaps/articles-3.xml',
    'https://news.example.com/sitemaps/sections.xml',
    'https://news.example.com/sitemaps/tags.xml',
    'https://news.example.com/sitemaps/authors.xml',
    'https://news.example.com/sitemaps/news.xml',
  ]);
  const locs: string[] = [];
  const lastmods: string[] = [];
  for (const page of [1, 2, 3]) {
    const file = await call('GET', `/sitemaps/articles-${page}.xml`, { key: null });
    t.equal(file.status, 200);
    t.same(await xmlErrors(file.body, 'sitemap.xsd'), [], `page ${page}`);
    locs.push(...textsOf(file.body, 'loc'));
    lastmods.push(...textsOf(file.body, 'lastmod'));
  }
  const api = await call('GET', '/v1/articles?perPage=100&fields=url,updatedAt', { key: null });
  t.same(
    locs,
    api.json.data.map((article: { url: string }) => article.url),
  );
  t.same(
    lastmods,
    api.json.data.map((article: { updatedAt: string }) => article.updatedAt),
  );
  t.equal((await call('GET', '/sitemaps/articles-4.xml', { key: null })).status, 404);
  t.equal((await call('GET', '/sitemaps/articles-0.xml', { key: null })).status, 400);
  clock.set('2026-01-16T06:00:00.000Z');
  const grown = await call('GET', '/sitemaps/articles-1.xml', { key: null });
  t.match(textsOf(grown.body, 'loc')[0], /\/world\/tomorrow$/, 'the scheduled article, at its instant');
});

t.test('sections and tags sitemaps: pages that exist for the public', async (t) => {
  const { call } = await newsroom(t);
  const sections = await call('GET', '/sitemaps/sections.xml', { key: null });
  t.same(await xmlErrors(sections.body, 'sitemap.xsd'), []);
  t.same(textsOf(sections.body, 'loc'), [
    'https://news.example.com/',
    'https://news.example.com/breaking-news',
    'https://news.example.com/world',
    'https://news.example.com/europe',
  ]);
  const tags = await call('GET', '/sitemaps/tags.xml', { key: null });
  t.same(await xmlErrors(tags.body, 'sitemap.xsd'), []);
  const tagLocs = textsOf(tags.body, 'loc');
  t.equal(tagLocs.length, 11, 'the ten seed tags and Diplomacy');
  t.notOk(tagLocs.includes('https://news.example.com/tag/secret-plans'), 'a draft’s tag stays private');
});

t.test('Google News sitemap: the last 48 hours, valid against both schemas', async (t) => {
  const { call, clock, seeded, europe } = await newsroom(t);
  clock.set('2026-01-16T12:00:00.000Z');
  const news = await call('GET', '/sitemaps/news.xml', { key: null });
  t.same(await xmlErrors(news.body, 'news-urlset.xsd'), []);
  t.same(textsOf(news.body, 'loc'), ['https://news.example.com/world/tomorrow', europe.url, seeded.url]);
  t.same(textsOf(news.body, 'news:name'), ['Example News', 'Example News', 'Example News']);
  t.same(textsOf(news.body, 'news:language'), ['en', 'en', 'en']);
  t.equal(
    textsOf(news.body, 'news:title')[2],
    'Zelenskyy’s Call for Guaranteed Security: A Turning Point for Ukraine?',
  );
  t.equal(textsOf(news.body, 'news:publication_date')[2], '2026-01-15T09:00:00.000Z');
  const etag = String(news.headers.etag);
  t.equal(
    (await call('GET', '/sitemaps/news.xml', { key: null, headers: { 'if-none-match': etag } })).status,
    304,
  );
  // The seed article turns 48 hours old with no write at all: the file and its ETag change.
  clock.set('2026-01-17T09:00:00.001Z');
  const aged = await call('GET', '/sitemaps/news.xml', { key: null, headers: { 'if-none-match': etag } });
  t.equal(aged.status, 200);
  t.equal(textsOf(aged.body, 'loc').length, 2);
});

t.test('configuration: SITE_URL and templates are checked at start', async (t) => {
  const config = loadConfig({ SITE_URL: 'https://news.example.com/', SITE_LANGUAGE: 'de-AT' });
  t.match(config.site, {
    url: 'https://news.example.com',
    name: 'news.example.com',
    language: 'de-AT',
    publicUrl: 'https://news.example.com',
  });
  t.equal(loadConfig({}).site, undefined);
  t.throws(() => loadConfig({ SITE_URL: 'news.example.com' }), /SITE_URL: must be an absolute http\(s\) URL/);
  t.throws(() => loadConfig({ SITE_URL: 'ftp://news.example.com' }), /SITE_URL: must be/);
  t.throws(
    () => loadConfig({ SITE_URL: 'https://x.example', ARTICLE_URL_TEMPLATE: '{site}/{category}/{slug}' }),
    /ARTICLE_URL_TEMPLATE: unknown placeholder \{category\}/,
  );
  t.throws(() => loadConfig({ SITE_LANGUAGE: 'english please' }), /SITE_LANGUAGE/);
});

t.test('the OpenAPI document lists every feed and sitemap with its media type', async (t) => {
  const { app } = await buildTestApp(t);
  const document = app.swagger() as unknown as {
    paths: Record<string, { get: { responses: Record<string, { content?: Record<string, unknown> }> } }>;
  };
  const mediaTypes = (path: string) => Object.keys(document.paths[path]?.get.responses['200']?.content ?? {});
  t.same(mediaTypes('/feeds/articles.rss'), ['application/rss+xml']);
  t.same(mediaTypes('/feeds/articles.atom'), ['application/atom+xml']);
  t.same(mediaTypes('/feeds/articles.json'), ['application/feed+json']);
  for (const path of ['/sitemap.xml', '/sitemaps/articles-{page}.xml', '/sitemaps/news.xml']) {
    t.same(mediaTypes(path), ['application/xml'], path);
  }
});
