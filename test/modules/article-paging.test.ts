import t from 'tap';
import { buildTestApp, type TestApp } from '../helpers/app.js';

async function withMany(t: Parameters<typeof buildTestApp>[0], count = 45) {
  const app = await buildTestApp(t);
  await app.call('POST', '/v1/sections', { body: { name: 'World' } });
  await app.call('POST', '/v1/sections', { body: { name: 'Europe', parentId: 1 } });
  await app.call('POST', '/v1/sections', { body: { name: 'Ukraine', parentId: 2 } });
  for (let i = 1; i <= count; i++) {
    app.clock.advance(i % 4 === 0 ? 0 : 60_000); // some share a publishedAt: ties by id
    await app.call('POST', '/v1/articles', {
      body: {
        title: `Story ${String(i).padStart(2, '0')} ${i % 2 ? 'alpha' : 'beta'}`,
        status: 'published',
        section: ['world', 'europe', 'ukraine'][i % 3],
        tags: i % 5 === 0 ? ['red', 'blue'] : i % 5 === 1 ? ['red'] : ['green'],
        author: i % 2 ? 'Olena' : 'Sam',
      },
    });
  }
  return app;
}

async function walk(app: TestApp, first: string, key: string | null = null) {
  const seen: number[] = [];
  let url: string | undefined = first;
  let pages = 0;
  while (url && pages < 50) {
    const response = await app.call('GET', url, { key });
    if (response.status !== 200) throw new Error(`${url}: ${response.status} ${response.body}`);
    seen.push(...response.json.data.map((item: { id: number }) => item.id));
    const cursor = response.json.meta.nextCursor;
    const next = /<([^>]+)>; rel="next"/.exec(String(response.headers.link))?.[1];
    if (cursor)
      t.ok(
        next?.includes(`cursor=${encodeURIComponent(cursor)}`) || next?.includes(cursor),
        'Link rel=next carries the cursor',
      );
    url = cursor
      ? `${first}${first.includes('?') ? '&' : '?'}cursor=${encodeURIComponent(cursor)}`
      : undefined;
    pages++;
  }
  return seen;
}

t.test('cursor paging walks every sort without gaps or repeats', async (t) => {
  const app = await withMany(t);
  for (const sort of ['-publishedAt', 'publishedAt', 'title', '-title', '-updatedAt,title', 'createdAt']) {
    const all = (await app.call('GET', `/v1/articles?perPage=100&sort=${sort}`, { key: null })).json.data.map(
      (item: { id: number }) => item.id,
    );
    const walked = await walk(app, `/v1/articles?perPage=7&sort=${sort}`);
    t.same(walked, all, `sort=${sort}: cursor pages equal the single page`);
  }
  const searched = await walk(app, '/v1/search?q=alpha&perPage=4');
  t.equal(searched.length, 23, 'search pages by cursor too');
  t.equal(new Set(searched).size, 23);
});

t.test('cursors stay stable while articles are added and removed', async (t) => {
  const app = await withMany(t, 20);
  const first = await app.call('GET', '/v1/articles?perPage=5', { key: null });
  const firstIds = first.json.data.map((item: { id: number }) => item.id);
  app.clock.advance(60_000);
  await app.call('POST', '/v1/articles', { body: { title: 'Breaking, newest', status: 'published' } });
  await app.call('DELETE', `/v1/articles/${firstIds[0]}`);
  const second = await app.call('GET', `/v1/articles?perPage=5&cursor=${first.json.meta.nextCursor}`, {
    key: null,
  });
  const expected = (await app.call('GET', '/v1/articles?perPage=100', { key: null })).json.data
    .map((item: { id: number }) => item.id)
    .filter((id: number) => id < Math.min(...firstIds) || firstIds.includes(id) === false)
    .filter((id: number) => !firstIds.includes(id) && id !== 21)
    .slice(0, 5);
  t.same(
    second.json.data.map((item: { id: number }) => item.id),
    expected,
    'the next page continues after the last item seen',
  );
  t.equal(second.json.meta.page, undefined, 'no page number in cursor mode');
  t.equal(second.json.meta.total, 20, 'total still available');
});

t.test('cursors are opaque and signed', async (t) => {
  const app = await withMany(t, 12);
  const first = await app.call('GET', '/v1/articles?perPage=5', { key: null });
  const cursor: string = first.json.meta.nextCursor;
  t.ok(cursor);
  const [payload, signature] = cursor.split('.');
  const forged = Buffer.from(
    JSON.stringify({ ...JSON.parse(Buffer.from(payload ?? '', 'base64url').toString()), i: 1 }),
  ).toString('base64url');
  for (const bad of [
    `${forged}.${signature}`,
    `${payload}.AAAA${signature?.slice(4)}`,
    'garbage',
    `${cursor}x`,
  ]) {
    const response = await app.call('GET', `/v1/articles?perPage=5&cursor=${encodeURIComponent(bad)}`, {
      key: null,
    });
    t.equal(response.status, 400, bad);
  }
  const otherSort = await app.call('GET', `/v1/articles?perPage=5&sort=title&cursor=${cursor}`, {
    key: null,
  });
  t.equal(otherSort.status, 400, 'a cursor belongs to its own query');
  t.match(otherSort.json.detail, /different sort/);
  const withPage = await app.call('GET', `/v1/articles?page=2&cursor=${cursor}`, { key: null });
  t.equal(withPage.status, 400);
  const last = await app.call('GET', '/v1/articles?perPage=100', { key: null });
  t.equal(last.json.meta.nextCursor, null, 'no cursor on the last page');
});

t.test('filters: subsections, any and all tags, dates, updatedSince', async (t) => {
  const app = await withMany(t, 30);
  const count = async (query: string) =>
    (await app.call('GET', `/v1/articles?${query}`, { key: null })).json.meta.total;
  t.equal(await count('section=world'), 10);
  t.equal(await count('section=world&includeSubsections=true'), 30);
  t.equal(await count('section=europe&includeSubsections=true'), 20);
  t.equal(await count('tag=red'), 12);
  t.equal(await count('tag=blue,green'), 24, 'any of');
  t.equal(await count('tagAll=red,blue'), 6, 'all of');
  const unknownTag = await app.call('GET', '/v1/articles?tagAll=red,nope', { key: null });
  t.equal(unknownTag.status, 400, 'an unknown tag is named, not an empty list');
  t.match(unknownTag.json.detail, /nope/);
  const all = (await app.call('GET', '/v1/articles?perPage=100&sort=publishedAt', { key: null })).json.data;
  const middle = all[10].publishedAt;
  const after = await count(`publishedAfter=${middle}`);
  t.equal(after, all.filter((a: { publishedAt: string }) => a.publishedAt >= middle).length, 'inclusive');
  t.equal(
    await count(`publishedBefore=${middle}`),
    all.filter((a: { publishedAt: string }) => a.publishedAt <= middle).length,
  );
  t.equal(await count('publishedAfter=2026-01-15'), 30, 'a date is the whole day');
  t.equal(await count('publishedBefore=2026-01-14'), 0);
  t.equal(
    await count('publishedBefore=2026-01-15'),
    all.filter((a: { publishedAt: string }) => a.publishedAt < '2026-01-16').length,
  );
  t.equal(
    (await app.call('GET', '/v1/articles?publishedAfter=2026-02-31', { key: null })).status,
    400,
    'not a real date',
  );
  t.equal((await app.call('GET', '/v1/articles?publishedAfter=yesterday', { key: null })).status, 400);
  for (const query of [
    'publishedAfter=2024-02-30T00:00:00Z',
    'publishedBefore=2025-02-29T12:00:00%2B02:00',
    'updatedSince=2026-04-31T00:00:00Z',
  ]) {
    const rolled = await app.call('GET', `/v1/articles?${query}`, { key: null });
    t.equal(rolled.status, 400, `${query}: no silent rollover into the next month`);
    t.match(rolled.json.detail, /is not a real date-time/);
  }
  t.equal(
    (await app.call('GET', '/v1/articles?publishedAfter=2024-02-29T00:00:00Z', { key: null })).status,
    200,
  );
  t.equal(await count(`updatedSince=${all[29].updatedAt}`), 1);
});

t.test('sparse fields on lists, searches and single reads', async (t) => {
  const app = await withMany(t, 3);
  const list = await app.call('GET', '/v1/articles?fields=id,slug,title,publishedAt', { key: null });
  t.same(Object.keys(list.json.data[0]).sort(), ['id', 'publishedAt', 'slug', 'title']);
  const one = await app.call('GET', '/v1/articles/1?fields=title,bodyHtml', { key: null });
  t.same(Object.keys(one.json).sort(), ['bodyHtml', 'title']);
  const withBody = await app.call('GET', '/v1/articles?fields=id,body', { key: null });
  t.ok('body' in withBody.json.data[0], 'asking for body includes it');
  const hits = await app.call('GET', '/v1/search?q=alpha&fields=title,snippet', { key: null });
  t.same(Object.keys(hits.json.data[0]).sort(), ['snippet', 'title']);
  const unknown = await app.call('GET', '/v1/articles?fields=id,colour,secret', { key: null });
  t.equal(unknown.status, 400);
  t.match(unknown.json.detail, /colour, secret/);
  t.equal(
    (await app.call('GET', '/v1/articles?fields=snippet', { key: null })).status,
    400,
    'snippet only in searches',
  );
});
