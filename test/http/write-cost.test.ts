import t from 'tap';
import { builtOf, sqliteTestApp, statementsOf } from '../helpers/statements.js';

// SQLite only (it counts better-sqlite3's statements): what creating an article costs, so the
// write path cannot grow a statement unnoticed.

t.test('creating an article reads it once and deletes nothing', async (t) => {
  const { call } = await sqliteTestApp(t);
  await call('POST', '/v1/sections', { body: { name: 'World' } });
  const create = (title: string) =>
    call('POST', '/v1/articles', {
      body: {
        title,
        status: 'published',
        section: 'world',
        tags: ['security', `Fresh ${title}`],
        excerpt: 'Short.',
        body: '## Hi\n\nText.',
      },
    });
  await create('First');
  let response: Awaited<ReturnType<typeof create>> | undefined;
  const statements = await statementsOf(async () => {
    response = await create('Second');
  });
  t.equal(response?.status, 201);
  t.same(
    statements.filter((source) => /^delete/i.test(source)),
    [],
    'a new article has no links to clear',
  );
  const fullReads = statements.filter((source) =>
    /^select "articles"\."id", "articles"\."slug", "articles"\."title"/.test(source),
  );
  t.equal(
    fullReads.length,
    1,
    'the article is read back once: revision 1, the event and the response share it',
  );
  t.same(
    statements.filter((source) => /from "article_revisions"/.test(source)),
    [],
    'revision 1 compares with nothing',
  );
  t.same(
    statements.filter((source) => /select "excerpt" from "articles"/.test(source)),
    [],
    'the excerpt is the one given',
  );
  t.same(
    statements.filter((source) => /^savepoint/i.test(source)),
    [],
    'tags and authors are resolved in the write itself, with no savepoint',
  );
  t.same(
    statements.filter((source) => /from "tags" where "tags"\."slug" (=|in)/.test(source)).length,
    1,
    'the slugs of the tags named are looked up in one query',
  );
  t.equal(
    statements.filter((source) => /from "webhooks"/.test(source)).length,
    1,
    'the endpoints to deliver to are read once for the three events (tag, article, going live)',
  );
  t.same(
    statements.filter((source) => /^select "slug", "status", "published_at"/.test(source)),
    [],
    'whether it goes live is decided from the state just written',
  );
  t.same(
    statements.filter((source) => /^update "articles"/.test(source)),
    [],
    'and stored with the row: no second write of it (every index it is in, on PostgreSQL)',
  );

  // What the shared read holds is what later reads show.
  const id = response?.json.id as number;
  const revisions = await call('GET', `/v1/articles/${id}/revisions`);
  t.equal(revisions.json.data.length, 1);
  t.equal(revisions.json.data[0].number, 1);
  const revision = await call('GET', `/v1/articles/${id}/revisions/1`);
  t.equal(revision.json.snapshot.excerpt, 'Short.');
  t.same(
    revision.json.snapshot.tags.map((tag: { slug: string }) => tag.slug),
    ['security', 'fresh-second'],
  );
  const read = await call('GET', `/v1/articles/${id}`);
  t.same(read.json, response?.json, 'the response is the article as read afterwards');
});

t.test('a create reuses prepared statements for its article read and its events', async (t) => {
  const { call } = await sqliteTestApp(t);
  const create = (title: string) =>
    call('POST', '/v1/articles', { body: { title, status: 'published', tags: ['security'], body: 'Text.' } });
  await create('First');
  const built = await builtOf(() => create('Second'));
  t.ok(built.length > 0, 'the SQL built is seen');
  t.same(
    built.filter((source) =>
      /^select "articles"\."id", "articles"\."slug", "articles"\."title"/.test(source),
    ),
    [],
    'the article read back inside the write is not built again',
  );
  t.same(
    built.filter((source) => /^insert into "events"/.test(source)),
    [],
    'nor the insert of its events',
  );
});
