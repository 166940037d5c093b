import t from 'tap';
import { buildTestApp } from '../helpers/app.js';

t.test('a scheduled article appears at its instant, everywhere at once, with no job', async (t) => {
  const { call, clock } = await buildTestApp(t);
  await call('POST', '/v1/sections', { body: { name: 'World' } });
  const at = new Date(clock.now.getTime() + 3_600_000).toISOString();
  const scheduled = await call('POST', '/v1/articles', {
    body: { title: 'Embargoed', section: 'world', tags: ['ukraine'], status: 'scheduled', publishedAt: at },
  });
  t.equal(scheduled.status, 201);
  t.equal(scheduled.json.status, 'scheduled');
  t.equal(scheduled.json.publishedAt, at);

  const views = async () => ({
    read: (await call('GET', `/v1/articles/${scheduled.json.id}`, { key: null })).status,
    total: (await call('GET', '/v1/articles', { key: null })).json.meta.total,
    // Until the instant, the tag only a scheduled article carries is unknown to the public.
    filtered: await call('GET', '/v1/articles?tag=ukraine&section=world', { key: null }).then((r) =>
      r.status === 200 ? r.json.meta.total : r.status,
    ),
    published: (await call('GET', '/v1/articles?status=published', { key: null })).json.meta.total,
    section: (await call('GET', '/v1/sections/world', { key: null })).json.articleCount,
    tag: await call('GET', '/v1/tags/ukraine', { key: null }).then((r) =>
      r.status === 200 ? r.json.articleCount : r.status,
    ),
    comments: (await call('GET', `/v1/articles/${scheduled.json.id}/comments`, { key: null })).status,
  });
  clock.set(new Date(Date.parse(at) - 1).toISOString());
  t.same(
    await views(),
    { read: 404, total: 0, filtered: 400, published: 0, section: 0, tag: 404, comments: 404 },
    'a millisecond before',
  );
  t.equal(
    (await call('GET', '/v1/articles?status=scheduled')).json.meta.total,
    1,
    'editors see it as scheduled',
  );

  clock.set(at);
  t.same(
    await views(),
    { read: 200, total: 1, filtered: 1, published: 1, section: 1, tag: 1, comments: 200 },
    'at the instant',
  );
  const live = await call('GET', `/v1/articles/${scheduled.json.id}`, { key: null });
  t.equal(live.json.status, 'published', 'reads as published from then on');
  t.equal((await call('GET', '/v1/articles?status=scheduled')).json.meta.total, 0);
});

t.test('scheduling rules', async (t) => {
  const { call, clock } = await buildTestApp(t);
  const past = await call('POST', '/v1/articles', {
    body: {
      title: 'x',
      status: 'scheduled',
      publishedAt: new Date(clock.now.getTime() - 1000).toISOString(),
    },
  });
  t.equal(past.status, 422);
  t.match(past.json.type, /schedule-in-past/);
  t.equal(
    (await call('POST', '/v1/articles', { body: { title: 'x', status: 'scheduled' } })).status,
    422,
    'needs a date',
  );
  const draft = await call('POST', '/v1/articles', { body: { title: 'Draft' } });
  const later = new Date(clock.now.getTime() + 60_000).toISOString();
  const rescheduled = await call('PATCH', `/v1/articles/${draft.json.id}`, {
    body: { status: 'scheduled', publishedAt: later },
  });
  t.equal(rescheduled.json.status, 'scheduled');
  const offset = await call('POST', '/v1/articles', {
    body: { title: 'y', status: 'published', publishedAt: '2026-01-01T10:00:00+02:00' },
  });
  t.equal(offset.json.publishedAt, '2026-01-01T08:00:00.000Z', 'stored and served in UTC');
});

t.test('revisions: every change stored with its diff, restore makes a new one', async (t) => {
  const { call, clock, app } = await buildTestApp(t);
  const editor = (await call('POST', '/v1/keys', { body: { name: 'Editor Ada', scopes: ['content:write'] } }))
    .json.key;
  const created = await call('POST', '/v1/articles', {
    key: editor,
    body: { title: 'First title', body: 'First body', tags: ['a'] },
  });
  const url = `/v1/articles/${created.json.id}`;
  clock.advance(1000);
  await call('PATCH', url, { key: editor, body: { title: 'Second title' } });
  clock.advance(1000);
  await call('PATCH', url, { body: { body: 'Third body', tags: ['a', 'b'] } });
  await call('PATCH', url, { body: { title: 'Second title' } }); // no change: no revision
  t.equal((await call('PATCH', url, { body: { section: 'nowhere' } })).status, 422);

  const list = await call('GET', `${url}/revisions`);
  t.equal(list.json.meta.total, 3, 'refused and empty writes store nothing');
  t.same(
    list.json.data.map((r: { number: number }) => r.number),
    [3, 2, 1],
    'newest first',
  );
  const second = await call('GET', `${url}/revisions/2`);
  t.match(second.json, {
    number: 2,
    keyName: 'Editor Ada',
    createdAt: '2026-01-15T12:00:01.000Z',
    changes: [{ field: 'title', from: 'First title', to: 'Second title' }],
    snapshot: { title: 'Second title', body: 'First body' },
  });
  const third = await call('GET', `${url}/revisions/3`);
  t.same(
    third.json.changes.map((c: { field: string }) => c.field),
    ['body', 'tags'],
  );
  t.equal(third.json.keyName, 'BROADSHEET_ADMIN_KEY');
  t.same((await call('GET', `${url}/revisions/1`)).json.changes, [], 'creation has no diff');

  const restored = await call('POST', `${url}/revisions/1/restore`);
  t.equal(restored.status, 200);
  t.match(restored.json, { title: 'First title', body: 'First body', version: 4 });
  t.same(
    restored.json.tags.map((tag: { slug: string }) => tag.slug),
    ['a'],
  );
  const fourth = await call('GET', `${url}/revisions/4`);
  t.same(
    fourth.json.changes.map((c: { field: string }) => c.field),
    ['title', 'body', 'tags'],
  );
  t.equal((await call('GET', `${url}/revisions/9`)).status, 404);
  t.equal((await call('POST', `${url}/revisions/9/restore`)).status, 404);

  const reader = (await call('POST', '/v1/keys', { body: { name: 'r', scopes: ['comments:moderate'] } })).json
    .key;
  t.equal(
    (await call('GET', `${url}/revisions`, { key: reader })).status,
    403,
    'revisions need content:read',
  );
  t.equal((await call('GET', `${url}/revisions`, { key: null })).status, 401);

  await call('DELETE', `${url}?permanent=true`);
  t.equal((await call('GET', `${url}/revisions`)).status, 404, 'purged with the article');
  t.equal(
    await app.services.articles.find(created.json.id, {
      seesUnpublished: true,
      now: clock.now.toISOString(),
    }),
    undefined,
  );
});
