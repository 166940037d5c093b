import t from 'tap';
import { buildTestApp } from '../helpers/app.js';
import { eventually } from '../helpers/eventually.js';
import { startReceiver } from '../helpers/receiver.js';

// Corrections: a public, append-only log on published articles.

t.test('corrections: appended, shown, announced; they move updatedAt, the ETag and caches', async (t) => {
  const { call, clock } = await buildTestApp(t);
  const created = (
    await call('POST', '/v1/articles', {
      body: { title: 'Harbour master named', status: 'published', tags: ['Port'] },
    })
  ).json;
  const first = await call('GET', '/v1/articles/harbour-master-named', { key: null });
  t.same(first.json.corrections, [], 'none yet');
  const list = await call('GET', '/v1/articles?tag=port', { key: null });
  t.equal((await call('GET', '/v1/articles/harbour-master-named', { key: null })).headers['x-cache'], 'HIT');

  clock.advance(60_000);
  const appended = await call('POST', '/v1/articles/harbour-master-named/corrections', {
    body: {
      kind: 'correction',
      text: 'An earlier version misnamed the *harbour master*. <script>x</script>',
    },
  });
  t.equal(appended.status, 201, appended.body);
  t.same(appended.json, {
    id: appended.json.id,
    kind: 'correction',
    text: 'An earlier version misnamed the *harbour master*. <script>x</script>',
    textHtml:
      '<p>An earlier version misnamed the <em>harbour master</em>. &lt;script&gt;x&lt;/script&gt;</p>\n',
    at: '2026-01-15T12:01:00.000Z',
  });
  await call('POST', '/v1/articles/harbour-master-named/corrections', {
    body: { kind: 'update', text: 'The council has since confirmed the appointment.' },
  });

  const after = await call('GET', '/v1/articles/harbour-master-named', { key: null });
  t.same(
    after.json.corrections.map((c: { kind: string }) => c.kind),
    ['correction', 'update'],
    'the public sees both, oldest first, from the cache too',
  );
  t.equal(after.json.updatedAt, '2026-01-15T12:01:00.000Z', 'updatedAt moved');
  t.equal(after.json.version, created.version, 'the editorial version did not');
  t.not(after.headers.etag, first.headers.etag, 'a new ETag');
  const stale = await call('GET', '/v1/articles/harbour-master-named', {
    key: null,
    headers: { 'if-none-match': String(first.headers.etag) },
  });
  t.equal(stale.status, 200, 'no stale 304');
  const listed = await call('GET', '/v1/articles?tag=port', { key: null });
  t.not(listed.headers.etag, list.headers.etag, 'lists that show it moved too');
  t.equal(listed.json.data[0].corrections.length, 2);

  const changes = (await call('GET', '/v1/changes')).json.data;
  t.same(
    changes.filter((change: { type: string }) => change.type === 'article.corrected').length,
    2,
    'article.corrected in the change feed',
  );
});

t.test(
  'only published articles take corrections; entries are never edited, only removed by an admin',
  async (t) => {
    const { call } = await buildTestApp(t);
    await call('POST', '/v1/articles', { body: { title: 'Draft' } });
    const refused = await call('POST', '/v1/articles/draft/corrections', {
      body: { kind: 'correction', text: 'x' },
    });
    t.equal(refused.status, 409);
    t.match(refused.json, { type: /not-published$/, detail: /draft/ });
    for (const body of [
      { kind: 'erratum', text: 'x' },
      { kind: 'correction', text: '' },
      { kind: 'correction' },
    ]) {
      t.equal(
        (await call('POST', '/v1/articles/draft/corrections', { body })).status,
        400,
        JSON.stringify(body),
      );
    }

    await call('POST', '/v1/articles', { body: { title: 'Live', status: 'published' } });
    const correction = (
      await call('POST', '/v1/articles/live/corrections', {
        body: { kind: 'clarification', text: 'Said better.' },
      })
    ).json;
    t.equal(
      (await call('PATCH', `/v1/articles/live/corrections/${correction.id}`, { body: { text: 'y' } })).status,
      405,
      'no operation edits one',
    );
    const writer = (await call('POST', '/v1/keys', { body: { name: 'desk', scopes: ['content:write'] } }))
      .json.key;
    const notAdmin = await call('DELETE', `/v1/articles/live/corrections/${correction.id}`, { key: writer });
    t.equal(notAdmin.status, 403, 'a writer cannot remove one');
    t.equal(
      (
        await call(
          'DELETE',
          `/v1/articles/live/corrections/${correction.id}?reason=Posted%20on%20the%20wrong%20story`,
        )
      ).status,
      204,
    );
    t.same(
      (await call('GET', '/v1/articles/live', { key: null })).json.corrections,
      [],
      'gone from the article',
    );
    const log = (await call('GET', '/v1/articles/live/corrections')).json.data;
    t.match(
      log,
      [
        {
          id: correction.id,
          text: 'Said better.',
          by: 'BROADSHEET_ADMIN_KEY',
          removedAt: '2026-01-15T12:00:00.000Z',
          removedBy: 'BROADSHEET_ADMIN_KEY',
          removalReason: 'Posted on the wrong story',
        },
      ],
      'the log keeps it, with the removal',
    );
    t.equal(
      (await call('DELETE', `/v1/articles/live/corrections/${correction.id}`)).status,
      404,
      'removed once',
    );
    t.equal(
      (await call('GET', '/v1/articles/live/corrections', { key: null })).status,
      401,
      'the log is the newsroom’s',
    );
    const types = (await call('GET', '/v1/changes')).json.data.map((change: { type: string }) => change.type);
    t.ok(types.includes('article.correction_removed'), 'the removal is announced');
  },
);

t.test('webhooks receive article.corrected with the article as corrected', async (t) => {
  const receiver = await startReceiver(t);
  const { call, app } = await buildTestApp(t);
  const hook = (
    await call('POST', '/v1/webhooks', { body: { url: receiver.url, events: ['article.corrected'] } })
  ).json;
  await call('POST', '/v1/articles', { body: { title: 'Live', status: 'published' } });
  await call('POST', '/v1/articles/live/corrections', { body: { kind: 'correction', text: 'Fixed.' } });
  await app.jobs.runOnce();
  t.ok(await eventually(() => receiver.received.length === 1), 'one delivery');
  const [delivery] = receiver.verified(hook.secret);
  t.match(delivery?.payload, {
    type: 'article.corrected',
    data: { slug: 'live', corrections: [{ text: 'Fixed.' }] },
  });
});
