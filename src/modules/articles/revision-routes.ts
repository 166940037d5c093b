import { Type } from 'typebox';
import { audienceOf, requireScope } from '../../http/auth.js';
import { DEFAULT_PER_PAGE, ListEnvelope, pageOf, pageQuery } from '../../http/pagination.js';
import { errorResponses, IdOrSlugParams, notModified, RefOf } from '../../http/schemas.js';
import { withArticleUrls } from '../../lib/site-links.js';
import { RevisionSchema } from './revision-schemas.js';
import { ifMatchNote, RevisionParams, tags } from './route-docs.js';
import type { ArticleRoutes } from './routes.js';
import { ArticleSchema } from './schemas.js';

/** An article's revisions, and bringing one back. */
export function registerRevisionRoutes(routes: ArticleRoutes): void {
  const { app, writeContext, services } = routes;
  const { articles, renderer, links } = services;
  app.get(
    '/articles/:idOrSlug/revisions',
    {
      config: { cache: 'private' },
      schema: {
        operationId: 'listArticleRevisions',
        summary: 'List an article’s revisions',
        description:
          'Needs `content:read`. Newest first: each with the article as it stood after that change and the fields it changed.',
        tags,
        security: requireScope('content:read'),
        params: IdOrSlugParams,
        querystring: Type.Object({ ...pageQuery }, { additionalProperties: false }),
        response: {
          ...notModified,
          200: ListEnvelope(RefOf(RevisionSchema), 'RevisionList'),
          ...errorResponses(400, 401, 403, 404, 429),
        },
      },
    },
    async (request, reply) => {
      const { page = 1, perPage = DEFAULT_PER_PAGE } = request.query;
      const { items, total } = await articles.listRevisions(
        request.params.idOrSlug,
        audienceOf(request),
        page,
        perPage,
      );
      return pageOf(request, reply, { items, total, page, perPage });
    },
  );

  app.get(
    '/articles/:idOrSlug/revisions/:number',
    {
      config: { cache: 'private' },
      schema: {
        operationId: 'getArticleRevision',
        summary: 'Get one revision',
        description: 'Needs `content:read`. Revision 1 is the article as created.',
        tags,
        security: requireScope('content:read'),
        params: RevisionParams,
        response: {
          ...notModified,
          200: RefOf(RevisionSchema),
          ...errorResponses(400, 401, 403, 404, 429),
        },
      },
    },
    async (request) =>
      await articles.getRevision(request.params.idOrSlug, audienceOf(request), request.params.number),
  );

  app.post(
    '/articles/:idOrSlug/revisions/:number/restore',
    {
      schema: {
        operationId: 'restoreArticleRevision',
        summary: 'Restore a revision',
        description: `Needs \`content:write\`. Brings back that revision’s content (title, subtitle, excerpt, body, section, tags, author) as a new revision; slug, status and publication stay as they are. ${ifMatchNote}`,
        tags,
        security: requireScope('content:write'),
        params: RevisionParams,
        response: {
          200: RefOf(ArticleSchema),
          ...errorResponses(400, 401, 403, 404, 409, 412, 422, 428, 429),
        },
      },
    },
    async (request) => {
      const { idOrSlug, number } = request.params;
      // Revisions never change: the body rendered here is the one the restore writes.
      const revision = await articles.getRevision(idOrSlug, audienceOf(request), number);
      const rendering = await renderer.render(revision.snapshot.body);
      return withArticleUrls(
        await articles.restore(idOrSlug, number, await writeContext(request), rendering),
        links,
      );
    },
  );
}
