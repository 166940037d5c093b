import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { requireScope } from '../../http/auth.js';
import { errorResponses, IdOrSlugParams, RefOf } from '../../http/schemas.js';
import type { RouteOptions } from '../services.js';
import { PREVIEW_TTL_DEFAULT_SECONDS, PreviewCreateSchema, PreviewSchema } from './schemas.js';

const tags = ['Articles'];
// Whoever may read drafts may share one, and take the links back.
const security = requireScope('content:read');

/** Preview links: a token that shows one article, drafts included, to someone without a key. */
export const previewRoutes: FastifyPluginAsyncTypebox<RouteOptions> = async (app, { services }) => {
  const { articles, previews, links } = services;

  app.post(
    '/articles/:idOrSlug/preview',
    {
      schema: {
        operationId: 'createPreview',
        summary: 'Make a preview link',
        description:
          'Needs `content:read`. A token for this article alone: `Authorization: Bearer <token>` on `GET /v1/articles/{id or slug}` reads its current state (draft, scheduled or published), answered `Cache-Control: private, no-store`. Any other operation with it is a 403, another article a 404, and after `expiresAt` (or once revoked) it is a 401. `url` is the front end’s preview page (PREVIEW_URL_TEMPLATE).',
        tags,
        security,
        params: IdOrSlugParams,
        body: RefOf(PreviewCreateSchema),
        response: { 201: RefOf(PreviewSchema), ...errorResponses(400, 401, 403, 404, 413, 415, 429) },
      },
      config: { secretFields: ['token', 'url'] },
      // No body at all means the defaults, as `{}` does.
      preValidation: async (request) => {
        request.body ??= {};
      },
    },
    async (request, reply) => {
      const audience = { seesUnpublished: true, now: request.instant };
      const article = await articles.get(request.params.idOrSlug, audience, {});
      const ttl = request.body.ttlSeconds ?? PREVIEW_TTL_DEFAULT_SECONDS;
      const expiresAt = new Date(Date.parse(request.instant) + ttl * 1000).toISOString();
      const keyId = request.principal?.keyId ?? null;
      const token = await previews.create(article.id, keyId, request.instant, expiresAt);
      reply.code(201).header('cache-control', 'no-store');
      return { token, url: links ? links.preview(article, token) : null, expiresAt };
    },
  );

  app.delete(
    '/articles/:idOrSlug/preview',
    {
      schema: {
        operationId: 'revokePreviews',
        summary: 'Revoke the article’s preview links',
        description: 'Needs `content:read`. Every token of the article stops working at once (401).',
        tags,
        security,
        params: IdOrSlugParams,
        response: {
          204: Type.Null({ description: 'Revoked (also when there were none)' }),
          ...errorResponses(400, 401, 403, 404, 429),
        },
      },
    },
    async (request, reply) => {
      const audience = { seesUnpublished: true, now: request.instant };
      const article = await articles.get(request.params.idOrSlug, audience, {});
      await previews.revokeAll(article.id);
      return reply.code(204).send(null);
    },
  );
};
