import { eq } from 'drizzle-orm';
import t from 'tap';
import type { Config } from '../../src/config.js';
import { openDatabaseOf } from '../../src/store.js';
import { buildTestApp, sharedStore } from '../helpers/app.js';
import { postgresUrl } from '../helpers/postgres.js';
import { loadSeedArticle } from '../helpers/seed.js';

t.test('the seed article renders: headings with ids, lists, quotes, curly quotes', async (t) => {
  const { call } = await buildTestApp(t);
  const seed = loadSeedArticle();
  await call('POST', '/v1/sections', { body: { name: seed.section } });
  const created = await call('POST', '/v1/articles', { body: seed });
  const article = (await call('GET', `/v1/articles/${created.json.slug}`, { key: null })).json;
  t.equal(article.toc.length, 7, 'seven headings');
  t.same(article.toc[0], { level: 2, text: 'Introduction', id: 'introduction' });
  t.match(article.bodyHtml, '<h2 id="introduction">Introduction</h2>');
  for (const entry of article.toc) t.match(article.bodyHtml, `id="${entry.id}"`);
  t.match(article.bodyHtml, /<blockquote>\s*<p>“We have more than 30 security documents/);
  t.match(article.bodyHtml, /<ul>\s*<li>/);
  t.match(article.bodyHtml, /<ol>\s*<li>/);
  t.match(article.bodyHtml, 'Ukraine—a demand', 'em dashes kept');
  t.match(article.bodyHtml, 'country’s', 'curly apostrophes kept');
  t.match(article.excerpt, /^In recent weeks/);
  t.ok(article.excerpt.length <= 200 && article.excerpt.endsWith('…'));
  // Counted once by hand from the fixture's text (headings and list items included, Markdown
  // syntax not), and 1,010 words at 230 a minute is 4.4 minutes, rounded up.
  t.equal(article.wordCount, 1010);
  t.equal(article.readingTimeMinutes, 5);
  t.equal(article.body, seed.body);

  const markdownOnly = await call('GET', `/v1/articles/${article.id}?format=markdown`, { key: null });
  t.ok('body' in markdownOnly.json);
  t.notOk('bodyHtml' in markdownOnly.json);
  const htmlOnly = await call('GET', `/v1/articles/${article.id}?format=html`, { key: null });
  t.notOk('body' in htmlOnly.json);
  t.ok('bodyHtml' in htmlOnly.json);

  const list = await call('GET', '/v1/articles?include=bodyHtml,toc', { key: null });
  t.equal(list.json.data[0].bodyHtml, article.bodyHtml);
  t.equal(list.json.data[0].toc.length, 7);
  t.notOk('body' in list.json.data[0]);
});

t.test('a stored <script> and javascript: link come out harmless', async (t) => {
  const { call } = await buildTestApp(t);
  const created = await call('POST', '/v1/articles', {
    body: {
      title: 'Hostile',
      status: 'published',
      body: '<script>alert(document.cookie)</script>\n\n[click](javascript:alert(1)) <a href="x" onclick="evil()">y</a>',
    },
  });
  const html: string = created.json.bodyHtml;
  t.notMatch(html, /<script/i);
  t.notMatch(html, /href="javascript:/i);
  t.notMatch(html, /<a [^>]*onclick/i);
  t.match(html, '&lt;script&gt;');
  t.equal(
    created.json.excerpt,
    '<script>alert(document.cookie)</script>',
    'the excerpt is plain text, escaped by whoever shows it',
  );
  const edited = await call('PATCH', `/v1/articles/${created.json.id}`, {
    body: { body: '## New\n\nFresh text.' },
  });
  t.equal(edited.json.bodyHtml, '<h2 id="new">New</h2>\n<p>Fresh text.</p>\n', 'rendering follows edits');
  t.equal(edited.json.excerpt, 'Fresh text.');
});

t.test('bodies stored by an older renderer are rendered again when the store opens', async (t) => {
  const shared = sharedStore(t);
  const first = await buildTestApp(t, {}, shared);
  const created = await first.call('POST', '/v1/articles', {
    body: { title: 'Rendered long ago', body: '## Then\n\nAnd *now*.', status: 'published' },
  });
  await first.app.close();
  // As an older renderer left it: another version number, other HTML.
  const config = shared.config.databaseFile ? shared.config : { postgresUrl };
  const db = await openDatabaseOf(config as Config, { postgresSchema: shared.postgresSchema });
  const { articles, articleBodies } = db.tables;
  await db.write(async () => {
    await db.query().update(articles).set({ renderVersion: 0 }).where(eq(articles.id, created.json.id));
    await db
      .query()
      .update(articleBodies)
      .set({ bodyHtml: '<p>stale</p>' })
      .where(eq(articleBodies.articleId, created.json.id));
  });
  await db.close();

  const second = await buildTestApp(t, {}, shared);
  const read = await second.call('GET', `/v1/articles/${created.json.id}`, { key: null });
  t.match(read.json.bodyHtml, /<h2 id="then">Then<\/h2>\s*<p>And <em>now<\/em>\.<\/p>/, 'rendered again');
  t.notMatch(read.json.bodyHtml, /stale/);
});
