import t from 'tap';
import { buildTestApp, type CallResult, sharedStore } from '../helpers/app.js';
import { storeText } from '../helpers/store-text.js';
import { SITE } from '../helpers/syndication.js';

// Preview links: a token that reads one article as it stands, for someone without a key.

t.test('a preview token reads its draft by id and slug, privately, and nothing else', async (t) => {
  const { call } = await buildTestApp(t, { site: SITE });
  const draft = (await call('POST', '/v1/articles', { body: { title: 'Embargoed story', body: 'Secret.' } }))
    .json;
  await call('POST', '/v1/articles', { body: { title: 'Other draft' } });
  await call('POST', '/v1/articles', { body: { title: 'Public one', status: 'published' } });
  const made = await call('POST', `/v1/articles/${draft.slug}/preview`, { body: { ttlSeconds: 3600 } });
  t.equal(made.status, 201, made.body);
  const { token, url, expiresAt } = made.json;
  t.match(token, /^bsp_[A-Za-z0-9_-]{43}$/);
  t.equal(url, `https://news.example.com/preview/${draft.id}?token=${token}`);
  t.equal(expiresAt, '2026-01-15T13:00:00.000Z', 'an hour from now');
  t.equal(made.headers['cache-control'], 'no-store');

  const asPreview = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', path: string, body?: object) =>
    call(method, path, { key: token, ...(body ? { body } : {}) });
  for (const path of [`/v1/articles/${draft.id}`, `/v1/articles/${draft.slug}`]) {
    const read = await asPreview('GET', path);
    t.equal(read.status, 200, path);
    t.match(read.json, { id: draft.id, status: 'draft', body: 'Secret.' });
    t.equal(read.headers['cache-control'], 'private, no-store', 'never cached by anyone');
  }
  const expectStatus = (response: CallResult, status: number, type: RegExp, what: string) => {
    t.equal(response.status, status, what);
    t.match(response.json, { type });
  };
  expectStatus(
    await asPreview('GET', '/v1/articles/other-draft'),
    404,
    /not-found$/,
    'another draft: not found',
  );
  expectStatus(await asPreview('GET', '/v1/articles/public-one'), 404, /not-found$/, 'even a public one');
  expectStatus(await asPreview('GET', '/v1/articles'), 403, /preview-token$/, 'no lists');
  expectStatus(
    await asPreview('GET', `/v1/articles/${draft.id}/revisions`),
    403,
    /preview-token$/,
    'no revisions',
  );
  expectStatus(await asPreview('GET', '/v1/sections'), 403, /preview-token$/, 'nothing else');
  expectStatus(
    await asPreview('PATCH', `/v1/articles/${draft.id}`, { title: 'Hijacked' }),
    403,
    /preview-token$/,
    'no writes',
  );
  expectStatus(
    await asPreview('POST', `/v1/articles/${draft.id}/preview`, {}),
    403,
    /preview-token$/,
    'no new tokens',
  );
  t.equal((await call('GET', `/v1/articles/${draft.id}`)).json.title, 'Embargoed story');

  const renamed = await call('PATCH', `/v1/articles/${draft.id}`, {
    body: { slug: 'renamed', body: 'Edited.' },
  });
  t.equal(renamed.status, 200);
  const current = await asPreview('GET', '/v1/articles/renamed');
  t.match(current.json, { slug: 'renamed', body: 'Edited.' }, 'the current state, under its new slug');
  t.equal((await asPreview('GET', `/v1/articles/${draft.slug}`)).status, 404, 'the old slug names nothing');
});

t.test('preview tokens expire, can be revoked, are stored hashed, and refuse tampering', async (t) => {
  const store = sharedStore(t);
  const { call, clock } = await buildTestApp(t, {}, store);
  const draft = (await call('POST', '/v1/articles', { body: { title: 'Draft' } })).json;
  const response = await call('POST', `/v1/articles/${draft.id}/preview`);
  t.equal(response.status, 201, response.body);
  const made = response.json;
  t.equal(made.url, null, 'no URL without SITE_URL');
  t.equal(made.expiresAt, '2026-01-16T12:00:00.000Z', 'a day by default');
  const read = () => call('GET', `/v1/articles/${draft.id}`, { key: made.token });
  t.equal((await read()).status, 200);

  const tampered = `${made.token.slice(0, -1)}${made.token.endsWith('A') ? 'B' : 'A'}`;
  const refused = await call('GET', `/v1/articles/${draft.id}`, { key: tampered });
  t.equal(refused.status, 401);
  t.match(refused.json.detail, /Unknown or revoked preview token/);
  t.match(String(refused.headers['www-authenticate']), /invalid_token/);

  t.notOk((await storeText(store)).includes(made.token.slice(4)), 'only a hash is stored');

  clock.advance(86_400_000);
  const expired = await read();
  t.equal(expired.status, 401, 'expired at its instant');
  t.match(expired.json.detail, /expired at 2026-01-16T12:00:00.000Z/);

  clock.set('2026-01-15T12:00:00.000Z');
  const second = (await call('POST', `/v1/articles/${draft.id}/preview`, { body: { ttlSeconds: 60 } })).json;
  t.equal((await call('GET', `/v1/articles/${draft.id}`, { key: second.token })).status, 200);
  t.equal((await call('DELETE', `/v1/articles/${draft.id}/preview`)).status, 204);
  t.equal((await read()).status, 401, 'revoked');
  t.equal((await call('GET', `/v1/articles/${draft.id}`, { key: second.token })).status, 401, 'every token');

  for (const ttlSeconds of [59, 604_801, 1.5]) {
    const bad = await call('POST', `/v1/articles/${draft.id}/preview`, { body: { ttlSeconds } });
    t.equal(bad.status, 400, `ttlSeconds ${ttlSeconds}`);
  }
  t.equal((await call('POST', '/v1/articles/nope/preview')).status, 404);
  t.equal((await call('POST', `/v1/articles/${draft.id}/preview`, { key: null })).status, 401);
});
