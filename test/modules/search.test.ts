import t from 'tap';
import { buildTestApp } from '../helpers/app.js';
import { loadSeedArticle } from '../helpers/seed.js';

async function withContent(t: Parameters<typeof buildTestApp>[0]) {
  const app = await buildTestApp(t);
  const seed = loadSeedArticle();
  await app.call('POST', '/v1/sections', { body: { name: seed.section } });
  const article = (await app.call('POST', '/v1/articles', { body: seed })).json;
  const others = [
    {
      title: 'Cease-fire talks in Kyiv',
      body: 'The U.S. envoy said the cease-fire would hold. Café owners reopened.',
    },
    { title: 'KYIV marathon returns', body: "Runners don't mind the rain." },
    { title: 'Security at the stadium', body: 'Guards checked bags. No guarantees were given.' },
    {
      title: 'Draft about security guarantees',
      body: 'Unpublished security guarantees text.',
      status: 'draft',
    },
  ];
  for (const other of others)
    await app.call('POST', '/v1/articles', { body: { status: 'published', ...other } });
  return { ...app, article };
}

const titles = (response: { json: { data: { title: string }[] } }) =>
  response.json.data.map((item) => item.title);

t.test('the seed article is found by phrase, prefix, tag and section', async (t) => {
  const { call, article } = await withContent(t);
  const phrase = await call('GET', '/v1/search?q=%22security%20guarantees%22', { key: null });
  t.equal(phrase.status, 200);
  t.equal(phrase.json.data[0].id, article.id, 'phrase finds the seed article first');
  t.notOk(titles(phrase).includes('Security at the stadium'), 'the phrase needs the words together');
  t.notOk(
    titles(phrase).includes('Draft about security guarantees'),
    'never unpublished content without a key',
  );
  t.match(phrase.json.data[0].snippet, /<mark>security guarantees<\/mark>/i);
  t.ok(phrase.json.data[0].score > 0);
  t.notOk('body' in phrase.json.data[0]);

  const prefix = await call('GET', '/v1/search?q=Zelensky*', { key: null });
  t.same(titles(prefix), [article.title]);
  const byTag = await call('GET', '/v1/search?q=SecurityGuarantees', { key: null });
  t.same(titles(byTag), [article.title], 'tag names are indexed');
  const inSection = await call('GET', '/v1/articles?q=security&section=breaking-news', { key: null });
  t.same(titles(inSection), [article.title], 'filters apply to searches');
  const keyed = await call('GET', '/v1/search?q=%22security%20guarantees%22');
  t.ok(titles(keyed).includes('Draft about security guarantees'), 'content:read sees drafts in search');
});

t.test('title matches outrank body matches', async (t) => {
  const { call } = await withContent(t);
  const stadium = await call('GET', '/v1/search?q=security', { key: null });
  t.equal(stadium.json.data[0].title, 'Security at the stadium');
});

t.test('operators, punctuation, case and diacritics', async (t) => {
  const { call } = await withContent(t);
  const search = async (q: string) =>
    titles(await call('GET', `/v1/search?q=${encodeURIComponent(q)}`, { key: null }));
  const kyiv = await search('Kyiv');
  t.ok(
    kyiv.includes('KYIV marathon returns') && kyiv.includes('Cease-fire talks in Kyiv'),
    'Kyiv finds KYIV',
  );
  t.same(await search('cafe'), ['Cease-fire talks in Kyiv'], 'cafe finds café');
  t.equal((await search('cease-fire'))[0], 'Cease-fire talks in Kyiv', 'the title match first');
  t.ok((await search('U.S.')).includes('Cease-fire talks in Kyiv'));
  t.same(await search("don't"), ['KYIV marathon returns']);
  t.equal((await search('Zelenskyy’s')).length, 1);
  for (const q of ['kyiv -marathon', 'kyiv NOT marathon']) {
    const found = await search(q);
    t.ok(found.includes('Cease-fire talks in Kyiv') && !found.includes('KYIV marathon returns'), q);
  }
  t.equal((await search('marathon OR stadium')).length, 2);
  t.equal((await search('(marathon OR stadium) AND guards')).length, 1);
  t.same(await search('rain AND runners'), ['KYIV marathon returns']);
});

t.test('malformed queries are 400s with a helpful detail, never 500s', async (t) => {
  const { call } = await withContent(t);
  for (const [q, detail] of [
    ['a AND', /AND needs a term after it/],
    ['(a', /bracket is not closed/],
    ['*', /\* must follow/],
    ['"open', /quote is not closed/],
    ['-only', /only excludes/],
    ['OR', /OR needs a term/],
    ['a)', /closing bracket/],
    ['x'.repeat(201), /200|characters|longer/],
  ] as const) {
    const response = await call('GET', `/v1/search?q=${encodeURIComponent(q)}`, { key: null });
    t.equal(response.status, 400, q);
    t.match(response.json.detail, detail, q);
  }
  t.equal((await call('GET', '/v1/search', { key: null })).status, 400, 'q is required');
  t.equal((await call('GET', '/v1/articles?sort=relevance', { key: null })).status, 400, 'relevance needs q');
});

t.test('snippet marks are configurable and the text is escaped', async (t) => {
  const { call } = await buildTestApp(t);
  await call('POST', '/v1/articles', {
    body: {
      title: 'Markup',
      status: 'published',
      body: 'Use <b>bold</b> & "quotes" around the keyword here.',
    },
  });
  const marked = await call('GET', '/v1/search?q=keyword', { key: null });
  t.match(
    marked.json.data[0].snippet,
    '&lt;b&gt;bold&lt;/b&gt; &amp; &quot;quotes&quot; around the <mark>keyword</mark>',
  );
  const strong = await call('GET', '/v1/search?q=keyword&highlight=strong', { key: null });
  t.match(strong.json.data[0].snippet, '<strong>keyword</strong>');
  const plain = await call('GET', '/v1/search?q=keyword&highlight=none', { key: null });
  t.notMatch(plain.json.data[0].snippet, /<(mark|strong)>/);
  t.equal((await call('GET', '/v1/search?q=keyword&highlight=script', { key: null })).status, 400);
});

t.test('the index follows every write: edits, renamed tags, deletions', async (t) => {
  const { call, article } = await withContent(t);
  await call('PATCH', `/v1/articles/${article.id}`, { body: { title: 'Quokka diplomacy' } });
  t.equal((await call('GET', '/v1/search?q=quokka', { key: null })).json.meta.total, 1);
  await call('PATCH', '/v1/tags/ukraine', { body: { name: 'Wombatland' } });
  t.equal((await call('GET', '/v1/search?q=wombatland', { key: null })).json.meta.total, 1, 'renamed tags');
  await call('PATCH', `/v1/articles/${article.id}`, { body: { tags: ['Platypus'] } });
  t.equal((await call('GET', '/v1/search?q=wombatland', { key: null })).json.meta.total, 0, 'unlinked tags');
  t.equal((await call('GET', '/v1/search?q=platypus', { key: null })).json.meta.total, 1);
  await call('DELETE', '/v1/tags/platypus');
  t.equal((await call('GET', '/v1/search?q=platypus', { key: null })).json.meta.total, 0, 'deleted tags');
  await call('DELETE', `/v1/articles/${article.id}`);
  t.equal((await call('GET', '/v1/search?q=quokka', { key: null })).json.meta.total, 0, 'deleted articles');
});

t.test(
  'relevance ranks the newest matches only, past SEARCH_RANK_WINDOW; every match stays reachable',
  async (t) => {
    const { call } = await buildTestApp(t, { searchRankWindow: 3 });
    // The oldest has the word in its title (the best match); the newer ones in the body only.
    const titled = ['Harbour council votes', 'Harbour reopens'];
    for (const title of titled) await call('POST', '/v1/articles', { body: { title, status: 'published' } });
    for (const n of [1, 2, 3]) {
      await call('POST', '/v1/articles', {
        body: { title: `Report ${n}`, body: 'Boats left the harbour at dawn.', status: 'published' },
      });
    }
    const ranked = await call('GET', '/v1/search?q=harbour', { key: null });
    t.equal(ranked.status, 200);
    t.same(
      titles(ranked).sort(),
      ['Report 1', 'Report 2', 'Report 3'],
      'only the 3 newest matches are ranked',
    );
    t.equal(ranked.json.meta.total, 5, 'the total counts every match');
    const byDate = await call('GET', '/v1/search?q=harbour&sort=-publishedAt', { key: null });
    t.equal(byDate.json.data.length, 5, 'sorted by date, every match is there');

    const wide = await buildTestApp(t, { searchRankWindow: 100 });
    for (const title of titled)
      await wide.call('POST', '/v1/articles', { body: { title, status: 'published' } });
    await wide.call('POST', '/v1/articles', {
      body: { title: 'Report', body: 'Boats left the harbour at dawn.', status: 'published' },
    });
    const all = await wide.call('GET', '/v1/search?q=harbour', { key: null });
    t.match(titles(all)[0], /^Harbour/, 'within the window, a title match still ranks first');
  },
);
