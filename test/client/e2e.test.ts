import createClient from 'openapi-fetch';
import t from 'tap';
import { buildApp } from '../../src/app.js';
import { ADMIN_KEY } from '../helpers/app.js';
import { testConfig } from '../helpers/config.js';
import { loadSeedArticle } from '../helpers/seed.js';
import type { paths } from './openapi.d.ts';

// A client generated from openapi/openapi.json drives a whole editorial day over real HTTP.
// `npm run typecheck` compiles this file: a contract change that breaks clients breaks the build.
t.test(
  'typed client scenario: section, seed article, comment, moderation, list, search, delete',
  async (t) => {
    const app = await buildApp(testConfig({ adminKey: ADMIN_KEY }));
    t.teardown(() => app.close());
    const baseUrl = await app.listen({ port: 0, host: '127.0.0.1' });
    const admin = createClient<paths>({ baseUrl, headers: { authorization: `Bearer ${ADMIN_KEY}` } });
    const reader = createClient<paths>({ baseUrl });
    const seed = loadSeedArticle();

    const section = await admin.POST('/v1/sections', { body: { name: seed.section } });
    t.equal(section.response.status, 201);
    t.equal(section.data?.slug, 'breaking-news');

    const created = await admin.POST('/v1/articles', {
      body: {
        title: seed.title,
        section: seed.section,
        tags: seed.tags,
        status: 'published',
        body: seed.body,
      },
    });
    t.equal(created.response.status, 201);
    const article = created.data;
    if (!article) throw new Error(JSON.stringify(created.error));
    t.equal(article.tags.length, 10);
    t.equal(article.body, seed.body);

    const moderatorKey = await admin.POST('/v1/keys', {
      body: { name: 'moderator', scopes: ['comments:moderate'] },
    });
    const moderator = createClient<paths>({
      baseUrl,
      headers: { authorization: `Bearer ${moderatorKey.data?.key}` },
    });

    const comment = await reader.POST('/v1/articles/{idOrSlug}/comments', {
      params: { path: { idOrSlug: article.slug } },
      body: { authorName: 'Olena', authorEmail: 'olena@example.org', body: 'Guarantees need teeth.' },
    });
    t.equal(comment.data?.status, 'pending');
    const queue = await moderator.GET('/v1/comments', { params: { query: { status: 'pending' } } });
    t.equal(queue.data?.meta.total, 1);
    const approved = await moderator.PATCH('/v1/comments/{id}', {
      params: { path: { id: comment.data?.id ?? 0 } },
      body: { status: 'approved' },
    });
    t.equal(approved.data?.status, 'approved');

    const list = await reader.GET('/v1/articles', {
      params: { query: { perPage: 5, fields: 'id,slug,title,commentCount' } },
    });
    t.same(list.data?.data, [{ id: article.id, slug: article.slug, title: article.title, commentCount: 1 }]);
    const found = await reader.GET('/v1/search', { params: { query: { q: '"security guarantees"' } } });
    t.equal(found.data?.data[0]?.id, article.id);
    t.match(found.data?.data[0]?.snippet, /<mark>/);

    const problem = await reader.DELETE('/v1/articles/{idOrSlug}', {
      params: { path: { idOrSlug: article.slug } },
    });
    t.equal(problem.response.status, 401);
    t.equal(problem.error?.status, 401, 'errors come back typed as problems');
    const deleted = await admin.DELETE('/v1/articles/{idOrSlug}', {
      params: { path: { idOrSlug: article.slug } },
    });
    t.equal(deleted.response.status, 204);
    const gone = await reader.GET('/v1/articles/{idOrSlug}', {
      params: { path: { idOrSlug: article.slug } },
    });
    t.equal(gone.response.status, 404);
  },
);
