import t from 'tap';
import { buildTestApp, type SharedStore, sharedStore, type TestApp } from '../helpers/app.js';
import { loadSeedArticle } from '../helpers/seed.js';

const reader = { authorName: 'Olena', authorEmail: 'olena@example.org' };

async function withSeedArticle(t: Parameters<typeof buildTestApp>[0], overrides = {}, shared?: SharedStore) {
  const app = await buildTestApp(t, overrides, shared);
  const seed = loadSeedArticle();
  await app.call('POST', '/v1/sections', { body: { name: seed.section } });
  const article = await app.call('POST', '/v1/articles', { body: seed });
  const moderator = (
    await app.call('POST', '/v1/keys', { body: { name: 'mod', scopes: ['comments:moderate'] } })
  ).json.key as string;
  return { ...app, article: article.json, moderator };
}

async function comment(
  app: TestApp,
  articleId: number,
  body: string,
  extra: object = {},
  key: string | null = null,
) {
  return app.call('POST', `/v1/articles/${articleId}/comments`, { key, body: { ...reader, body, ...extra } });
}

t.test('a reader comments, a moderator approves, the public sees it and the count', async (t) => {
  const app = await withSeedArticle(t);
  const { call, article, moderator } = app;
  const submitted = await comment(app, article.id, 'Binding guarantees are the whole question.');
  t.equal(submitted.status, 201);
  t.equal(submitted.json.status, 'pending', 'held for moderation, and the response says so');
  t.notOk('authorEmail' in submitted.json, 'the email is not even shown to its submitter');
  t.equal(submitted.headers.location, `/v1/comments/${submitted.json.id}`);

  const before = await call('GET', `/v1/articles/${article.slug}/comments`, { key: null });
  t.same(before.json.data, [], 'pending comments are not public');
  t.equal((await call('GET', `/v1/articles/${article.id}`, { key: null })).json.commentCount, 0);

  const queue = await call('GET', '/v1/comments?status=pending', { key: moderator });
  t.equal(queue.json.meta.total, 1);
  t.equal(queue.json.data[0].authorEmail, 'olena@example.org', 'moderators see the email');

  const approved = await call('PATCH', `/v1/comments/${submitted.json.id}`, {
    key: moderator,
    body: { status: 'approved' },
  });
  t.equal(approved.json.status, 'approved');
  const after = await call('GET', `/v1/articles/${article.slug}/comments`, { key: null });
  t.equal(after.json.data.length, 1);
  t.notOk('authorEmail' in after.json.data[0]);
  t.equal(after.json.data[0].body, 'Binding guarantees are the whole question.');
  t.equal((await call('GET', `/v1/articles/${article.id}`, { key: null })).json.commentCount, 1);
  const listed = await call('GET', '/v1/articles', { key: null });
  t.equal(listed.json.data[0].commentCount, 1, 'lists carry the count too');

  await call('PATCH', `/v1/comments/${submitted.json.id}`, { key: moderator, body: { status: 'spam' } });
  t.equal((await call('GET', `/v1/articles/${article.id}`, { key: null })).json.commentCount, 0);
  t.equal((await call('GET', '/v1/comments?status=spam', { key: moderator })).json.meta.total, 1);
});

t.test('threads: replies follow parents, bounded depth, same article only', async (t) => {
  const app = await withSeedArticle(t);
  const { call, article, moderator } = app;
  const as = (body: string, extra = {}) => comment(app, article.id, body, extra, moderator);
  const first = (await as('first')).json;
  const second = (await as('second')).json;
  const reply = (await as('reply to first', { parentId: first.id })).json;
  const nested = (await as('reply to reply', { parentId: reply.id })).json;
  t.equal(first.status, 'approved', 'a moderator’s comment is approved at once');
  t.equal(nested.depth, 2);
  const thread = await call('GET', `/v1/articles/${article.id}/comments`, { key: null });
  t.same(
    thread.json.data.map((c: { body: string; depth: number }) => [c.body, c.depth]),
    [
      ['first', 0],
      ['reply to first', 1],
      ['reply to reply', 2],
      ['second', 0],
    ],
  );
  let parent = nested;
  for (let depth = 3; depth <= 5; depth++)
    parent = (await as(`depth ${depth}`, { parentId: parent.id })).json;
  const tooDeep = await as('depth 6', { parentId: parent.id });
  t.equal(tooDeep.status, 422);
  t.match(tooDeep.json.detail, /at most 5/);

  const other = await call('POST', '/v1/articles', { body: { title: 'Other', status: 'published' } });
  const crossed = await comment(app, other.json.id, 'wrong thread', { parentId: second.id });
  t.equal(crossed.status, 422);
  const pending = (await comment(app, article.id, 'still pending')).json;
  const toPending = await comment(app, article.id, 'reply to pending', { parentId: pending.id });
  t.equal(toPending.status, 422, 'the public cannot reply to a comment it cannot see');

  t.equal((await call('DELETE', `/v1/comments/${reply.id}`, { key: moderator })).status, 204);
  const withTombstone = await call('GET', `/v1/articles/${article.id}/comments`, { key: null });
  const tombstone = withTombstone.json.data.find((c: { id: number }) => c.id === reply.id);
  t.match(
    tombstone,
    { deleted: true, body: '', authorName: '' },
    'a deleted comment with replies stays as a tombstone',
  );
  t.ok(
    withTombstone.json.data.some((c: { id: number }) => c.id === nested.id),
    'its replies still read',
  );
  t.equal((await call('DELETE', `/v1/comments/${second.id}`, { key: moderator })).status, 204);
  t.equal(
    (await call('GET', `/v1/comments/${second.id}`, { key: moderator })).status,
    404,
    'a leaf goes entirely',
  );
  t.equal(
    (await call('PATCH', `/v1/comments/${reply.id}`, { key: moderator, body: { body: 'x' } })).status,
    409,
  );
});

t.test('abuse: honeypot, duplicates, closed comments, status needs a moderator', async (t) => {
  const app = await withSeedArticle(t);
  const { call, article, moderator } = app;
  const bot = await comment(app, article.id, 'cheap pills', { website: 'http://spam.example' });
  t.equal(bot.status, 201);
  t.equal(bot.json.status, 'pending', 'the bot is not told');
  t.equal(
    (await call('GET', `/v1/comments/${bot.json.id}`, { key: moderator })).json.status,
    'spam',
    'filed as spam',
  );

  t.equal((await comment(app, article.id, 'Same words')).status, 201);
  const again = await comment(app, article.id, 'Same words');
  t.equal(again.status, 409);
  t.match(again.json.type, /duplicate-comment/);

  const selfApproved = await comment(app, article.id, 'approve me', { status: 'approved' });
  t.equal(selfApproved.status, 403);

  await call('PATCH', `/v1/articles/${article.id}`, { body: { commentsEnabled: false } });
  const closed = await comment(app, article.id, 'too late');
  t.equal(closed.status, 409);
  t.match(closed.json.type, /comments-closed/);

  const invalid = await call('POST', `/v1/articles/${article.id}/comments`, {
    key: null,
    body: { authorName: ' ', authorEmail: 'not-an-email', body: 'x'.repeat(5001) },
  });
  t.equal(invalid.status, 400);
  t.same(invalid.json.errors.map((e: { path: string }) => e.path).sort(), [
    '/body/authorEmail',
    '/body/authorName',
    '/body/body',
  ]);
});

t.test('comments on drafts and unknown articles are 404s', async (t) => {
  const app = await withSeedArticle(t);
  const draft = await app.call('POST', '/v1/articles', { body: { title: 'Draft' } });
  t.equal((await comment(app, draft.json.id, 'hello')).status, 404);
  t.equal((await app.call('GET', `/v1/articles/${draft.json.id}/comments`, { key: null })).status, 404);
  t.equal((await comment(app, 9999, 'hello')).status, 404);
  t.equal((await app.call('GET', '/v1/articles/no-such/comments', { key: null })).status, 404);
});

t.test('anonymous submissions are rate limited; keyed clients are not', async (t) => {
  const app = await withSeedArticle(t, { rateLimit: { anonymous: 1000, keyed: 1000, comments: 3 } });
  for (let i = 0; i < 3; i++) t.equal((await comment(app, app.article.id, `c${i}`)).status, 201);
  const limited = await comment(app, app.article.id, 'one too many');
  t.equal(limited.status, 429);
  t.equal(limited.headers['content-type'], 'application/problem+json; charset=utf-8');
  t.ok(Number(limited.headers['retry-after']) > 0, 'Retry-After');
  t.equal(limited.headers['ratelimit-limit'], '3');
  t.equal(limited.headers['ratelimit-remaining'], '0');
  for (let i = 0; i < 5; i++) {
    t.equal(
      (await comment(app, app.article.id, `keyed ${i}`, {}, app.moderator)).status,
      201,
      'keyed clients pass',
    );
  }
  t.equal(
    (await app.call('GET', `/v1/articles/${app.article.id}/comments`, { key: null })).status,
    200,
    'reads are separate',
  );
});

t.test('the submission limit holds across processes sharing the database', async (t) => {
  const store = sharedStore(t);
  const limits = { rateLimit: { anonymous: 1000, keyed: 1000, comments: 3 } };
  const first = await withSeedArticle(t, limits, store);
  const second = await buildTestApp(t, limits, store);
  second.clock.set(first.clock.now.toISOString());
  const statuses = [];
  for (const [i, app] of [first, second, first, second].entries())
    statuses.push((await comment(app, first.article.id, `from either ${i}`)).status);
  t.same(statuses, [201, 201, 201, 429], 'three a minute in all, not three per process');
  const limited = await comment(second, first.article.id, 'still too many');
  t.equal(limited.status, 429);
  t.ok(Number(limited.headers['retry-after']) <= 60, 'Retry-After counts down the shared window');

  for (const app of [first, second]) app.clock.advance(60_000);
  t.equal(
    (await comment(second, first.article.id, 'a new minute')).status,
    201,
    'the next window starts afresh',
  );
  const other = await comment(first, first.article.id, 'another reader', {}, null);
  t.equal(other.status, 201);

  // The background jobs' maintenance forgets windows that ended a day ago.
  for (const app of [first, second]) app.clock.advance(2 * 86_400_000);
  await first.app.jobs.runOnce();
  t.equal(
    await first.app.services.rateLimits.expire(first.clock.now.getTime()),
    0,
    'old windows were deleted already',
  );
});
