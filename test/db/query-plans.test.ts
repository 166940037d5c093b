import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import t from 'tap';
import { buildTestApp } from '../helpers/app.js';
import { SITE } from '../helpers/syndication.js';

// SQLite only (its query planner), with or without TEST_DATABASE_URL. Record every statement
// the app prepares, then ask SQLite how it would run each one.
const prepared = new Set<string>();
const originalPrepare = Database.prototype.prepare;
Database.prototype.prepare = function recordingPrepare(this: Database.Database, source: string) {
  prepared.add(source);
  return originalPrepare.call(this, source) as ReturnType<typeof originalPrepare>;
} as typeof originalPrepare;

// Tables that grow with the content: reading any of them whole is an O(n) path.
const LARGE_TABLES = /^SCAN (articles|article_tags|comments|article_revisions)\b(?! USING (COVERING )?INDEX)/;

t.test('every query on large tables uses an index (EXPLAIN QUERY PLAN)', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'broadsheet-plans-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'plans.db');
  const { call, app } = await buildTestApp(t, { databaseFile: file, site: SITE });
  await call('POST', '/v1/sections', { body: { name: 'World' } });
  await call('POST', '/v1/sections', { body: { name: 'Europe', parentId: 1 } });
  for (let i = 0; i < 60; i++) {
    const article = await call('POST', '/v1/articles', {
      body: {
        title: `Story ${i} about security`,
        status: i % 7 ? 'published' : 'draft',
        section: i % 2 ? 'world' : 'europe',
        tags: [`tag-${i % 6}`, 'common'],
        author: `Author ${i % 3}`,
        body: `Paragraph about guarantees ${i}.`,
      },
    });
    if (i % 10 === 0) {
      await call('POST', `/v1/articles/${article.json.id}/comments`, {
        body: { authorName: 'R', authorEmail: 'r@example.org', body: `comment ${i}`, status: 'approved' },
      });
      await call('PATCH', `/v1/articles/${article.json.id}`, { body: { subtitle: 'edited' } });
    }
  }
  const cursor = (await call('GET', '/v1/articles?perPage=5', { key: null })).json.meta.nextCursor;
  const urls = [
    '/v1/articles',
    `/v1/articles?cursor=${cursor}&perPage=5`,
    '/v1/articles?sort=title',
    '/v1/articles?sort=-updatedAt',
    '/v1/articles?sort=createdAt',
    '/v1/articles?section=world',
    '/v1/articles?section=world&includeSubsections=true',
    '/v1/articles?tag=tag-1',
    '/v1/articles?tag=tag-1,tag-2',
    '/v1/articles?tagAll=tag-1,common',
    '/v1/articles?author=Author%201',
    '/v1/articles?status=published',
    '/v1/articles?status=draft',
    '/v1/articles?publishedAfter=2026-01-01&publishedBefore=2026-12-31',
    '/v1/articles?updatedSince=2026-01-01',
    '/v1/search?q=security',
    '/v1/search?q=security&section=world&sort=-publishedAt',
    '/v1/articles/1',
    '/v1/articles/story-1-about-security',
    '/v1/articles/1/comments',
    '/v1/articles/1/revisions',
    '/v1/sections',
    '/v1/sections/world',
    '/v1/tags',
    '/v1/tags?sort=-articleCount',
    '/v1/tags/common',
    '/v1/comments?status=approved',
    '/feeds/articles.rss?section=world',
    '/feeds/articles.atom?tag=common',
    '/sitemap.xml',
    '/sitemaps/articles-1.xml',
    '/sitemaps/sections.xml',
    '/sitemaps/tags.xml',
    '/sitemaps/news.xml',
  ];
  for (const url of urls) {
    t.equal((await call('GET', url, { key: null })).status < 500, true);
    await call('GET', url);
  }
  await app.jobs.runOnce();
  // A second connection to the same file: same schema, so the same plans.
  const db = new Database(file, { readonly: true });
  t.teardown(() => db.close());
  // Each step of how SQLite would run a statement (every parameter null).
  const planSteps = (source: string | undefined) =>
    (
      db.prepare(`EXPLAIN QUERY PLAN ${source}`).all(...(source?.match(/\?/g) ?? []).map(() => null)) as {
        detail: string;
      }[]
    ).map((row) => row.detail);
  const planOf = (source: string | undefined) => planSteps(source).join('\n');
  let checked = 0;
  for (const source of prepared) {
    if (!/^\s*(select|with)/i.test(source) || source.includes('__drizzle')) continue;
    checked++;
    for (const detail of planSteps(source))
      t.notMatch(detail, LARGE_TABLES, `${detail} in: ${source.slice(0, 200)}`);
  }
  t.ok(checked >= 20, `${checked} distinct queries checked`);

  // Queries every write runs (the background jobs' announcement check, the new slug's
  // neighbours) must not read a row per article: both once read all 10,000 on each create.
  const announcing = [...prepared].find((source) =>
    /"announced" = \?\) and "articles"\."published_at" <= \?/.test(source),
  );
  t.match(
    planOf(announcing),
    /^SEARCH articles USING COVERING INDEX articles_announcement_idx \(announced=\? AND status=\? AND published_at<\?\)$/,
    'due announcements are found from the index alone',
  );
  const neighbours = [...prepared].find((source) =>
    /from "articles" where \("articles"\."slug" = \? or/.test(source),
  );
  t.notMatch(planOf(neighbours), /SCAN/, 'a new slug reads only its neighbours');

  // Keyset paging must seek, not filter: page 500 should cost what page 1 does.
  const keyset = [...prepared].find((source) => /\) < \(/.test(source) && source.includes('"published_at"'));
  t.ok(keyset, 'the cursor query was issued');
  t.match(
    planOf(keyset),
    /SEARCH articles USING (COVERING )?INDEX \w+ \(status=\? AND published_at<\?\)/,
    'cursor pages seek on the index',
  );

  // A search evaluates its MATCH once, reading the full-text index first: driven from the
  // status index, SQLite evaluated it once per published row (`t*` held the process for 50 s).
  const searches = [...prepared].filter(
    (source) => /^select/i.test(source) && /articles_fts match \?/.test(source),
  );
  t.ok(searches.length >= 3, 'the ranking, counting and window queries were issued');
  for (const source of searches) {
    const outer = planSteps(source).find((detail) => /^(SCAN|SEARCH) /.test(detail));
    t.match(outer, /^SCAN articles_fts VIRTUAL TABLE/, `the index drives: ${source.slice(0, 120)}`);
  }

  // A sitemap file of 50,000 URLs reads the index only, never the rows with their bodies.
  const sitemapPage = [...prepared].find((source) =>
    /^select "articles"\."id", "articles"\."slug", "sections"\."slug", [^(]*"articles"\."updated_at" from "articles" .* limit \?( offset \?)?$/.test(
      source,
    ),
  );
  t.ok(sitemapPage, 'the sitemap page query was issued');
  t.match(
    planOf(sitemapPage),
    /SEARCH articles USING COVERING INDEX articles_status_published_idx/,
    'sitemap pages walk a covering index',
  );
});
