import t from 'tap';
import { ADMIN_KEY, buildTestApp } from '../helpers/app.js';
import { pngWithAlpha } from '../helpers/images.js';

interface Document {
  paths: Record<string, Record<string, unknown>>;
}

async function site(t: Parameters<typeof buildTestApp>[0]) {
  const app = await buildTestApp(t);
  const { call } = app;
  await call('POST', '/v1/sections', { body: { name: 'World' } });
  const article = (
    await call('POST', '/v1/articles', {
      body: {
        title: 'Harbour council',
        section: 'world',
        tags: ['ukraine'],
        authors: ['Ada Reporter'],
        status: 'published',
        body: 'Harbour.',
      },
    })
  ).json;
  const comment = (
    await call('POST', `/v1/articles/${article.id}/comments`, {
      key: null,
      body: { authorName: 'A', authorEmail: 'a@example.org', body: 'First' },
    })
  ).json;
  const key = (await call('POST', '/v1/keys', { body: { name: 'reader', scopes: ['content:read'] } })).json;
  return { ...app, article, comment, key };
}

t.test('every GET operation: a write to what it shows moves its ETag', async (t) => {
  const { app, call, clock, article, comment, key } = await site(t);
  let n = 0;
  const retitle = () =>
    call('PATCH', `/v1/articles/${article.id}`, { body: { title: `Harbour council ${++n}` } });
  // What each GET shows, and a write that changes it. A new GET must be added here.
  const cases: Record<string, { url: string; write: () => Promise<unknown> }> = {
    '/v1/articles': { url: '/v1/articles', write: retitle },
    '/v1/search': { url: '/v1/search?q=harbour', write: retitle },
    '/v1/articles/{idOrSlug}': { url: `/v1/articles/${article.id}`, write: retitle },
    '/v1/articles/{idOrSlug}/comments': {
      url: `/v1/articles/${article.id}/comments`,
      write: () => call('PATCH', `/v1/comments/${comment.id}`, { body: { status: 'approved' } }),
    },
    '/v1/articles/{idOrSlug}/revisions': { url: `/v1/articles/${article.id}/revisions`, write: retitle },
    '/v1/articles/{idOrSlug}/ninjs': { url: `/v1/articles/${article.id}/ninjs`, write: retitle },
    '/v1/articles/{idOrSlug}/corrections': {
      url: `/v1/articles/${article.id}/corrections`,
      write: () =>
        call('POST', `/v1/articles/${article.id}/corrections`, { body: { kind: 'update', text: `u${++n}` } }),
    },
    '/v1/sections': {
      url: '/v1/sections',
      write: () => call('PATCH', '/v1/sections/world', { body: { description: `d${++n}` } }),
    },
    '/v1/sections/{idOrSlug}': {
      url: '/v1/sections/world',
      write: () => call('PATCH', '/v1/sections/world', { body: { description: `d${++n}` } }),
    },
    '/v1/tags': {
      url: '/v1/tags',
      write: () => call('PATCH', '/v1/tags/ukraine', { body: { description: `d${++n}` } }),
    },
    '/v1/tags/{idOrSlug}': {
      url: '/v1/tags/ukraine',
      write: () => call('PATCH', '/v1/tags/ukraine', { body: { description: `d${++n}` } }),
    },
    '/v1/authors': {
      url: '/v1/authors',
      write: () => call('PATCH', '/v1/authors/ada-reporter', { body: { jobTitle: `t${++n}` } }),
    },
    '/v1/authors/{idOrSlug}': {
      url: '/v1/authors/ada-reporter',
      write: () => call('PATCH', '/v1/authors/ada-reporter', { body: { jobTitle: `t${++n}` } }),
    },
    '/v1/comments': {
      url: '/v1/comments',
      write: () => call('PATCH', `/v1/comments/${comment.id}`, { body: { body: `edited ${++n}` } }),
    },
    '/v1/comments/{id}': {
      url: `/v1/comments/${comment.id}`,
      write: () => call('PATCH', `/v1/comments/${comment.id}`, { body: { body: `edited ${++n}` } }),
    },
    '/v1/keys': {
      url: '/v1/keys',
      write: () => call('POST', '/v1/keys', { body: { name: `k${++n}`, scopes: ['admin'] } }),
    },
    '/v1/keys/{id}': {
      url: `/v1/keys/${key.id}`,
      // The key's lastUsedAt, shown to the minute, moves when it is used a minute later.
      write: async () => {
        clock.advance(120_000);
        await call('GET', '/v1/sections', { key: key.key });
      },
    },
  };
  const image = await app.inject({
    method: 'POST',
    url: '/v1/media',
    headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'image/png' },
    payload: await pngWithAlpha(),
  });
  const mediaWrite = () => call('PATCH', `/v1/media/${image.json().id}`, { body: { alt: `a${++n}` } });
  cases['/v1/media'] = { url: '/v1/media', write: mediaWrite };
  cases['/v1/media/{id}'] = { url: `/v1/media/${image.json().id}`, write: mediaWrite };
  const hook = (
    await call('POST', '/v1/webhooks', { body: { url: 'http://127.0.0.1:9/hook', events: ['tag.*'] } })
  ).json;
  const webhookWrite = () => call('PATCH', `/v1/webhooks/${hook.id}`, { body: { description: `d${++n}` } });
  cases['/v1/webhooks'] = { url: '/v1/webhooks', write: webhookWrite };
  cases['/v1/webhooks/{id}'] = { url: `/v1/webhooks/${hook.id}`, write: webhookWrite };
  cases['/v1/webhooks/{id}/deliveries'] = {
    url: `/v1/webhooks/${hook.id}/deliveries`,
    write: () => call('POST', `/v1/webhooks/${hook.id}/test`),
  };
  // Revisions never change once written: their validator has nothing to follow.
  const immutable = new Set(['/v1/articles/{idOrSlug}/revisions/{number}']);
  // A cursor-driven feed: never stored, never validated.
  const unvalidated = new Set(['/v1/changes']);

  const document = JSON.parse((await app.inject({ method: 'GET', url: '/openapi.json' })).body) as Document;
  const gets = Object.entries(document.paths)
    .filter(([path, operations]) => path.startsWith('/v1') && 'get' in operations)
    .map(([path]) => path);
  for (const path of gets) {
    if (immutable.has(path)) continue;
    if (unvalidated.has(path)) {
      const response = await call('GET', path);
      t.equal(response.headers['cache-control'], 'no-store', `GET ${path}: no-store`);
      t.notOk(response.headers.etag, `GET ${path}: no ETag`);
      continue;
    }
    const entry = cases[path];
    if (!entry) {
      t.fail(`no write case for GET ${path}`);
      continue;
    }
    const before = await call('GET', entry.url);
    t.equal(before.status, 200, `GET ${path}`);
    await entry.write();
    const after = await call('GET', entry.url);
    t.not(after.headers.etag, before.headers.etag, `GET ${path}: the ETag moved`);
    t.equal(
      (await call('GET', entry.url, { headers: { 'if-none-match': String(before.headers.etag) } })).status,
      200,
      `GET ${path}: the old ETag no longer answers 304`,
    );
  }
});

t.test('private writes leave public validators alone; public ones move them', async (t) => {
  const { call, article, key } = await site(t);
  const publicUrls = [
    '/v1/articles',
    `/v1/articles/${article.id}`,
    '/v1/sections',
    '/v1/tags',
    '/v1/search?q=harbour',
  ];
  const tags = async () =>
    Promise.all(publicUrls.map(async (url) => (await call('GET', url, { key: null })).headers.etag));
  const readerTag = async () => (await call('GET', '/v1/articles', { key: key.key })).headers.etag;
  const publicBefore = await tags();
  const readerBefore = await readerTag();

  const draft = await call('POST', '/v1/articles', {
    body: { title: 'Secret merger', tags: ['AcmeCorpMerger'] },
  });
  await call('PATCH', `/v1/articles/${draft.json.id}`, { body: { body: 'More secrets' } });
  await call('POST', `/v1/articles/${article.id}/comments`, {
    key: null,
    body: { authorName: 'B', authorEmail: 'b@example.org', body: 'Pending, unseen' },
  });
  await call('POST', '/v1/keys', { body: { name: 'another', scopes: ['content:read'] } });
  await call('POST', '/v1/tags', { body: { name: 'Unused' } });
  t.same(await tags(), publicBefore, 'drafts, pending comments, keys and unused tags change no public ETag');
  t.not(await readerTag(), readerBefore, 'a key that sees drafts sees its validators move');

  const lastModified = (await call('GET', '/v1/articles', { key: null })).headers['last-modified'];
  t.ok(lastModified);

  await call('PATCH', `/v1/articles/${draft.json.id}`, { body: { status: 'published' } });
  const afterPublish = await tags();
  t.not(afterPublish[0], publicBefore[0], 'publishing moves the list');
  t.equal(afterPublish[1], publicBefore[1], 'but not an unrelated article');

  await call('PATCH', '/v1/sections/world', { body: { name: 'World news' } });
  t.not((await tags())[1], afterPublish[1], 'renaming its section moves the article');
  const beforeTag = (await tags())[1];
  await call('PATCH', '/v1/tags/ukraine', { body: { name: 'Ukraine war' } });
  t.not((await tags())[1], beforeTag, 'renaming its tag moves the article');
  t.match(String(publicBefore[0]), /^"[A-Za-z0-9_-]{22}"$/, 'list ETags are opaque');
});

t.test('validators are signed with a secret of each database, so they cannot be predicted', async (t) => {
  const sites = [await buildTestApp(t), await buildTestApp(t)];
  const tags = [];
  for (const { call } of sites) {
    // The same history on both: an unkeyed hash of (counter, URL) would give the same ETag.
    await call('POST', '/v1/sections', { body: { name: 'World' } });
    tags.push((await call('GET', '/v1/sections', { key: null })).headers.etag);
  }
  t.not(tags[0], tags[1]);
});

t.test('one instant per request: published without a date is published, not scheduled', async (t) => {
  const app = await buildTestApp(t);
  // A clock that moves on every reading would expose any rule that reads it twice.
  let ticks = 0;
  const base = app.clock.now.getTime();
  Object.defineProperty(app.clock, 'now', { get: () => new Date(base + ++ticks) });
  for (let i = 0; i < 5; i++) {
    const created = await app.call('POST', '/v1/articles', {
      body: { title: `Now ${i}`, status: 'published' },
    });
    t.equal(created.json.status, 'published');
  }
});

t.test('dates the schema accepts get a 2xx or a 4xx, never a 500', async (t) => {
  const { call } = await buildTestApp(t);
  const leap = await call('POST', '/v1/articles', {
    body: { title: 'Leap', status: 'published', publishedAt: '2025-12-31T23:59:60Z' },
  });
  t.equal(leap.status, 201);
  t.equal(leap.json.publishedAt, '2026-01-01T00:00:00.000Z', 'a leap second is the next instant');
  const patched = await call('PATCH', `/v1/articles/${leap.json.id}`, {
    body: { publishedAt: '2024-06-30T23:59:60.5Z' },
  });
  t.equal(patched.status, 200);
  t.equal((await call('GET', '/v1/articles?publishedAfter=2026-13-40')).status, 400);
  for (const date of [
    '0000-01-01T00:00:00Z',
    '9999-12-31T23:59:60.999999999+14:00',
    '2026-06-30T23:59:60+02:00',
    '1970-01-01T00:00:00.000000001Z',
  ]) {
    for (const status of ['published', 'scheduled', 'draft']) {
      const answer = await call('POST', '/v1/articles', {
        body: { title: `${status} ${date}`, status, publishedAt: date },
      });
      t.ok(answer.status < 500, `${status} at ${date}: ${answer.status}`);
    }
  }
});

t.test('deleting a tag is a recorded change of each article that carried it', async (t) => {
  const { call, article } = await site(t);
  await call('DELETE', '/v1/tags/ukraine');
  const after = await call('GET', `/v1/articles/${article.id}`);
  t.equal(after.json.version, 2);
  t.same(after.json.tags, []);
  const revisions = await call('GET', `/v1/articles/${article.id}/revisions`);
  t.equal(revisions.json.meta.total, 2);
  t.same(revisions.json.data[0].snapshot.tags, [], 'the latest revision agrees with the article');
});

t.test('a removed parent in a public thread says nothing of why', async (t) => {
  const { call, article } = await site(t);
  const parent = await call('POST', `/v1/articles/${article.id}/comments`, {
    body: { authorName: 'P', authorEmail: 'p@example.org', body: 'Parent', status: 'approved' },
  });
  await call('POST', `/v1/articles/${article.id}/comments`, {
    body: {
      authorName: 'R',
      authorEmail: 'r@example.org',
      body: 'Reply',
      status: 'approved',
      parentId: parent.json.id,
    },
  });
  await call('PATCH', `/v1/comments/${parent.json.id}`, { body: { status: 'spam' } });
  await call('DELETE', `/v1/comments/${parent.json.id}`);
  const thread = await call('GET', `/v1/articles/${article.id}/comments`, { key: null });
  const tombstone = thread.json.data.find((c: { id: number }) => c.id === parent.json.id);
  t.equal(tombstone.deleted, true);
  t.equal(tombstone.status, 'trash');
  t.notMatch(thread.body, /spam/);
});

t.test('delivery keys see what the public sees, with public caching and the keyed allowance', async (t) => {
  const { call, article } = await site(t);
  const delivery = (
    await call('POST', '/v1/keys', { body: { name: 'front end', scopes: ['content:public'] } })
  ).json;
  const draft = await call('POST', '/v1/articles', { body: { title: 'Draft only' } });
  t.equal((await call('GET', `/v1/articles/${draft.json.id}`, { key: delivery.key })).status, 404);
  const viaKey = await call('GET', `/v1/articles/${article.id}`, { key: delivery.key });
  const anonymous = await call('GET', `/v1/articles/${article.id}`, { key: null });
  t.equal(viaKey.headers['cache-control'], anonymous.headers['cache-control']);
  t.match(viaKey.headers['cache-control'], /^public/);
  t.equal(viaKey.headers.etag, anonymous.headers.etag, 'the same ETag as an anonymous read');
  t.equal(viaKey.headers['ratelimit-limit'], '100000', 'the keyed allowance');
  t.equal((await call('POST', '/v1/sections', { key: delivery.key, body: { name: 'X' } })).status, 403);
});

t.test('the document refuses what the server refuses, and messages say what to send', async (t) => {
  const { app, call } = await buildTestApp(t);
  const document = JSON.parse((await app.inject({ method: 'GET', url: '/openapi.json' })).body);
  const list = document.paths['/v1/articles'].get;
  const sort = list.parameters.find((p: { name: string }) => p.name === 'sort');
  t.match(sort.schema.pattern, /publishedAt\|/, 'sort lists its fields');
  const prefilled = list.parameters.filter(
    (p: { name: string; schema: { examples?: unknown }; example?: unknown; required?: boolean }) =>
      !p.required && p.name !== 'sort' && (p.example !== undefined || p.schema.examples !== undefined),
  );
  t.same(
    prefilled.map((p: { name: string }) => p.name),
    [],
    'no filter comes pre-filled in Swagger UI',
  );
  t.equal((await call('GET', '/v1/articles?sort=banana')).status, 400);
  const both = await call('GET', '/v1/articles?page=2&cursor=abc.def');
  t.equal(both.status, 400);
  t.match(both.json.detail, /cursor.*page/);
  const email = await call('POST', '/v1/articles/1/comments', {
    key: null,
    body: { authorName: 'A', authorEmail: '0@com', body: 'x' },
  });
  t.equal(email.status, 400);
  t.match(email.json.detail, /email address like name@example.org/);
  const enumError = await call('GET', '/v1/articles?status=gone');
  t.match(enumError.json.detail, /"draft", "scheduled", "published", "archived"/);
  const dateError = await call('GET', '/v1/articles?publishedAfter=yesterday');
  t.match(dateError.json.detail, /ISO 8601 date/);
  t.notMatch(dateError.json.detail, /anyOf|pattern|\^/);
  const mediaType = await app.inject({
    method: 'POST',
    url: '/v1/sections',
    headers: { authorization: 'Bearer x'.padEnd(40, 'x'), 'content-type': 'text/plain' },
    payload: 'name=x',
  });
  t.equal(mediaType.statusCode, 401);
  const wrongType = await call('POST', '/v1/sections', {
    body: 'name=x',
    headers: { 'content-type': 'text/plain' },
  });
  t.equal(wrongType.status, 415);
  t.match(wrongType.json.detail, /application\/json/);
  for (const filter of ['section=nowhere', 'tag=nothing', 'tagAll=nothing']) {
    const unknown = await call('GET', `/v1/articles?${filter}`);
    t.equal(unknown.status, 400, filter);
    t.match(unknown.json.detail, /nowhere|nothing/);
  }
});

t.test('public list validators move with what the list shows, not with every public write', async (t) => {
  const { call, article, comment } = await site(t);
  await call('POST', '/v1/sections', { body: { name: 'Sport' } });
  await call('POST', '/v1/articles', {
    body: { title: 'Match report', section: 'sport', status: 'published' },
  });
  const urls = {
    showsIt: ['/v1/articles', '/v1/articles?section=world', `/v1/articles/${article.id}/comments`],
    doesNot: ['/v1/articles?section=sport', '/v1/sections', '/v1/sections/world', '/v1/tags'],
  };
  const etags = async (list: string[]) =>
    Promise.all(list.map(async (url) => String((await call('GET', url, { key: null })).headers.etag)));
  const before = { showsIt: await etags(urls.showsIt), doesNot: await etags(urls.doesNot) };
  // The article's comment count and thread change; no list of other articles, section or tag does.
  t.equal((await call('PATCH', `/v1/comments/${comment.id}`, { body: { status: 'approved' } })).status, 200);
  const after = { showsIt: await etags(urls.showsIt), doesNot: await etags(urls.doesNot) };
  for (const [i, url] of urls.showsIt.entries()) t.not(after.showsIt[i], before.showsIt[i], `${url} moved`);
  t.same(after.doesNot, before.doesNot, 'lists that do not show the article kept their ETags');
  for (const [i, url] of urls.doesNot.entries()) {
    const revalidated = await call('GET', url, {
      key: null,
      headers: { 'if-none-match': String(before.doesNot[i]) },
    });
    t.equal(revalidated.status, 304, `${url}: a cache revalidating it gets 304`);
  }
});

t.test('editing an article moves the lists it is or was in, and no other section’s or tag’s', async (t) => {
  const { call, clock } = await buildTestApp(t);
  for (const name of ['World', 'Sport']) await call('POST', '/v1/sections', { body: { name } });
  const story = await call('POST', '/v1/articles', {
    body: { title: 'Summit', section: 'world', tags: ['Diplomacy'], status: 'published' },
  });
  await call('POST', '/v1/articles', {
    body: { title: 'Final', section: 'sport', tags: ['Football'], status: 'published' },
  });
  const urls = [
    '/v1/articles',
    '/v1/articles?section=world',
    '/v1/articles?section=sport',
    '/v1/articles?tag=diplomacy',
    '/v1/articles?tag=football',
    '/v1/articles?section=sport&tag=football&sort=title',
  ];
  const etags = async () =>
    Object.fromEntries(
      await Promise.all(
        urls.map(async (url) => [url, String((await call('GET', url, { key: null })).headers.etag)]),
      ),
    );
  const moved = (before: Record<string, string>, after: Record<string, string>) =>
    urls.filter((url) => before[url] !== after[url]);

  let before = await etags();
  await call('PATCH', `/v1/articles/${story.json.id}`, { body: { title: 'Summit, updated' } });
  let after = await etags();
  t.same(moved(before, after), ['/v1/articles', '/v1/articles?section=world', '/v1/articles?tag=diplomacy']);

  // Moved to another section with another tag: the lists it left and the lists it joined move.
  before = after;
  await call('PATCH', `/v1/articles/${story.json.id}`, { body: { section: 'sport', tags: ['Football'] } });
  after = await etags();
  t.same(moved(before, after), urls, 'every list it left or joined');

  // A scheduled article in World going live (no write) moves World's list, which a cache then misses.
  before = after;
  const at = new Date(clock.now.getTime() + 60_000).toISOString();
  await call('POST', '/v1/articles', {
    body: { title: 'Later', section: 'world', status: 'scheduled', publishedAt: at },
  });
  const worldBefore = (await call('GET', '/v1/articles?section=world', { key: null })).headers.etag;
  clock.advance(120_000);
  const world = await call('GET', '/v1/articles?section=world', { key: null });
  t.not(world.headers.etag, worldBefore);
  t.ok(world.json.data.some((item: { title: string }) => item.title === 'Later'));
});
