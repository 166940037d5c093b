import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { audienceOf, publicAccess } from '../../http/auth.js';
import { surrogateKeys } from '../../http/caching.js';
import { errorResponses, IdOrSlugParams, notModified, RefOf } from '../../http/schemas.js';
import { expiresWith } from '../articles/routes.js';
import { articleKeys } from '../articles/surrogate-keys.js';
import type { RouteOptions } from '../services.js';
import { NinjsSchema, ninjsOf } from './ninjs.js';

/** `GET /v1/articles/{idOrSlug}/ninjs`: one article as IPTC ninjs 2.1. */
export const ninjsRoutes: FastifyPluginAsyncTypebox<RouteOptions> = async (app, { services }) => {
  const { articles, links } = services;
  // The same validators as the article itself: ninjs shows nothing the article does not.
  const validatorBasis = async (request: FastifyRequest) =>
    (await articles.validatorBasis((request.params as { idOrSlug: string }).idOrSlug, audienceOf(request))) ??
    null;
  app.get(
    '/articles/:idOrSlug/ninjs',
    {
      config: { cache: 'content', validatorBasis },
      schema: {
        operationId: 'getArticleNinjs',
        summary: 'Get an article as ninjs',
        description:
          'The article as IPTC ninjs 2.1 (News in JSON), the format news agencies and wire services exchange: headlines, the summary, the HTML body with word and character counts, the byline, authors as `people`, section and tags as `subjects`, the featured image as a picture association with every rendition, and `pubstatus` (`usable` when public, `withheld` for drafts, scheduled and archived articles, `canceled` in the trash; `embargoed` until a scheduled one goes live). Valid against the official ninjs 2.1 JSON Schema. Public readers get published articles only.',
        tags: ['Articles'],
        security: publicAccess('content:read'),
        params: IdOrSlugParams,
        response: { ...notModified, 200: RefOf(NinjsSchema), ...errorResponses(400, 401, 404, 429) },
      },
    },
    async (request, reply) => {
      const article = await articles.get(request.params.idOrSlug, audienceOf(request), {
        body: false,
        bodyHtml: true,
        toc: false,
      });
      surrogateKeys(reply, articleKeys(article));
      expiresWith(request, article);
      return ninjsOf(article, links, request.instant);
    },
  );
};
