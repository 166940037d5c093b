import t from 'tap';
import { buildTestApp } from '../helpers/app.js';
import { startReceiver } from '../helpers/receiver.js';

t.test('DELETE moves an article to the trash; restore brings it back whole', async (t) => {
  const { call } = await buildTestApp(t);
  await call('POST', '/v1/sections', { body: { name: 'World' } });
  const article = await call('POST', '/v1/articles', {
    body: { title: 'Binned', section: 'world', tags: ['Peace'], status: 'published', body: 'Words' },
  });
  const { id, slug } = article.json;
  await call('PATCH', `/v1/articles/${id}`, { body: { subtitle: 'Edited' } });
  const comment = await call('POST', `/v1/articles/${id}/comments`, {
    body: { authorName: 'A', authorEmail: 'a@example.org', body: 'Kept', status: 'approved' },
  });
  t.equal(comment.status, 201);

  t.equal((await call('DELETE', `/v1/articles/${slug}`)).status, 204);
  t.equal((await call('GET', `/v1/articles/${slug}`, { key: null })).status, 404, 'gone for the public');
  t.equal((await call('GET', '/v1/articles', { key: null })).json.meta.total, 0);
  t.equal((await call('GET', '/v1/search?q=binned', { key: null })).json.meta.total, 0);
  t.equal((await call('GET', '/v1/tags/peace', { key: null })).status, 404, 'its tags leave with it');
  t.equal((await call('GET', '/v1/articles')).json.meta.total, 0, 'no list shows the trash...');
  const trash = await call('GET', '/v1/articles?status=trashed');
  t.match(trash.json.data, [{ id, status: 'trashed' }], '...but status=trashed');
  t.equal((await call('GET', '/v1/articles?status=trashed', { key: null })).json.meta.total, 0);
  t.match((await call('GET', `/v1/articles/${id}`)).json, { status: 'trashed' }, 'editors can still read it');
  t.equal((await call('DELETE', `/v1/articles/${id}`)).json.type.endsWith('already-trashed'), true);
  t.match((await call('PATCH', `/v1/articles/${id}`, { body: { title: 'x' } })).json, {
    status: 409,
    type: /article-trashed$/,
  });
  const taken = await call('POST', '/v1/articles', { body: { title: 'New', slug } });
  t.equal(taken.status, 409, 'its slug stays reserved while it is in the trash');

  const restored = await call('POST', `/v1/articles/${slug}/restore`);
  t.equal(restored.status, 200);
  t.match(restored.json, { id, slug, status: 'published', subtitle: 'Edited', commentCount: 1 });
  t.same(
    restored.json.tags.map((tag: { name: string }) => tag.name),
    ['Peace'],
  );
  t.equal((await call('GET', `/v1/articles/${slug}`, { key: null })).status, 200, 'public again');
  const revisions = (await call('GET', `/v1/articles/${id}/revisions`)).json.data;
  t.same(
    revisions.map((revision: { number: number }) => revision.number),
    [4, 3, 2, 1],
    'creation, edit, trash and restore are all revisions',
  );
  t.equal((await call('POST', `/v1/articles/${id}/restore`)).status, 409, 'not in the trash');
  t.equal((await call('POST', '/v1/articles/999/restore')).status, 404);
});

t.test('a draft comes back a draft; a scheduled article comes back scheduled', async (t) => {
  const { call, clock } = await buildTestApp(t);
  const draft = await call('POST', '/v1/articles', { body: { title: 'Draft' } });
  const later = new Date(clock.now.getTime() + 3_600_000).toISOString();
  const scheduled = await call('POST', '/v1/articles', {
    body: { title: 'Later', status: 'scheduled', publishedAt: later },
  });
  for (const { json } of [draft, scheduled]) await call('DELETE', `/v1/articles/${json.id}`);
  t.equal((await call('POST', `/v1/articles/${draft.json.id}/restore`)).json.status, 'draft');
  t.equal((await call('POST', `/v1/articles/${scheduled.json.id}/restore`)).json.status, 'scheduled');
});

t.test('permanent=true purges; the trash empties itself after TRASH_RETENTION_DAYS', async (t) => {
  const { call, clock, app } = await buildTestApp(t, { trashRetentionDays: 30 });
  const old = await call('POST', '/v1/articles', { body: { title: 'Old' } });
  const recent = await call('POST', '/v1/articles', { body: { title: 'Recent' } });
  const purged = await call('POST', '/v1/articles', { body: { title: 'Purged' } });
  await call('DELETE', `/v1/articles/${old.json.id}`);
  t.equal((await call('DELETE', `/v1/articles/${purged.json.id}?permanent=true`)).status, 204);
  t.equal((await call('GET', `/v1/articles/${purged.json.id}`)).status, 404);
  t.equal(
    (await call('POST', '/v1/articles', { body: { title: 'Purged', slug: 'purged' } })).status,
    201,
    'slug free',
  );
  clock.advance(20 * 86_400_000);
  await call('DELETE', `/v1/articles/${recent.json.id}`);
  clock.advance(11 * 86_400_000);
  await app.jobs.runOnce();
  t.equal((await call('GET', `/v1/articles/${old.json.id}`)).status, 404, '31 days in the trash: purged');
  t.equal(
    (await call('GET', `/v1/articles/${recent.json.id}`)).json.status,
    'trashed',
    '11 days: still there',
  );
});

t.test('WEBHOOK_DELIVERY=false stops deliveries only: the trash still empties itself', async (t) => {
  const receiver = await startReceiver(t);
  const { call, clock, app } = await buildTestApp(t, {
    trashRetentionDays: 30,
    webhooks: { deliver: false, allowPrivate: true, retryDelaysMs: [1_000], timeoutMs: 2_000 },
  });
  t.equal((await call('POST', '/v1/webhooks', { body: { url: receiver.url, events: ['*'] } })).status, 201);
  const old = await call('POST', '/v1/articles', { body: { title: 'Old' } });
  await call('DELETE', `/v1/articles/${old.json.id}`);
  clock.advance(31 * 86_400_000);
  await app.jobs.runOnce();
  t.equal((await call('GET', `/v1/articles/${old.json.id}`)).status, 404, 'purged after 31 days');
  t.equal(receiver.received.length, 0, 'and nothing was delivered');
  const attempts = await call('GET', '/v1/webhooks/1/deliveries');
  t.equal(attempts.json.meta.total, 0, 'not even attempted: the deliveries wait for a process that sends');
});
