import t from 'tap';
import { buildTestApp } from '../helpers/app.js';
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
  t.ok(article.wordCount > 900 && article.wordCount < 1200, `${article.wordCount} words`);
  t.equal(article.readingTimeMinutes, Math.ceil(article.wordCount / 230));
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
