import t from 'tap';
import { eventually } from './helpers/eventually.js';
import { startReceiver } from './helpers/receiver.js';
import { type RunningServer, sharedDatabaseUrl, startServer, stopServer } from './helpers/server.js';

const ADMIN = 'outbox-admin-key-0123456789abcdef0123456789';

const env = (databaseUrl: string, deliver: boolean) => ({
  DATABASE_URL: databaseUrl,
  BROADSHEET_ADMIN_KEY: ADMIN,
  WEBHOOK_ALLOW_PRIVATE: 'true',
  WEBHOOK_DELIVERY: String(deliver),
  WEBHOOK_RETRY_DELAYS: '1,1,1',
  LOG_LEVEL: 'warn',
});

async function send(server: RunningServer, method: string, path: string, body?: unknown) {
  const response = await fetch(`${server.baseUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${ADMIN}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await response.text();
  return { status: response.status, json: text ? JSON.parse(text) : undefined };
}

t.test('an event committed by a process killed before delivering is delivered after restart', async (t) => {
  const receiver = await startReceiver(t);
  const databaseUrl = await sharedDatabaseUrl(t);
  // A process that commits but does not deliver: SIGKILL can land between the two anyway.
  const first = await startServer(t, env(databaseUrl, false));
  const hook = await send(first, 'POST', '/v1/webhooks', { url: receiver.url, events: ['article.created'] });
  t.equal(hook.status, 201);
  const article = await send(first, 'POST', '/v1/articles', { title: 'Survives' });
  t.equal(article.status, 201);
  // The event is committed and owed to the endpoint, and no attempt was made: the kill lands
  // between the two by construction (this process does not deliver).
  const changes = await send(first, 'GET', '/v1/changes?since=0');
  t.match(changes.json.data, [{ type: 'article.created', id: article.json.id }], 'the event committed');
  const attempts = await send(first, 'GET', `/v1/webhooks/${hook.json.id}/deliveries`);
  t.equal(attempts.json.meta.total, 0, 'no delivery attempted before the kill');
  await stopServer(first, 'SIGKILL');

  const second = await startServer(t, env(databaseUrl, true));
  t.ok(await eventually(() => receiver.received.length >= 1), 'delivered after restart');
  const [delivery] = receiver.verified(hook.json.secret);
  t.match(delivery?.payload, { type: 'article.created', data: { id: article.json.id, title: 'Survives' } });
  await stopServer(second);
});

t.test('two processes share one outbox: every event delivered once; the feed has no gap', async (t) => {
  const receiver = await startReceiver(t);
  const databaseUrl = await sharedDatabaseUrl(t);
  const a = await startServer(t, env(databaseUrl, true));
  const b = await startServer(t, env(databaseUrl, true));
  const hook = await send(a, 'POST', '/v1/webhooks', { url: receiver.url, events: ['tag.*'] });
  t.equal(hook.status, 201);

  // Writers on both processes at once, and a reader following the change feed meanwhile.
  const seen: number[] = [];
  let cursor = '0';
  let writing = true;
  const reader = (async () => {
    while (writing || seen.length < 40) {
      const page = await send(b, 'GET', `/v1/changes?since=${cursor}&wait=1`);
      for (const change of page.json.data) seen.push(change.seq);
      cursor = page.json.meta.nextCursor;
      if (!writing && page.json.data.length === 0) break;
    }
  })();
  const writes = Array.from({ length: 40 }, (_, i) =>
    send(i % 2 ? a : b, 'POST', '/v1/tags', { name: `Tag ${i}` }),
  );
  const statuses = (await Promise.all(writes)).map((write) => write.status);
  writing = false;
  await reader;
  t.same(new Set(statuses), new Set([201]));
  t.same(
    seen,
    Array.from({ length: 40 }, (_, i) => i + 1),
    'the feed read every change once, in order, while both processes wrote',
  );

  t.ok(await eventually(() => receiver.received.length >= 40), 'all 40 delivered');
  // Every send is recorded as an attempt once its answer is in: once 40 are recorded, a 41st
  // (a duplicate) would show there or at the receiver.
  let recorded = 0;
  await eventually(async () => {
    recorded = (await send(a, 'GET', `/v1/webhooks/${hook.json.id}/deliveries`)).json.meta.total;
    return recorded >= 40;
  });
  t.equal(recorded, 40, 'one attempt per event');
  const ids = receiver.verified(hook.json.secret).map((delivery) => delivery.id);
  t.equal(ids.length, 40, 'no event delivered twice');
  t.equal(new Set(ids).size, 40);
  await Promise.all([stopServer(a), stopServer(b)]);
});
