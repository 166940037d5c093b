import t from 'tap';
import { buildTestApp } from '../helpers/app.js';

t.test('article lists: filters, sorting, paging, excerpt instead of body', async (t) => {
  const { call, clock } = await buildTestApp(t);
  await call('POST', '/v1/sections', { body: { name: 'World' } });
  await call('POST', '/v1/sections', { body: { name: 'Sport' } });
  const made: { id: number; slug: string }[] = [];
  for (let i = 1; i <= 25; i++) {
    clock.advance(1000);
    const response = await call('POST', '/v1/articles', {
      body: {
        title: `Story ${String(i).padStart(2, '0')}`,
        section: i % 2 ? 'world' : 'sport',
        tags: i % 5 === 0 ? ['five', 'all'] : ['all'],
        status: i <= 22 ? 'published' : 'draft',
        author: i % 3 === 0 ? 'Olena' : 'Sam',
        body: `First paragraph of story ${i}.\n\nSecond paragraph.`,
      },
    });
    made.push(response.json);
  }
  // Two articles published at the same instant: the tie is broken by id, newest id first.
  clock.advance(1000);
  const twinA = await call('POST', '/v1/articles', { body: { title: 'Twin A', status: 'published' } });
  const twinB = await call('POST', '/v1/articles', { body: { title: 'Twin B', status: 'published' } });

  const first = await call('GET', '/v1/articles', { key: null });
  t.equal(first.json.meta.total, 24, 'drafts are not counted for anonymous readers');
  t.equal(first.json.data.length, 20);
  t.same(
    first.json.data.slice(0, 3).map((a: { id: number }) => a.id),
    [twinB.json.id, twinA.json.id, made[21]?.id],
    'newest first, ties by id',
  );
  t.notOk('body' in first.json.data[0], 'lists leave out the body');
  t.equal(first.json.data[2].excerpt, 'First paragraph of story 22.');
  t.match(first.headers.link, /cursor=[^>]+>; rel="next"/, 'without page, links follow cursors');
  const paged = await call('GET', '/v1/articles?page=1', { key: null });
  t.match(paged.headers.link, /page=2&perPage=20>; rel="next"/, 'with page, links follow page numbers');

  const second = await call('GET', '/v1/articles?page=2', { key: null });
  t.equal(second.json.data.length, 4);
  const ids = [...first.json.data, ...second.json.data].map((a: { id: number }) => a.id);
  t.equal(new Set(ids).size, 24, 'pages never overlap');

  const withBody = await call('GET', '/v1/articles?perPage=1&include=body');
  t.equal(withBody.json.data[0].body, '');

  const world = await call('GET', '/v1/articles?section=world&perPage=100', { key: null });
  t.ok(world.json.data.every((a: { section: { slug: string } }) => a.section.slug === 'world'));
  t.equal(world.json.meta.total, 11);
  const five = await call('GET', '/v1/articles?tag=five', { key: null });
  t.equal(five.json.meta.total, 4);
  const byId = await call('GET', `/v1/articles?tag=${five.json.data[0].tags[0].id}`, { key: null });
  t.equal(byId.json.meta.total, 4, 'tag filter by id too');
  const olena = await call('GET', '/v1/articles?author=olena&perPage=100');
  t.equal(olena.json.meta.total, 8);
  const drafts = await call('GET', '/v1/articles?status=draft');
  t.equal(drafts.json.meta.total, 3);
  const anonymousDrafts = await call('GET', '/v1/articles?status=draft', { key: null });
  t.equal(anonymousDrafts.json.meta.total, 0, 'no drafts without a key, even when asked');
  const none = await call('GET', '/v1/articles?section=nowhere');
  t.equal(none.status, 400, 'an unknown section is named, not an empty list');
  t.match(none.json.detail, /nowhere/);

  const byTitle = await call('GET', '/v1/articles?sort=title&perPage=3', { key: null });
  t.same(
    byTitle.json.data.map((a: { title: string }) => a.title),
    ['Story 01', 'Story 02', 'Story 03'],
  );
  const byTitleDesc = await call('GET', '/v1/articles?sort=-title&perPage=2', { key: null });
  t.same(
    byTitleDesc.json.data.map((a: { title: string }) => a.title),
    ['Twin B', 'Twin A'],
  );
  const multi = await call('GET', '/v1/articles?sort=author,-createdAt&perPage=2', { key: null });
  t.equal(multi.status, 400, 'author is not a sort field');
  const updated = await call('GET', '/v1/articles?sort=-updatedAt,title&perPage=1', { key: null });
  t.equal(updated.json.data[0].title, 'Twin A', 'ties on updatedAt broken by the next key');
  const beyond = await call('GET', '/v1/articles?page=99', { key: null });
  t.same(beyond.json.data, []);
  t.match(beyond.headers.link, /rel="prev"/);
});

t.test('plain lists beyond the prepared shapes answer the same as those within', async (t) => {
  const { call, clock } = await buildTestApp(t);
  for (const title of ['Bravo', 'alpha', 'Charlie', 'delta']) {
    clock.advance(1000);
    await call('POST', '/v1/articles', { body: { title, status: 'published' } });
  }
  // Every order of up to three sort fields, both ways: far more shapes than are prepared (64).
  const fields = ['title', 'publishedAt', 'createdAt', 'updatedAt'];
  const sorts = fields.flatMap((a) =>
    fields.flatMap((b) => (a === b ? [] : [`${a},${b}`, `-${a},${b}`, `${a},-${b}`, `-${a},-${b}`])),
  );
  t.ok(sorts.length > 40, `${sorts.length} two-field sorts`);
  const byTitle: string[][] = [];
  for (const audience of [null, undefined]) {
    for (const sort of sorts) {
      const response = await call('GET', `/v1/articles?sort=${sort}`, { key: audience });
      t.equal(response.status, 200, `sort=${sort}`);
      if (sort.startsWith('title,')) byTitle.push(response.json.data.map((a: { title: string }) => a.title));
    }
  }
  t.ok(byTitle.length >= 6, 'title-first sorts read by both audiences');
  for (const titles of byTitle)
    t.same(titles, ['alpha', 'Bravo', 'Charlie', 'delta'], 'case-blind title order');
});
