import t from 'tap';
import { CACHE_OFF, sqliteTestApp, statementsOf } from '../helpers/statements.js';

// SQLite only (it counts better-sqlite3's statements), with or without TEST_DATABASE_URL: what a
// cold read costs in statements, so the read path cannot grow a query unnoticed.

t.test('a cold article read is one query, and so is a list of 20', async (t) => {
  const { call } = await sqliteTestApp(t, { cache: CACHE_OFF });
  await call('POST', '/v1/sections', { body: { name: 'World' } });
  for (let i = 0; i < 25; i++)
    await call('POST', '/v1/articles', {
      body: {
        title: `Story ${i}`,
        status: 'published',
        section: 'world',
        tags: ['security', `tag ${i}`],
        authors: [],
        body: `## Heading\n\nParagraph ${i}.`,
      },
    });
  const read = (url: string) => () => call('GET', url, { key: null });

  await read('/v1/articles/story-3')();
  const article = await statementsOf(read('/v1/articles/story-3'));
  t.equal(article.filter((source) => /^pragma data_version/i.test(source)).length, 1, 'one freshness check');
  const queries = article.filter((source) => !/^pragma/i.test(source));
  t.equal(queries.length, 1, 'one query reads the article, its tags, authors and validators');
  const response = await call('GET', '/v1/articles/story-3', { key: null });
  t.same(
    response.json.tags.map((tag: { name: string }) => tag.name),
    ['security', 'tag 3'],
    'tags come from that query, in order',
  );

  await read('/v1/articles?perPage=20')();
  const list = (await statementsOf(read('/v1/articles?perPage=20'))).filter(
    (source) => !/^pragma/i.test(source),
  );
  // Tags and authors come with the page; the total is remembered while nothing is written.
  t.equal(list.length, 1, 'a list of 20 is one query');

  // A write moves the state: the next read asks again (once) and answers the write.
  await call('PATCH', '/v1/articles/story-3', { body: { title: 'Story three' } });
  const afterWrite = await call('GET', '/v1/articles/story-3', { key: null });
  t.equal(afterWrite.json.title, 'Story three', 'the write is seen');
});

t.test('a search ranks each match once', async (t) => {
  const { call } = await sqliteTestApp(t, { cache: CACHE_OFF });
  // Three of eight match: bm25 scores a term most documents hold as nothing.
  for (let i = 0; i < 8; i++)
    await call('POST', '/v1/articles', {
      body: {
        title: `Story ${i}`,
        status: 'published',
        body: i < 3 ? `The harbour, story ${i}.` : 'Elsewhere.',
      },
    });
  const statements = await statementsOf(() => call('GET', '/v1/search?q=harbour', { key: null }));
  const ranking = statements.filter((source) => source.includes('bm25('));
  t.equal(ranking.length, 1, 'one ranking query');
  // bm25 re-reads each match's positions: written in the select list and the order, it ran per mention.
  t.equal(ranking[0]?.split('bm25(').length, 2, 'bm25 appears once in it');
  const response = await call('GET', '/v1/search?q=harbour', { key: null });
  t.equal(response.json.data.length, 3);
  t.ok(
    response.json.data.every((hit: { score: number }) => hit.score > 0),
    'scores come from that rank',
  );
});
