import t from 'tap';
import { type RunningServer, sharedDatabaseUrl, startServer, stopServer } from './helpers/server.js';

const ADMIN = 'cache-admin-key-0123456789abcdef0123456789';

async function send(server: RunningServer, method: string, path: string, body?: unknown) {
  const response = await fetch(`${server.baseUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${ADMIN}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: response.status, text: await response.text() };
}

/** A public read: status, body and whether the response cache served it. */
async function read(server: RunningServer, path: string) {
  const response = await fetch(`${server.baseUrl}${path}`);
  return { answer: `${response.status} ${await response.text()}`, cache: response.headers.get('x-cache') };
}

t.test('a process with a response cache never serves what another process has changed', async (t) => {
  const env = {
    DATABASE_URL: await sharedDatabaseUrl(t),
    BROADSHEET_ADMIN_KEY: ADMIN,
    BACKGROUND_JOBS: 'false',
    LOG_LEVEL: 'warn',
    SITE_URL: 'https://news.example.com',
  };
  // The reader keeps responses; the writer keeps none, so its reads are the truth.
  const writer = await startServer(t, { ...env, RESPONSE_CACHE_BYTES: '0' });
  const reader = await startServer(t, env);
  const w = async (method: string, path: string, body?: unknown) => {
    const answer = await send(writer, method, path, body);
    t.ok(answer.status < 300, `${method} ${path}: ${answer.status}`);
    return answer.text ? JSON.parse(answer.text) : undefined;
  };
  await w('POST', '/v1/sections', { name: 'World' });
  const article = await w('POST', '/v1/articles', {
    title: 'Harbour',
    section: 'world',
    tags: ['ukraine'],
    status: 'published',
    body: 'Harbour text.',
  });
  const comment = await w('POST', `/v1/articles/${article.id}/comments`, {
    authorName: 'A',
    authorEmail: 'a@example.org',
    body: 'First',
  });
  const paths = [
    '/v1/articles',
    `/v1/articles/${article.id}`,
    `/v1/articles/${article.id}/comments`,
    '/v1/sections/world',
    '/v1/tags',
    '/feeds/articles.json',
    '/sitemaps/sections.xml',
  ];
  const writes: [string, () => Promise<unknown>][] = [
    ['edit the article', () => w('PATCH', `/v1/articles/${article.id}`, { title: 'Harbour, edited' })],
    ['approve a comment', () => w('PATCH', `/v1/comments/${comment.id}`, { status: 'approved' })],
    ['rename the section', () => w('PATCH', '/v1/sections/world', { name: 'World news' })],
    ['rename the tag', () => w('PATCH', '/v1/tags/ukraine', { name: 'Ukraine war' })],
    [
      'publish another',
      () => w('POST', '/v1/articles', { title: 'Second', section: 'world', status: 'published' }),
    ],
    ['unpublish', () => w('PATCH', `/v1/articles/${article.id}`, { status: 'draft' })],
  ];
  let hits = 0;
  for (const [what, write] of writes) {
    for (const path of paths) {
      await read(reader, path); // stored...
      if ((await read(reader, path)).cache === 'HIT') hits++; // ...and served from memory
    }
    await write();
    for (const path of paths) {
      t.equal(
        (await read(reader, path)).answer,
        (await read(writer, path)).answer,
        `after "${what}": ${path}`,
      );
    }
  }
  t.ok(hits >= writes.length * paths.length - 2, `the reader served repeats from its cache (${hits} hits)`);
  await stopServer(reader);
  await stopServer(writer);
});
