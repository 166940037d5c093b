import t from 'tap';
import { buildTestApp } from '../helpers/app.js';

t.test('tag CRUD', async (t) => {
  const { call } = await buildTestApp(t);
  const created = await call('POST', '/v1/tags', {
    body: { name: 'GlobalSecurity', description: 'Treaties' },
  });
  t.equal(created.status, 201);
  t.equal(created.headers.location, `/v1/tags/${created.json.id}`);
  t.match(created.json, {
    slug: 'globalsecurity',
    name: 'GlobalSecurity',
    description: 'Treaties',
    articleCount: 0,
  });
  t.same((await call('GET', '/v1/tags/globalsecurity')).json, created.json);
  t.equal((await call('GET', '/v1/tags/globalsecurity', { key: null })).status, 404, 'unused: not public');
  const renamed = await call('PATCH', `/v1/tags/${created.json.id}`, {
    body: { name: 'Global Security', slug: 'global-security' },
  });
  t.match(renamed.json, { name: 'Global Security', slug: 'global-security' });
  t.equal((await call('GET', '/v1/tags/globalsecurity')).status, 404);
  t.equal((await call('DELETE', '/v1/tags/global-security')).status, 204);
  t.equal((await call('DELETE', '/v1/tags/global-security')).status, 404);
});

t.test('tag names are unique ignoring case; renaming an article tag shows on the article', async (t) => {
  const { call } = await buildTestApp(t);
  await call('POST', '/v1/tags', { body: { name: 'Ukraine' } });
  t.equal((await call('POST', '/v1/tags', { body: { name: 'UKRAINE' } })).status, 409);
  const article = await call('POST', '/v1/articles', {
    body: { title: 'x', tags: ['ukraine'], status: 'published' },
  });
  t.equal(article.json.tags[0].name, 'Ukraine');
  await call('PATCH', '/v1/tags/ukraine', { body: { name: 'Україна' } });
  t.equal((await call('GET', `/v1/articles/${article.json.id}`)).json.tags[0].name, 'Україна');
});

t.test('deleting a tag unlinks it from articles, which stay', async (t) => {
  const { call } = await buildTestApp(t);
  const article = await call('POST', '/v1/articles', { body: { title: 'x', tags: ['a', 'b'] } });
  await call('DELETE', '/v1/tags/a');
  const after = await call('GET', `/v1/articles/${article.json.id}`);
  t.same(
    after.json.tags.map((tag: { slug: string }) => tag.slug),
    ['b'],
  );
  // An article in the trash carries the tag too: it loses it like the others (it was a 409).
  const trashed = await call('POST', '/v1/articles', { body: { title: 'y', tags: ['b', 'c'] } });
  await call('DELETE', `/v1/articles/${trashed.json.id}`);
  t.equal((await call('DELETE', '/v1/tags/b')).status, 204);
  t.equal((await call('GET', '/v1/tags/b')).status, 404);
  const restored = await call('POST', `/v1/articles/${trashed.json.id}/restore`);
  t.same(
    restored.json.tags.map((tag: { slug: string }) => tag.slug),
    ['c'],
    'restored without the deleted tag',
  );
});

t.test('tag lists sort by name or use, and count only visible articles', async (t) => {
  const { call } = await buildTestApp(t);
  await call('POST', '/v1/articles', { body: { title: '1', tags: ['beta', 'alpha'], status: 'published' } });
  await call('POST', '/v1/articles', { body: { title: '2', tags: ['beta'], status: 'published' } });
  await call('POST', '/v1/articles', { body: { title: '3', tags: ['gamma', 'alpha', 'beta'] } });
  const byName = await call('GET', '/v1/tags', { key: null });
  t.same(
    byName.json.data.map((tag: { slug: string; articleCount: number }) => [tag.slug, tag.articleCount]),
    [
      ['alpha', 1],
      ['beta', 2],
    ],
    'gamma, carried only by a draft, is not public',
  );
  t.equal(byName.json.meta.total, 2);
  const byUse = await call('GET', '/v1/tags?sort=-articleCount');
  t.same(
    byUse.json.data.map((tag: { slug: string }) => tag.slug),
    ['beta', 'alpha', 'gamma'],
  );
});

t.test('sorting by article count: counts per audience, ties by name order, paging', async (t) => {
  const { call } = await buildTestApp(t);
  const publish = (title: string, tags: string[], status = 'published') =>
    call('POST', '/v1/articles', { body: { title, tags, status } });
  await publish('a', ['Beta', 'alpha', 'Gamma']);
  await publish('b', ['Beta', 'alpha']);
  await publish('c', ['Gamma']);
  await publish('d', ['Delta', 'Delta2', 'Gamma'], 'draft');
  const names = (response: { json: { data: { name: string; articleCount: number }[] } }) =>
    response.json.data.map((tag) => `${tag.name}:${tag.articleCount}`);
  const publicList = await call('GET', '/v1/tags?sort=-articleCount,name', { key: null });
  t.same(names(publicList), ['alpha:2', 'Beta:2', 'Gamma:2'], 'a draft’s tags and count stay private');
  t.equal(publicList.json.meta.total, 3);
  const keyed = await call('GET', '/v1/tags?sort=-articleCount,name');
  t.same(names(keyed), ['Gamma:3', 'alpha:2', 'Beta:2', 'Delta:1', 'Delta2:1']);
  const page2 = await call('GET', '/v1/tags?sort=articleCount,-name&perPage=2&page=2');
  t.same(names(page2), ['Beta:2', 'alpha:2']);
  t.equal(page2.json.meta.total, 5);
  await publish('e', ['Delta']);
  const after = await call('GET', '/v1/tags?sort=-articleCount,name', { key: null });
  t.same(names(after), ['alpha:2', 'Beta:2', 'Gamma:2', 'Delta:1'], 'a new publication counts at once');
});

// An article's tags are looked up by slug in one query; a tag made by an earlier entry of the
// same list must still be found by its slug or name, not made twice.
t.test("one article's tag list names each tag once, whether by name, slug or a new name", async (t) => {
  const { call } = await buildTestApp(t);
  await call('POST', '/v1/tags', { body: { name: 'Harbour' } });
  const article = await call('POST', '/v1/articles', {
    body: { title: 'Ferries', tags: ['Night Trains', 'night-trains', 'NIGHT TRAINS', 'harbour', 'Harbour'] },
  });
  t.equal(article.status, 201);
  t.same(
    article.json.tags.map((tag: { slug: string }) => tag.slug),
    ['night-trains', 'harbour'],
  );
  const list = await call('GET', '/v1/tags?perPage=100');
  t.same(list.json.data.map((tag: { slug: string }) => tag.slug).sort(), ['harbour', 'night-trains']);
});
