import t from 'tap';
import { buildTestApp } from '../helpers/app.js';

t.test('the change feed: every change in order, tombstones included, resumable by cursor', async (t) => {
  const { call } = await buildTestApp(t);
  const empty = await call('GET', '/v1/changes');
  t.same(empty.json, { data: [], meta: { nextCursor: '0' } }, 'an empty log still gives a cursor');
  t.equal(empty.headers['cache-control'], 'no-store');
  const article = await call('POST', '/v1/articles', { body: { title: 'One', status: 'published' } });
  await call('PATCH', `/v1/articles/${article.json.id}`, { body: { status: 'draft' } });
  await call('DELETE', `/v1/articles/${article.json.id}`);
  const first = await call('GET', '/v1/changes?limit=2');
  t.match(first.json.data, [
    { seq: 1, type: 'article.created', resource: 'article', id: article.json.id, slug: 'one' },
    { seq: 2, type: 'article.published' },
  ]);
  t.equal(first.json.meta.nextCursor, '2');
  const rest = await call('GET', `/v1/changes?since=${first.json.meta.nextCursor}`);
  t.same(
    rest.json.data.map((change: { type: string }) => change.type),
    ['article.updated', 'article.unpublished', 'article.deleted'],
  );
  const caughtUp = await call('GET', `/v1/changes?since=${rest.json.meta.nextCursor}`);
  t.same(caughtUp.json, { data: [], meta: { nextCursor: rest.json.meta.nextCursor } });
  t.same((await call('GET', '/v1/changes?since=latest')).json.meta, { nextCursor: '5' });
  for (const bad of ['since=abc', 'since=-1', 'limit=0', 'limit=1001', 'wait=31']) {
    t.equal((await call('GET', `/v1/changes?${bad}`)).status, 400, bad);
  }
  t.equal((await call('GET', '/v1/changes', { key: null })).status, 401);
});

t.test('long poll: a waiting read answers with the change that arrives', async (t) => {
  const { call } = await buildTestApp(t);
  // From a cursor taken first: the write comes after it whether the poll starts waiting before
  // the write or after (then it finds the change at once).
  const { nextCursor } = (await call('GET', '/v1/changes?since=latest')).json.meta;
  const waiting = call('GET', `/v1/changes?since=${nextCursor}&wait=20`);
  await call('POST', '/v1/tags', { body: { name: 'Breaking' } });
  const answered = await waiting;
  t.match(answered.json.data, [{ type: 'tag.created', slug: 'breaking' }]);
  t.equal(answered.json.meta.nextCursor, String(answered.json.data[0].seq));
  const quiet = await call('GET', `/v1/changes?since=${answered.json.meta.nextCursor}&wait=1`);
  t.same(quiet.json.data, [], 'nothing new within the wait: an empty page');
});

t.test('a long poll does not hold the server when it closes', async (t) => {
  const { call, app } = await buildTestApp(t);
  // Closes once the poll is waiting: when it subscribes to new events.
  const { events } = app.services;
  const subscribe = events.onRecorded.bind(events);
  const polling = new Promise<void>((resolve) => {
    events.onRecorded = (listener) => {
      resolve();
      return subscribe(listener);
    };
  });
  const waiting = call('GET', '/v1/changes?since=latest&wait=30');
  await polling;
  const started = Date.now();
  await app.close();
  const answered = await waiting;
  t.equal(answered.status, 200);
  t.ok(Date.now() - started < 10_000, 'closed without waiting out the 30 s');
});
