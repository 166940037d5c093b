import t from 'tap';
import { buildTestApp } from '../helpers/app.js';

t.test('section CRUD by id and slug', async (t) => {
  const { call } = await buildTestApp(t);
  const created = await call('POST', '/v1/sections', {
    body: { name: 'Zelenskyy’s Call', description: 'Ukraine coverage', position: 3 },
  });
  t.equal(created.status, 201);
  t.equal(created.headers.location, `/v1/sections/${created.json.id}`);
  t.match(created.json, {
    id: Number,
    slug: 'zelenskyys-call',
    name: 'Zelenskyy’s Call',
    description: 'Ukraine coverage',
    parentId: null,
    position: 3,
    articleCount: 0,
    createdAt: '2026-01-15T12:00:00.000Z',
    updatedAt: '2026-01-15T12:00:00.000Z',
  });
  t.same((await call('GET', '/v1/sections/zelenskyys-call', { key: null })).json, created.json);
  t.same((await call('GET', `/v1/sections/${created.json.id}`, { key: null })).json, created.json);

  const patched = await call('PATCH', '/v1/sections/zelenskyys-call', {
    body: { description: null, name: 'Ukraine' },
  });
  t.equal(patched.status, 200);
  t.equal(patched.json.description, null);
  t.equal(patched.json.slug, 'zelenskyys-call', 'slug stays unless given');
  t.equal((await call('DELETE', `/v1/sections/${created.json.id}`)).status, 204);
  t.equal((await call('GET', `/v1/sections/${created.json.id}`)).status, 404);
});

t.test('section names and slugs are unique', async (t) => {
  const { call } = await buildTestApp(t);
  await call('POST', '/v1/sections', { body: { name: 'World' } });
  const sameName = await call('POST', '/v1/sections', { body: { name: 'world' } });
  t.equal(sameName.status, 409);
  const derived = await call('POST', '/v1/sections', { body: { name: 'World!', slug: undefined } });
  t.equal(derived.json.slug, 'world-2');
  const taken = await call('POST', '/v1/sections', { body: { name: 'Other', slug: 'world' } });
  t.equal(taken.status, 409);
  t.match(taken.json, { type: 'https://broadsheet.dev/problems/slug-taken', holder: { slug: 'world' } });
});

t.test('section names are unique among siblings only (as WordPress has it); slugs everywhere', async (t) => {
  const { call } = await buildTestApp(t);
  const uk = (await call('POST', '/v1/sections', { body: { name: 'UK' } })).json;
  const us = (await call('POST', '/v1/sections', { body: { name: 'US' } })).json;
  const ukLocal = await call('POST', '/v1/sections', { body: { name: 'Local', parentId: uk.id } });
  const usLocal = await call('POST', '/v1/sections', { body: { name: 'Local', parentId: us.id } });
  t.equal(ukLocal.status, 201);
  t.equal(usLocal.status, 201, 'the same name under another parent');
  t.equal(usLocal.json.slug, 'local-2', 'slugs stay unique');
  const sibling = await call('POST', '/v1/sections', { body: { name: 'LOCAL', parentId: uk.id } });
  t.equal(sibling.status, 409, 'but not twice under one parent');
  t.match(sibling.json.detail, /already exists under the same parent/);
  const moved = await call('PATCH', `/v1/sections/${usLocal.json.id}`, { body: { parentId: uk.id } });
  t.equal(moved.status, 409, 'nor by moving one beside the other');
  t.equal((await call('POST', '/v1/sections', { body: { name: 'Local' } })).status, 201, 'nor at the top');

  // An article naming a section by a name several carry is asked for the slug, never guessed.
  const bySlugFirst = await call('POST', '/v1/articles', { body: { title: 'Roadworks', section: 'local' } });
  t.equal(bySlugFirst.json.section.id, ukLocal.json.id, 'a slug names one section, whatever the names');
  const byName = await call('POST', '/v1/articles', { body: { title: 'Bins', section: 'LOCAL' } });
  t.equal(byName.status, 422);
  t.match(byName.json.detail, /Several sections are named "LOCAL".*by slug or id/);
  const bySlug = await call('POST', '/v1/articles', { body: { title: 'Bins', section: 'local-2' } });
  t.equal(bySlug.json.section.id, usLocal.json.id);
});

t.test('nesting: parents must exist, no cycles, children listed', async (t) => {
  const { call } = await buildTestApp(t);
  const world = await call('POST', '/v1/sections', { body: { name: 'World' } });
  const europe = await call('POST', '/v1/sections', { body: { name: 'Europe', parentId: world.json.id } });
  const ukraine = await call('POST', '/v1/sections', { body: { name: 'Ukraine', parentId: europe.json.id } });
  t.equal(ukraine.json.parentId, europe.json.id);

  const cycle = await call('PATCH', '/v1/sections/world', { body: { parentId: ukraine.json.id } });
  t.equal(cycle.status, 409);
  t.match(cycle.json.type, /section-cycle/);
  const self = await call('PATCH', '/v1/sections/world', { body: { parentId: world.json.id } });
  t.equal(self.status, 409);
  const missing = await call('POST', '/v1/sections', { body: { name: 'X', parentId: 999 } });
  t.equal(missing.status, 422);

  const children = await call('GET', '/v1/sections?parent=world');
  t.same(
    children.json.data.map((s: { slug: string }) => s.slug),
    ['europe'],
  );
  const roots = await call('GET', '/v1/sections?parent=root');
  t.same(
    roots.json.data.map((s: { slug: string }) => s.slug),
    ['world'],
  );
  const parentGone = await call('DELETE', '/v1/sections/europe');
  t.equal(parentGone.status, 409, 'a section with subsections cannot go');
  t.equal((await call('PATCH', '/v1/sections/ukraine', { body: { parentId: null } })).json.parentId, null);
});

t.test('a section that holds articles cannot be deleted', async (t) => {
  const { call } = await buildTestApp(t);
  await call('POST', '/v1/sections', { body: { name: 'World' } });
  await call('POST', '/v1/articles', { body: { title: 'Draft in world', section: 'world' } });
  const refused = await call('DELETE', '/v1/sections/world');
  t.equal(refused.status, 409);
  t.match(refused.json, { type: 'https://broadsheet.dev/problems/section-not-empty', articleCount: 1 });
  t.equal((await call('GET', '/v1/sections/world')).status, 200, 'still there');
});

t.test('section lists: order, paging, links, articleCount of visible articles', async (t) => {
  const { call } = await buildTestApp(t);
  for (const [name, position] of [
    ['Culture', 2],
    ['Arts', 2],
    ['News', 1],
  ] as const) {
    await call('POST', '/v1/sections', { body: { name, position } });
  }
  await call('POST', '/v1/articles', { body: { title: 'Public', section: 'news', status: 'published' } });
  await call('POST', '/v1/articles', { body: { title: 'Hidden', section: 'news' } });

  const page = await call('GET', '/v1/sections?perPage=2', { key: null });
  t.same(
    page.json.data.map((s: { slug: string }) => s.slug),
    ['news', 'arts'],
  );
  t.same(page.json.meta, { total: 3, page: 1, perPage: 2 });
  t.equal(page.json.data[0].articleCount, 1, 'anonymous readers count published articles only');
  t.equal(
    page.headers.link,
    '</v1/sections?perPage=2&page=1>; rel="first", </v1/sections?perPage=2&page=2>; rel="next", </v1/sections?perPage=2&page=2>; rel="last"',
  );
  const keyed = await call('GET', '/v1/sections/news');
  t.equal(keyed.json.articleCount, 2, 'content:read sees drafts in the count');
  const byName = await call('GET', '/v1/sections?sort=-name', { key: null });
  t.same(
    byName.json.data.map((s: { slug: string }) => s.slug),
    ['news', 'culture', 'arts'],
  );
  t.equal((await call('GET', '/v1/sections?sort=colour')).status, 400);
});
