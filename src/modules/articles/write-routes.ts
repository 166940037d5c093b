import { Type } from 'typebox';
import { requireScope } from '../../http/auth.js';
import { errorResponses, FRONT_MATTER_PATTERN, IdOrSlugParams, RefOf } from '../../http/schemas.js';
import { withArticleUrls } from '../../lib/site-links.js';
import { articleFromMarkdown, FRONT_MATTER_MAX_BYTES } from '../transfer/front-matter.js';
import { ifMatchNote, tags } from './route-docs.js';
import type { ArticleRoutes } from './routes.js';
import {
  type ArticleCreate,
  ArticleCreateSchema,
  ArticlePatchSchema,
  ArticleSchema,
  BODY_MAX_LENGTH,
} from './schemas.js';

/** Creating, changing, trashing, purging and restoring articles. */
export function registerArticleWrites(routes: ArticleRoutes): void {
  const { app, writeContext, services } = routes;
  const { articles, renderer, links } = services;
  app.post(
    '/articles',
    {
      schema: {
        operationId: 'createArticle',
        summary: 'Create an article',
        description:
          'Needs `content:write`. Name the section by id, slug or name, and tags and `authors` by id, slug or name (unknown names are created, order kept; without `authors`, a key linked to an author bylines what it creates). The slug is derived from the title when not given. `status: scheduled` needs a future `publishedAt`. A Markdown file can be sent as it is, as `text/markdown`: its YAML front matter gives the fields (`title`, `section`, `tags`, `authors` or `author`, `status`, `publishedAt`, `slug`, `excerpt`, `subtitle`, `commentsEnabled`) and the rest is the body; a missing or bad front matter is a 400 naming the line.',
        tags,
        security: requireScope('content:write'),
        body: {
          content: {
            'application/json': { schema: RefOf(ArticleCreateSchema) },
            'text/markdown': {
              schema: Type.String({
                maxLength: BODY_MAX_LENGTH + 10_000,
                // The front matter is required: without it there is no title (a 400 at line 1).
                pattern: FRONT_MATTER_PATTERN,
                description: `A Markdown file that starts with \`---\` fenced YAML front matter (required: it gives \`title\` and the other fields, at most ${FRONT_MATTER_MAX_BYTES} bytes), then the body`,
                examples: [
                  '---\ntitle: Harbour council votes\nsection: World\ntags: [Harbour]\nstatus: published\n---\n\nThe council voted…\n',
                ],
              }),
            },
          },
        },
        response: { 201: RefOf(ArticleSchema), ...errorResponses(400, 401, 403, 409, 413, 415, 422, 429) },
      },
    },
    async (request, reply) => {
      // The body was validated against its own content type's schema: JSON as ArticleCreate,
      // Markdown as text, whose front matter is checked here the same way.
      const body = request.body as ArticleCreate | string;
      const input = typeof body === 'string' ? articleFromMarkdown(body) : body;
      const rendering = await renderer.render(input.body ?? '');
      const article = await articles.create(input, await writeContext(request, false), rendering);
      reply.code(201).header('location', `${request.url.split('?')[0]}/${article.id}`);
      return withArticleUrls(article, links);
    },
  );

  app.patch(
    '/articles/:idOrSlug',
    {
      schema: {
        operationId: 'updateArticle',
        summary: 'Update an article',
        description: `Needs \`content:write\`. Merge semantics: absent fields stay, \`null\` clears; \`tags\` replaces the list. The slug stays when the title changes unless a new one is given. Every change stores a revision. ${ifMatchNote}`,
        tags,
        security: requireScope('content:write'),
        params: IdOrSlugParams,
        body: RefOf(ArticlePatchSchema),
        response: {
          200: RefOf(ArticleSchema),
          ...errorResponses(400, 401, 403, 404, 409, 412, 413, 415, 422, 428, 429),
        },
      },
    },
    async (request) => {
      const { body } = request.body;
      const rendering = body === undefined ? undefined : await renderer.render(body);
      const article = await articles.update(
        request.params.idOrSlug,
        request.body,
        await writeContext(request),
        rendering,
      );
      return withArticleUrls(article, links);
    },
  );

  app.delete(
    '/articles/:idOrSlug',
    {
      schema: {
        operationId: 'deleteArticle',
        summary: 'Delete an article (to the trash)',
        description: `Needs \`content:write\`. Moves the article to the trash: gone for the public at once, listed with \`GET /v1/articles?status=trashed\`, back with \`POST /v1/articles/{idOrSlug}/restore\` (same id, slug, revisions and comments), purged after \`TRASH_RETENTION_DAYS\`. While it is in the trash its slug stays reserved (a new article cannot take it), so a restore brings back the same URL. \`permanent=true\` purges it now, comments, revisions and tag links with it (its tags and section stay). ${ifMatchNote}`,
        tags,
        security: requireScope('content:write'),
        params: IdOrSlugParams,
        querystring: Type.Object(
          {
            permanent: Type.Optional(
              Type.Boolean({ description: 'Purge at once instead of moving to the trash' }),
            ),
          },
          { additionalProperties: false },
        ),
        response: {
          204: Type.Null({ description: 'In the trash (or purged)' }),
          ...errorResponses(400, 401, 403, 404, 409, 412, 428, 429),
        },
      },
    },
    async (request, reply) => {
      if (request.query.permanent) await articles.purge(request.params.idOrSlug, await writeContext(request));
      else await articles.trash(request.params.idOrSlug, await writeContext(request));
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/articles/:idOrSlug/restore',
    {
      schema: {
        operationId: 'restoreArticle',
        summary: 'Restore an article from the trash',
        description: `Needs \`content:write\`. Brings a trashed article back with its status before the trash, the same id, slug, revisions and comments. ${ifMatchNote}`,
        tags,
        security: requireScope('content:write'),
        params: IdOrSlugParams,
        response: {
          200: RefOf(ArticleSchema),
          ...errorResponses(400, 401, 403, 404, 409, 412, 428, 429),
        },
      },
    },
    async (request, reply) => {
      const restored = await articles.restoreFromTrash(request.params.idOrSlug, await writeContext(request));
      // Names what this answer shows, so that a replay kept for Idempotency-Key can be forgotten with it.
      reply.header('content-location', `/v1/articles/${restored.id}`);
      return withArticleUrls(restored, links);
    },
  );
}
