import t from 'tap';
import { API_SCOPES, type Scope } from '../../src/modules/keys/repository.js';
import { buildTestApp, type TestApp } from '../helpers/app.js';

interface Operation {
  operationId: string;
  security: Record<string, string[]>[];
  requestBody?: { content: Record<string, { schema: { $ref?: string } }> };
}
interface Document {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, { examples?: unknown[] }> };
}

// A key that lacks each scope (and everything that implies it).
const wrongScopeFor: Record<Scope, Scope> = {
  'content:public': 'comments:moderate',
  'content:read': 'comments:moderate',
  'content:write': 'comments:moderate',
  'comments:moderate': 'content:write',
  'webhooks:manage': 'content:write',
  admin: 'content:write',
};

/** A fresh app with one of everything, so every path parameter names something real. */
async function fixture(t: Parameters<typeof buildTestApp>[0]) {
  const app = await buildTestApp(t);
  const { call } = app;
  await call('POST', '/v1/sections', { body: { name: 'News' } });
  await call('POST', '/v1/tags', { body: { name: 'Ukraine' } });
  const article = await call('POST', '/v1/articles', {
    body: { title: 'Pub', status: 'published', section: 'news' },
  });
  const comment = await call('POST', `/v1/articles/${article.json.id}/comments`, {
    body: { authorName: 'A', authorEmail: 'a@example.org', body: 'hello' },
  });
  const webhook = await call('POST', '/v1/webhooks', {
    body: { url: 'http://127.0.0.1:9/hook', events: ['*'] },
  });
  const keys = {} as Record<Scope, string>;
  for (const scope of API_SCOPES) {
    keys[scope] = (await call('POST', '/v1/keys', { body: { name: scope, scopes: [scope] } })).json.key;
  }
  const params: Record<string, string> = {
    '/v1/articles/{idOrSlug}': 'pub',
    '/v1/sections/{idOrSlug}': 'news',
    '/v1/tags/{idOrSlug}': 'ukraine',
    '/v1/comments/{id}': String(comment.json.id),
    '/v1/keys/{id}': '1',
    '/v1/webhooks/{id}': String(webhook.json.id),
  };
  return { ...app, keys, params };
}

function concretePath(path: string, params: Record<string, string>): string {
  const base = Object.keys(params).find((template) => path.startsWith(template));
  const filled = base ? path.replace(base, base.replace(/\{[^}]+\}/, params[base] ?? '')) : path;
  return filled.replace('{idOrSlug}', 'pub');
}

function exampleBody(document: Document, operation: Operation): unknown {
  const ref = operation.requestBody?.content['application/json']?.schema.$ref;
  if (!ref) return undefined;
  const name = ref.split('/').pop() ?? '';
  return document.components.schemas[name]?.examples?.[0];
}

t.test('access matrix: every operation x {no key, unknown key, wrong scope, right scope}', async (t) => {
  const probe = await buildTestApp(t);
  const document = probe.app.swagger() as unknown as Document;
  let operations = 0;
  const shared = await fixture(t); // reads change nothing, so they share one
  for (const [path, methods] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(methods)) {
      operations++;
      const name = `${method.toUpperCase()} ${path}`;
      const app: TestApp & Awaited<ReturnType<typeof fixture>> = method === 'get' ? shared : await fixture(t);
      const url = concretePath(path, app.params);
      const body = exampleBody(document, operation);
      const send = (key: string | null) =>
        app.call(method.toUpperCase() as 'GET', url, { key, ...(body !== undefined ? { body } : {}) });
      const isPublic =
        operation.security.length === 0 || operation.security.some((s) => Object.keys(s).length === 0);

      const unknown = await send('bsk_not-a-real-key');
      if (path.startsWith('/v1')) t.equal(unknown.status, 401, `${name}: unknown key -> 401`);
      if (isPublic) {
        const anonymous = await send(null);
        t.notOk([401, 403].includes(anonymous.status), `${name}: public -> ${anonymous.status}`);
        continue;
      }
      const scope = operation.security[0]?.bearerAuth?.[0] as Scope;
      const anonymous = await send(null);
      t.equal(anonymous.status, 401, `${name}: no key -> 401`);
      t.match(anonymous.headers['www-authenticate'], /^Bearer/, `${name}: WWW-Authenticate`);
      const wrong = await send(app.keys[wrongScopeFor[scope]]);
      t.equal(wrong.status, 403, `${name}: ${wrongScopeFor[scope]} lacks ${scope} -> 403`);
      const right = await send(app.keys[scope]);
      t.notOk([401, 403].includes(right.status), `${name}: ${scope} -> ${right.status}`);
    }
  }
  t.ok(operations >= 20, `${operations} operations walked`);
});

t.test('drafts and archived articles leak nowhere without content:read', async (t) => {
  const app = await fixture(t);
  const { call, keys } = app;
  const draft = await call('POST', '/v1/articles', {
    body: { title: 'Secret draft', section: 'news', tags: ['ukraine', 'hidden-tag'], body: 'Secret' },
  });
  const archived = await call('POST', '/v1/articles', {
    body: { title: 'Old', status: 'published', section: 'news' },
  });
  await call('PATCH', `/v1/articles/${archived.json.id}`, { body: { status: 'archived' } });
  // A comment on the draft, posted by an editor: only keys that see the draft may see it.
  await call('POST', `/v1/articles/${draft.json.id}/comments`, {
    body: { authorName: 'Ed', authorEmail: 'ed@example.org', body: 'Draft note' },
  });

  for (const key of [null, keys['comments:moderate']]) {
    const who = key ? 'moderator without content:read' : 'anonymous';
    for (const id of [draft.json.id, draft.json.slug, archived.json.id]) {
      t.equal((await call('GET', `/v1/articles/${id}`, { key })).status, 404, `${who}: GET ${id}`);
      t.equal(
        (await call('GET', `/v1/articles/${id}/comments`, { key })).status,
        404,
        `${who}: comments of ${id}`,
      );
    }
    for (const url of [
      '/v1/articles',
      '/v1/articles?section=news',
      '/v1/articles?status=draft',
      '/v1/articles?status=archived',
      '/v1/articles?sort=title',
    ]) {
      const list = await call('GET', url, { key });
      t.notOk(
        list.body.includes('Secret') || list.body.includes('"Old"'),
        `${who}: ${url} shows no hidden article`,
      );
      t.ok(list.json.meta.total <= 1, `${who}: ${url} total counts only the published one`);
    }
    t.equal((await call('GET', '/v1/sections/news', { key })).json.articleCount, 1, `${who}: section count`);
    // A tag only unpublished articles carry is as unknown to them as a tag that does not exist.
    for (const tag of ['ukraine', 'hidden-tag']) {
      t.equal((await call('GET', `/v1/tags/${tag}`, { key })).status, 404, `${who}: tag ${tag} is hidden`);
      const filtered = await call('GET', `/v1/articles?tag=${tag}`, { key });
      t.equal(filtered.status, 400, `${who}: filtering by ${tag} names an unknown tag`);
      t.notOk(filtered.body.includes('Secret'));
    }
    const tagList = await call('GET', '/v1/tags?perPage=100', { key });
    t.notOk(/ukraine|hidden-tag/i.test(tagList.body), `${who}: the tag list shows no draft's tag`);
    t.equal(tagList.json.meta.total, tagList.json.data.length);
    if (key) {
      const queue = await call('GET', '/v1/comments', { key });
      t.notOk(queue.body.includes('Draft note'), `${who}: the moderation queue shows no draft's comments`);
      const byDraft = await call('GET', `/v1/comments?article=${draft.json.slug}`, { key });
      t.equal(byDraft.json.meta.total, 0, `${who}: nor when asked by the draft's slug`);
    }
    const submit = await call('POST', `/v1/articles/${draft.json.id}/comments`, {
      key,
      body: { authorName: 'A', authorEmail: 'a@example.org', body: `probe ${who}` },
    });
    t.equal(submit.status, 404, `${who}: cannot comment on a draft`);
  }
  t.equal((await call('GET', '/v1/sections/news', { key: keys['content:read'] })).json.articleCount, 3);
  t.equal((await call('GET', `/v1/articles/${draft.json.id}`, { key: keys['content:read'] })).status, 200);
  const readerTags = await call('GET', '/v1/tags?perPage=100', { key: keys['content:read'] });
  t.match(readerTags.body, /hidden-tag/, 'content:read sees every tag');
  const adminQueue = await call('GET', '/v1/comments');
  t.match(adminQueue.body, /Draft note/, 'a key that sees drafts moderates their comments');
});
