import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeHTML } from 'entities';
import t from 'tap';
import { buildTestApp, storeAt } from '../helpers/app.js';
import { cli, workspace } from '../helpers/cli.js';
import { buildSampleSite, loadSeedArticle, SEED_ARTICLE_PATH } from '../helpers/seed.js';
import { sharedDatabaseUrl } from '../helpers/server.js';

t.test('POST /v1/articles takes the seed article as text/markdown, as the JSON form would', async (t) => {
  const { call } = await buildTestApp(t);
  const seed = loadSeedArticle();
  await call('POST', '/v1/sections', { body: { name: seed.section } });
  const markdown = await call('POST', '/v1/articles', {
    headers: { 'content-type': 'text/markdown; charset=utf-8' },
    body: readFileSync(SEED_ARTICLE_PATH, 'utf8'),
  });
  t.equal(markdown.status, 201);
  const json = await call('POST', '/v1/articles', { body: { ...seed, slug: 'json-form' } });
  const same = (article: Record<string, unknown>) => {
    const { id: _id, slug: _slug, createdAt: _c, updatedAt: _u, publishedAt: _p, ...rest } = article;
    return rest;
  };
  t.same(same(markdown.json), same(json.json), 'the same article either way');
  t.equal(markdown.json.body, seed.body, 'the body byte for byte');
  t.equal(markdown.json.tags.length, 10);

  const bad = await call('POST', '/v1/articles', {
    headers: { 'content-type': 'text/markdown' },
    body: '---\ntitle: Fine\nstatus: sideways\nwho: me\n---\nBody\n',
  });
  t.equal(bad.status, 400);
  t.match(bad.json, { type: /invalid-front-matter$/, detail: /line 3: .*line 4: unknown field "who"/ });
  t.same(
    bad.json.errors.map((error: { path: string }) => error.path),
    ['/body/status', '/body/who'],
  );
  const unfenced = await call('POST', '/v1/articles', {
    headers: { 'content-type': 'text/markdown' },
    body: 'Just text',
  });
  t.match(unfenced.json, {
    status: 400,
    detail: /line 1: the file must start with a --- front matter fence/,
  });
});

t.test('import markdown: a folder with the seed article; a second run changes nothing', async (t) => {
  const dir = workspace(t);
  const folder = join(dir, 'content');
  mkdirSync(join(folder, 'world'), { recursive: true });
  copyFileSync(SEED_ARTICLE_PATH, join(folder, 'seed-article.md'));
  const harbour = join(folder, 'world', 'harbour.md');
  writeFileSync(
    harbour,
    '---\ntitle: Harbour\nsection: World\ntags: [Harbour]\nstatus: published\n---\n\nVoted.\n',
  );
  writeFileSync(join(folder, 'broken.md'), '---\ntitle: [unclosed\n---\n');
  // On PostgreSQL too, with TEST_DATABASE_URL.
  const database = await sharedDatabaseUrl(t);

  const dry = await cli(database, 'import', 'markdown', folder, '--dry-run');
  t.match(dry.output, /dry run: nothing was written/);
  const first = await cli(database, 'import', 'markdown', folder);
  t.equal(first.code, 1, 'a failed file makes the exit code non-zero');
  t.match(first.output, /article\s+2\s+0\s+0\s+0\s+1/);
  t.match(first.output, /section\s+2\s+0/, 'Breaking News and World created');
  t.match(first.output, /tag\s+11\s+0/);
  t.match(first.output, /failed article md:broken\.md: .*line 2/);
  const second = await cli(database, 'import', 'markdown', folder);
  t.match(second.output, /article\s+0\s+0\s+2\s+0\s+1/, 'unchanged the second time');
  writeFileSync(
    harbour,
    '---\ntitle: Harbour, revised\nsection: World\nstatus: published\n---\n\nVoted again.\n',
  );
  const third = await cli(database, 'import', 'markdown', folder);
  t.match(third.output, /article\s+0\s+1\s+1\s+0\s+1/, 'the edited file updates its article');

  const { call, clock } = await buildTestApp(t, storeAt(database));
  clock.set(new Date().toISOString()); // the CLI ran on the real clock
  const seed = loadSeedArticle();
  const imported = (await call('GET', '/v1/articles?section=breaking-news&include=body')).json.data[0];
  t.match(imported, {
    title: seed.title,
    status: 'published',
    body: seed.body,
    section: { name: 'Breaking News' },
  });
  t.same(
    imported.tags.map((tag: { name: string }) => tag.name),
    seed.tags,
  );
  const revised = (await call('GET', '/v1/articles?section=world&include=body')).json.data[0];
  t.match(revised, { title: 'Harbour, revised', body: 'Voted again.\n', tags: [], version: 2 });
});

t.test('NDJSON: export, import into an empty database, export again: the same bytes and API', async (t) => {
  const dir = workspace(t);
  const source = join(dir, 'source.db');
  await buildSampleSite(t, source);
  const first = join(dir, 'first.ndjson');
  const second = join(dir, 'second.ndjson');
  t.match(
    (await cli(source, 'export', 'ndjson', first)).output,
    /exported 3 sections, 11 tags, 1 media, 1 author, 3 articles, 2 comments/,
  );
  const target = join(dir, 'target.db');
  const imported = await cli(target, 'import', 'ndjson', first);
  t.equal(imported.code, 0, imported.output);
  t.match(imported.output, /article\s+3\s+0\s+0\s+0\s+0/);
  await cli(target, 'export', 'ndjson', second);
  t.equal(readFileSync(second, 'utf8'), readFileSync(first, 'utf8'), 'byte-identical');
  const again = await cli(target, 'import', 'ndjson', first);
  t.match(again.output, /article\s+0\s+0\s+3\s+0\s+0/, 'a second import changes nothing');

  const before = await buildTestApp(t, { databaseFile: source });
  const after = await buildTestApp(t, { databaseFile: target });
  for (const url of [
    '/v1/articles?include=body,bodyHtml,toc',
    '/v1/articles?status=trashed',
    '/v1/articles/1',
    '/v1/articles/1/revisions',
    '/v1/articles/1/revisions/2',
    '/v1/articles/1/corrections',
    '/v1/articles/1/comments',
    '/v1/comments?status=pending',
    '/v1/sections',
    '/v1/tags?perPage=100',
    '/v1/authors',
    '/v1/media',
    '/v1/search?q=security',
  ]) {
    const [a, b] = await Promise.all([before.call('GET', url), after.call('GET', url)]);
    t.equal(b.status, a.status, url);
    t.same(b.json, a.json, url);
  }
});

t.test('NDJSON from before authors: a text byline becomes an author on import', async (t) => {
  const dir = workspace(t);
  const source = join(dir, 'source.db');
  await buildSampleSite(t, source);
  const exported = join(dir, 'new.ndjson');
  await cli(source, 'export', 'ndjson', exported);
  const lines = readFileSync(exported, 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line));
  const authorLine = lines.find((line) => line.kind === 'author');
  t.ok(authorLine, 'an export carries its authors');
  t.notOk('bioHtml' in authorLine, 'the rendering is derived again, not exported');
  const byline = lines.find((line) => line.kind === 'article' && line.authorIds.length > 0);
  t.same(byline.authorIds, [authorLine.id], 'and each article its byline, by id');
  // What an export written before authors looks like: no author lines, bylines as text.
  const old = lines
    .filter((line) => line.kind !== 'author')
    .map((line) => {
      if (line.kind !== 'article') return line;
      const { authorIds, ...article } = line;
      return { ...article, author: authorIds.length > 0 ? 'Olena Kovalenko' : null };
    });
  const oldFile = join(dir, 'old.ndjson');
  writeFileSync(oldFile, `${old.map((line) => JSON.stringify(line)).join('\n')}\n`);
  const target = join(dir, 'target.db');
  const imported = await cli(target, 'import', 'ndjson', oldFile);
  t.equal(imported.code, 0, imported.output);
  const { call } = await buildTestApp(t, { databaseFile: target });
  const article = (await call('GET', `/v1/articles/${byline.id}`)).json;
  t.same(
    article.authors.map((author: { slug: string }) => author.slug),
    ['olena-kovalenko'],
  );
  t.equal(article.byline, 'Olena Kovalenko');
});

t.test('NDJSON: a bad line is reported with its line and skips only itself', async (t) => {
  const dir = workspace(t);
  const file = join(dir, 'broken.ndjson');
  writeFileSync(
    file,
    [
      '{"kind":"broadsheet","format":"broadsheet.ndjson/1"}',
      '{"kind":"tag","id":1,"slug":"fine","name":"Fine","description":null,"sourceId":null,"createdAt":"2026-01-01T00:00:00.000Z","updatedAt":"2026-01-01T00:00:00.000Z"}',
      '{"kind":"tag","id":2,"slug":"Not A Slug","name":"Bad","description":null,"sourceId":null,"createdAt":"2026-01-01T00:00:00.000Z","updatedAt":"2026-01-01T00:00:00.000Z"}',
      'not json',
      '{"kind":"comment","id":1,"articleId":99,"parentId":null,"depth":0,"path":"000000000001","authorName":"A","authorEmail":"a@b.c","body":"orphan","status":"approved","deleted":false,"sourceId":null,"createdAt":"2026-01-01T00:00:00.000Z","updatedAt":"2026-01-01T00:00:00.000Z"}',
    ].join('\n'),
  );
  const result = await cli(join(dir, 'site.db'), 'import', 'ndjson', file);
  t.equal(result.code, 1);
  t.match(result.output, /tag\s+1\s+0\s+0\s+0\s+1/);
  t.match(result.output, /failed tag line 3 \(tag 2\): \/slug/);
  t.match(result.output, /failed line line 4: not JSON/);
  t.match(result.output, /failed comment line 5 \(comment 1\): FOREIGN KEY constraint failed/);
});

const WXR = fileURLToPath(new URL('../fixtures/wordpress-export.xml', import.meta.url));

/** Words of a text, lower-cased: what a conversion must keep. */
const words = (text: string) =>
  new Set(
    decodeHTML(text.replace(/<!--[\s\S]*?-->/g, ' ').replace(/<[^>]*>/g, ' '))
      .toLowerCase()
      .match(/[\p{L}\p{N}]+/gu) ?? [],
  );

t.test('import wordpress: the tricky export, then again unchanged', async (t) => {
  const database = await sharedDatabaseUrl(t);
  const first = await cli(database, 'import', 'wordpress', WXR);
  t.equal(first.code, 0, first.output);
  t.match(first.output, /section\s+63\s+0\s+0\s+0\s+0/, 'every category, used or not');
  t.match(first.output, /author\s+2\s+0\s+0\s+0\s+0/, 'both wp:author entries');
  t.match(first.output, /article\s+7\s+0\s+0\s+1\s+0/, 'trash skipped');
  t.match(first.output, /comment\s+4\s+0\s+0\s+3\s+0/, 'pingback, trackback and trashed comment skipped');
  t.match(first.output, /page\s+0\s+0\s+0\s+1/);
  t.match(first.output, /attachment\s+0\s+0\s+0\s+1/);
  t.match(first.output, /nav_menu_item\s+0\s+0\s+0\s+1/);
  t.match(first.output, /wp:post:10: 1 shortcode\(s\) kept as text: \[gallery\]/);
  t.match(first.output, /wp:post:12: no title; "Tide tables explained" from its slug/);
  t.match(first.output, /wp:post:13: 59 terms; the first 50 kept as tags, not: Extra 51,/);
  t.match(first.output, /wp:post:15: password-protected: imported as a draft/);
  const second = await cli(database, 'import', 'wordpress', WXR);
  t.match(second.output, /section\s+0\s+0\s+63/);
  t.match(second.output, /author\s+0\s+0\s+2\s+0\s+0/);
  t.match(second.output, /article\s+0\s+0\s+7\s+1\s+0/, 'a second run changes nothing');
  t.match(second.output, /comment\s+0\s+0\s+4\s+3\s+0/);

  const { call } = await buildTestApp(t, storeAt(database));
  const europe = (await call('GET', '/v1/sections/europe')).json;
  const world = (await call('GET', `/v1/sections/${europe.parentId}`)).json;
  t.match(world, { slug: 'world', name: 'World & Abroad' });
  t.match((await call('GET', `/v1/sections/${world.parentId}`)).json, {
    slug: 'news',
    description: 'All the news',
  });
  t.equal((await call('GET', '/v1/sections/unused')).json.name, 'Never Used');

  const vote = (await call('GET', '/v1/articles/council-vote')).json;
  t.match(vote, {
    title: 'Council & harbour: the “big” vote',
    excerpt: 'The council voted on the harbour plan.',
    status: 'published',
    publishedAt: '2026-01-10T08:00:00.000Z',
    author: 'Edith Editor',
    section: { slug: 'europe' },
    commentsEnabled: true,
  });
  t.same(
    vote.tags.map((tag: { name: string }) => tag.name),
    ['News', 'Harbour', 'Council'],
    'the first category is the section; the others and the tags are tags',
  );
  t.notMatch(vote.body, /wp:/, 'block comments dropped');
  t.match(vote.body, /\| Item \| Cost \|/, 'table');
  t.match(vote.body, /- {3}Dredging\n {4}1\. {2}North basin/, 'nested mixed lists');
  t.match(vote.body, /> A harbour for everyone\./);
  t.match(vote.body, /```\nbudget = 5_000_000\n```/);
  t.match(vote.body, /!\[The quay\]\(https:\/\/harbour\.example\/wp-content\/uploads\/quay\.jpg\)/);
  t.match(
    vote.body,
    /\*\*voted\*\* on the \*harbour\* plan, see \[the plan\]\(https:\/\/harbour\.example\/plan\)/,
  );
  t.match(vote.bodyHtml, /\[gallery ids=&quot;7,8,9&quot;\]/, 'an unknown shortcode stays as text');
  t.match(vote.bodyHtml, /<a href="https:\/\/video\.example\/watch\/42">/, 'an embed becomes its link');
  const original =
    readFileSync(WXR, 'utf8').match(/<content:encoded><!\[CDATA\[([\s\S]*?)\]\]><\/content:encoded>/)?.[1] ??
    '';
  const rendered = words(vote.bodyHtml);
  const lost = [...words(original.replace(/\[\/?embed\]/g, ' '))].filter((word) => !rendered.has(word));
  t.same(lost, [], 'the rendered body keeps every word of the original');

  const comments = (await call('GET', `/v1/articles/${vote.id}/comments`, { key: null })).json.data;
  t.match(comments, [
    { authorName: 'Ann', parentId: null },
    { authorName: 'Ben', depth: 1 },
  ]);
  const queue = (await call('GET', '/v1/comments?status=pending')).json.data;
  t.match(queue, [{ authorName: 'Cy', parentId: comments[1].id, createdAt: '2026-01-10T12:00:00.000Z' }]);
  t.equal((await call('GET', '/v1/comments?status=spam')).json.data[0].authorName, 'Spammer');

  const market = (await call('GET', '/v1/articles/night-market')).json;
  t.match(market, { status: 'scheduled', publishedAt: '2099-06-01T17:00:00.000Z', commentsEnabled: false });
  t.same(
    market.authors.map(({ slug, name }: { slug: string; name: string }) => ({ slug, name })),
    [{ slug: 'sam-sub', name: 'Samira Sub-Editor' }],
    'the second author: the login as slug, the display name as name',
  );
  const sam = (await call('GET', '/v1/authors/sam-sub')).json;
  t.equal(sam.email, 'sam@harbour.example', 'the newsroom keeps the email');
  t.equal(
    (await call('GET', '/v1/authors/sam-sub', { key: null })).status,
    404,
    'a scheduled byline: not public',
  );
  const ed = await call('GET', '/v1/authors/ed', { key: null });
  t.match(ed.json, { name: 'Edith Editor', articleCount: 3 });
  t.notOk('email' in ed.json, 'never the public');
  t.equal(
    market.body,
    'The night market opens on the quay.  \nStalls from six.\n\nFood, music and lights until late.\n',
    'autop',
  );
  t.equal((await call('GET', '/v1/articles/tide-tables-explained')).json.title, 'Tide tables explained');
  t.equal((await call('GET', '/v1/articles/everything')).json.tags.length, 50);
  for (const slug of ['members-only', 'private-note', 'draft-idea']) {
    t.equal((await call('GET', `/v1/articles/${slug}`)).json.status, 'draft', slug);
  }
  t.equal((await call('GET', '/v1/articles/binned')).status, 404);
  t.equal((await call('GET', '/v1/articles/about')).status, 404, 'pages only with --pages');
  const withPages = await cli(database, 'import', 'wordpress', WXR, '--pages');
  t.match(withPages.output, /article\s+1\s+0\s+7\s+1\s+0/);
  t.equal((await call('GET', '/v1/articles/about')).json.title, 'About us');
});
