import t from 'tap';
import { buildTestApp, sharedStore } from '../helpers/app.js';
import { startReceiver } from '../helpers/receiver.js';
import { storeText } from '../helpers/store-text.js';

// What a purge must leave behind: nothing but a tombstone (id, slug, type, time). Words that
// occur nowhere else, so finding one anywhere in the database means something kept it.
const TITLE = 'Zanzibar Quixotic Ledger';
const BODY = 'Confidential paragraph about Xylophonic sources.';
const EMAIL = 'whistle.blower@example.org';
const NAME = 'Wilhelmina Whistleblower';

t.test('after DELETE ?permanent=true only tombstones remain anywhere in the database', async (t) => {
  const receiver = await startReceiver(t);
  const store = sharedStore(t);
  const { call, app } = await buildTestApp(t, {}, store);
  const hook = (await call('POST', '/v1/webhooks', { body: { url: receiver.url, events: ['*'] } })).json;
  const created = await call('POST', '/v1/articles', {
    headers: { 'idempotency-key': 'create-1' },
    body: { title: TITLE, status: 'published', body: BODY, tags: ['Keeps'] },
  });
  const id = created.json.id;
  await call('POST', `/v1/articles/${id}/comments`, {
    headers: { 'idempotency-key': 'comment-1' },
    body: { authorName: NAME, authorEmail: EMAIL, body: 'I saw it.', status: 'approved' },
  });
  await call('PATCH', `/v1/articles/${id}`, { body: { subtitle: `${TITLE}, revised` } });
  await call('DELETE', `/v1/articles/${id}`);
  await call('POST', `/v1/articles/${id}/restore`, { headers: { 'idempotency-key': 'restore-1' } });
  await app.jobs.runOnce();
  const before = await storeText(store);
  for (const secret of [TITLE, BODY, EMAIL, NAME])
    t.ok(before.includes(secret), `kept while it lives: ${secret}`);

  t.equal((await call('DELETE', `/v1/articles/${id}?permanent=true`)).status, 204);
  const after = await storeText(store);
  for (const secret of [TITLE, 'Xylophonic', EMAIL, NAME, 'I saw it']) {
    t.notOk(after.includes(secret), `gone everywhere: ${secret}`);
  }
  const changes = (await call('GET', '/v1/changes?limit=1000')).json.data;
  t.ok(
    changes.some(
      (change: { type: string; id: number }) => change.type === 'article.deleted' && change.id === id,
    ),
    'the tombstone is in the change feed',
  );

  // A delivery retried after the purge re-sends the tombstone, not the article.
  const log = (await call('GET', `/v1/webhooks/${hook.id}/deliveries`)).json.data;
  const createdEvent = log.find((entry: { eventType: string }) => entry.eventType === 'article.created');
  const retried = await call('POST', `/v1/webhooks/${hook.id}/deliveries/${createdEvent.eventId}/retry`);
  t.equal(retried.status, 200);
  const resent = JSON.parse(receiver.received.at(-1)?.body ?? '{}');
  t.same(resent, {
    type: 'article.created',
    timestamp: created.json.createdAt,
    data: { id, slug: created.json.slug },
  });
  t.equal(
    (
      await call('POST', '/v1/articles', {
        headers: { 'idempotency-key': 'create-1' },
        body: { title: TITLE, status: 'published', body: BODY, tags: ['Keeps'] },
      })
    ).headers['idempotent-replayed'],
    undefined,
    'the replay kept for its creation is gone too',
  );
});

t.test('a deleted comment keeps no name or email anywhere, events included', async (t) => {
  const receiver = await startReceiver(t);
  const store = sharedStore(t);
  const { call } = await buildTestApp(t, {}, store);
  await call('POST', '/v1/webhooks', { body: { url: receiver.url, events: ['comment.*'] } });
  const article = (
    await call('POST', '/v1/articles', { body: { title: 'Open thread', status: 'published' } })
  ).json;
  const comment = await call('POST', `/v1/articles/${article.id}/comments`, {
    key: null,
    body: { authorName: NAME, authorEmail: EMAIL, body: 'Personal story' },
  });
  const reply = await call('POST', `/v1/articles/${article.id}/comments`, {
    body: {
      authorName: 'Editor',
      authorEmail: 'desk@example.org',
      body: 'Thanks',
      parentId: comment.json.id,
    },
  });
  t.equal(reply.status, 201);
  await call('PATCH', `/v1/comments/${comment.json.id}`, { body: { status: 'approved' } });
  t.ok((await storeText(store)).includes(EMAIL));
  t.equal((await call('DELETE', `/v1/comments/${comment.json.id}`)).status, 204);
  const after = await storeText(store);
  for (const secret of [EMAIL, NAME, 'Personal story']) t.notOk(after.includes(secret), `gone: ${secret}`);
  t.ok(after.includes('desk@example.org'), 'the reply is untouched');
});

t.test('the event log keeps EVENTS_RETENTION_DAYS, with its deliveries', async (t) => {
  const { call, app, clock } = await buildTestApp(t, { eventsRetentionDays: 7 });
  await call('POST', '/v1/tags', { body: { name: 'Old news' } });
  clock.advance(8 * 86_400_000);
  await call('POST', '/v1/tags', { body: { name: 'Fresh' } });
  t.same(
    (await call('GET', '/v1/changes')).json.data.map((change: { slug: string }) => change.slug),
    ['old-news', 'fresh'],
  );
  await app.jobs.runOnce();
  t.same(
    (await call('GET', '/v1/changes')).json.data.map((change: { slug: string }) => change.slug),
    ['fresh'],
    'changes older than 7 days are gone',
  );
});
