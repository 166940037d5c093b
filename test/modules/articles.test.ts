import t from 'tap';
import { buildTestApp } from '../helpers/app.js';
import { loadSeedArticle } from '../helpers/seed.js';

const seed = loadSeedArticle();

t.test('the seed article is one POST and comes back exactly', async (t) => {
  const { call } = await buildTestApp(t);
  t.equal((await call('POST', '/v1/sections', { body: { name: seed.section } })).status, 201);

  const created = await call('POST', '/v1/articles', { body: seed });
  t.equal(created.status, 201);
  t.equal(created.headers.location, `/v1/articles/${created.json.id}`);
  t.equal(created.json.slug, 'zelenskyys-call-for-guaranteed-security-a-turning-point-for-ukraine');

  for (const address of [String(created.json.id), created.json.slug]) {
    const read = await call('GET', `/v1/articles/${address}`, { key: null });
    t.equal(read.status, 200, `read by ${address}`);
    t.equal(read.json.body, seed.body, 'body byte for byte, curly quotes and dashes too');
    t.equal(Buffer.from(read.json.body).equals(Buffer.from(seed.body)), true);
    t.equal(read.json.title, seed.title);
    t.match(read.json.section, { slug: 'breaking-news', name: 'Breaking News' });
    t.same(
      read.json.tags.map((tag: { name: string }) => tag.name),
      seed.tags,
      'ten tags, in order',
    );
    t.equal(read.json.tags.length, 10);
    t.equal(read.json.status, 'published');
    t.equal(read.json.version, 1);
    t.match(read.json.excerpt, /^In recent weeks, Volodymyr Zelenskyy/);
    t.ok(read.json.excerpt.length <= 200);
  }
});

t.test('create derives slugs, suffixes collisions, refuses a taken given slug', async (t) => {
  const { call } = await buildTestApp(t);
  const first = await call('POST', '/v1/articles', { body: { title: 'Live updates' } });
  const second = await call('POST', '/v1/articles', { body: { title: 'Live Updates!' } });
  t.equal(first.json.slug, 'live-updates');
  t.equal(second.json.slug, 'live-updates-2');
  const taken = await call('POST', '/v1/articles', { body: { title: 'Other', slug: 'live-updates' } });
  t.equal(taken.status, 409);
  t.equal(taken.headers['content-type'], 'application/problem+json; charset=utf-8');
  t.match(taken.json, { status: 409, holder: { id: first.json.id, slug: 'live-updates' } });
  const digits = await call('POST', '/v1/articles', { body: { title: '2026' } });
  t.equal(digits.json.slug, 'n-2026', 'never all digits');
  const badSlug = await call('POST', '/v1/articles', { body: { title: 'x', slug: '123' } });
  t.equal(badSlug.status, 400);
});

t.test('drafts, publishing, status and publishedAt', async (t) => {
  const { call, clock } = await buildTestApp(t);
  const draft = await call('POST', '/v1/articles', { body: { title: 'Draft', body: 'Hello' } });
  t.equal(draft.json.status, 'draft');
  t.equal(draft.json.publishedAt, null);
  t.equal(
    (await call('GET', `/v1/articles/${draft.json.id}`, { key: null })).status,
    404,
    'drafts are hidden',
  );
  t.equal((await call('GET', '/v1/articles', { key: null })).json.meta.total, 0);

  clock.advance(60_000);
  const published = await call('PATCH', `/v1/articles/${draft.json.id}`, { body: { status: 'published' } });
  t.equal(published.status, 200);
  t.equal(published.json.publishedAt, clock.now.toISOString(), 'publishedAt set when first published');
  t.equal(published.json.version, 2);
  t.equal((await call('GET', `/v1/articles/${draft.json.slug}`, { key: null })).status, 200);

  const archived = await call('PATCH', `/v1/articles/${draft.json.id}`, { body: { status: 'archived' } });
  t.equal(archived.json.publishedAt, published.json.publishedAt, 'publishedAt kept');
  t.equal((await call('GET', `/v1/articles/${draft.json.id}`, { key: null })).status, 404);
});

t.test('PATCH merges, keeps the slug, bumps the version only on change', async (t) => {
  const { call } = await buildTestApp(t);
  await call('POST', '/v1/sections', { body: { name: 'World' } });
  const created = await call('POST', '/v1/articles', {
    body: { title: 'Old title', subtitle: 'Sub', author: 'A. Writer', section: 'world', tags: ['a', 'b'] },
  });
  const renamed = await call('PATCH', `/v1/articles/${created.json.slug}`, { body: { title: 'New title' } });
  t.equal(renamed.json.slug, 'old-title', 'slug stable when the title changes');
  t.equal(renamed.json.subtitle, 'Sub', 'absent fields unchanged');
  t.equal(renamed.json.version, 2);

  const same = await call('PATCH', `/v1/articles/${created.json.id}`, { body: { title: 'New title' } });
  t.equal(same.json.version, 2, 'no change, no new version');

  const cleared = await call('PATCH', `/v1/articles/${created.json.id}`, {
    body: { subtitle: null, section: null, tags: ['b', 'c'] },
  });
  t.equal(cleared.json.subtitle, null);
  t.equal(cleared.json.section, null);
  t.same(
    cleared.json.tags.map((tag: { slug: string }) => tag.slug),
    ['b', 'c'],
  );
  t.equal(cleared.json.version, 3);

  const reslugged = await call('PATCH', `/v1/articles/${created.json.id}`, { body: { slug: 'new-title' } });
  t.equal(reslugged.json.slug, 'new-title');
  t.equal((await call('GET', '/v1/articles/new-title')).status, 200);
  t.equal((await call('GET', '/v1/articles/old-title')).status, 404);
});

t.test('relations: unknown section 422, tag ids must exist, names are created once', async (t) => {
  const { call } = await buildTestApp(t);
  const unknown = await call('POST', '/v1/articles', { body: { title: 'x', section: 'nowhere' } });
  t.equal(unknown.status, 422);
  t.match(unknown.json.detail, /nowhere/);
  const badTag = await call('POST', '/v1/articles', { body: { title: 'x', tags: ['fresh', 999] } });
  t.equal(badTag.status, 422);
  t.equal((await call('GET', '/v1/tags')).json.meta.total, 0, 'the failed write created no tag');
  t.equal((await call('GET', '/v1/articles')).json.meta.total, 0, 'and no article');

  const tagged = await call('POST', '/v1/articles', {
    body: { title: 'x', tags: ['Kyiv', 'kyiv', 'KYIV', 'Odesa'] },
  });
  t.same(
    tagged.json.tags.map((tag: { name: string }) => tag.name),
    ['Kyiv', 'Odesa'],
    'same tag by slug or name only once',
  );
  const byId = await call('POST', '/v1/articles', {
    body: { title: 'y', tags: [tagged.json.tags[1].id, 'kyiv'] },
  });
  t.same(
    byId.json.tags.map((tag: { slug: string }) => tag.slug),
    ['odesa', 'kyiv'],
  );
  t.equal((await call('GET', '/v1/tags')).json.meta.total, 2);
});

t.test('purging takes comments and tag links, not tags or sections', async (t) => {
  const { call } = await buildTestApp(t);
  await call('POST', '/v1/sections', { body: { name: 'World' } });
  const created = await call('POST', '/v1/articles', { body: { title: 'x', section: 'world', tags: ['a'] } });
  t.equal((await call('DELETE', `/v1/articles/${created.json.id}`)).status, 204, 'to the trash');
  t.equal((await call('GET', '/v1/tags/a')).json.articleCount, 0, 'trashed articles are not counted');
  t.equal((await call('DELETE', '/v1/sections/world')).status, 409, 'the trash still holds it');
  t.equal((await call('DELETE', `/v1/articles/${created.json.id}?permanent=true`)).status, 204);
  t.equal((await call('GET', `/v1/articles/${created.json.id}`)).status, 404);
  t.equal((await call('DELETE', `/v1/articles/${created.json.id}?permanent=true`)).status, 404);
  t.equal((await call('DELETE', '/v1/sections/world')).status, 204, 'section now empty');
});
