import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { actorOf, requireScope } from '../../http/auth.js';
import { errorResponses, IdOrSlugParams, notModified, RefOf } from '../../http/schemas.js';
import { publiclyVisible } from '../articles/rules.js';
import type { RouteOptions, Services } from '../services.js';
import { assertCorrectable, type CorrectedArticle, type LogChange } from './repository.js';
import {
  CorrectionCreateSchema,
  CorrectionLogEntrySchema,
  CorrectionParams,
  CorrectionRemovalQuery,
  CorrectionSchema,
} from './schemas.js';

const tags = ['Articles'];

/** The article named, as the newsroom sees it (trashed ones are not corrected: restore first). */
async function articleOf(
  services: Services,
  request: FastifyRequest,
  idOrSlug: string,
): Promise<CorrectedArticle & { status: string }> {
  const article = await services.articles.get(idOrSlug, { seesUnpublished: true, now: request.instant }, {});
  return { ...article, public: publiclyVisible(article) };
}

/** Who changes the log, when, and what the announcement carries. */
async function changeBy(services: Services, request: FastifyRequest, articleId: number): Promise<LogChange> {
  const actor = actorOf(request);
  return {
    keyName: actor.keyName,
    by: await services.authors.eventActor(actor),
    at: request.instant,
    describe: () => services.articles.get(articleId, { seesUnpublished: true, now: request.instant }),
  };
}

/** Corrections: a public, append-only log of notices on published articles. */
export const correctionRoutes: FastifyPluginAsyncTypebox<RouteOptions> = async (app, { services }) => {
  const { corrections } = services;

  app.post(
    '/articles/:idOrSlug/corrections',
    {
      schema: {
        operationId: 'appendCorrection',
        summary: 'Append a correction',
        description:
          'Needs `content:write`. Appends a correction, clarification or update (Markdown) to the article’s public log, shown in its `corrections`: it cannot be edited afterwards, only removed by an admin (and the removal is kept). The article’s `updatedAt` and ETag move, and `article.corrected` goes to webhooks and the change feed. Only published (or archived) articles take corrections: a 409 otherwise.',
        tags,
        security: requireScope('content:write'),
        params: IdOrSlugParams,
        body: RefOf(CorrectionCreateSchema),
        response: { 201: RefOf(CorrectionSchema), ...errorResponses(400, 401, 403, 404, 409, 413, 415, 429) },
      },
    },
    async (request, reply) => {
      const article = await articleOf(services, request, request.params.idOrSlug);
      assertCorrectable(article);
      const correction = await corrections.append(
        article,
        request.body,
        await changeBy(services, request, article.id),
      );
      return reply.code(201).send(correction);
    },
  );

  app.get(
    '/articles/:idOrSlug/corrections',
    {
      config: { cache: 'private' },
      schema: {
        operationId: 'listCorrections',
        summary: 'The article’s correction log',
        description:
          'Needs `content:read`. Every notice, oldest first, with the key that appended it and, for removed ones, when, by whom and why. Readers see the standing notices in the article’s `corrections`.',
        tags,
        security: requireScope('content:read'),
        params: IdOrSlugParams,
        response: {
          ...notModified,
          200: Type.Object(
            { data: Type.Array(RefOf(CorrectionLogEntrySchema)) },
            { additionalProperties: false },
          ),
          ...errorResponses(400, 401, 403, 404, 429),
        },
      },
    },
    async (request) => {
      const article = await articleOf(services, request, request.params.idOrSlug);
      return { data: await corrections.logOf(article.id) };
    },
  );

  app.delete(
    '/articles/:idOrSlug/corrections/:correctionId',
    {
      schema: {
        operationId: 'removeCorrection',
        summary: 'Remove a correction',
        description:
          'Needs `admin`. Takes the notice out of the article’s `corrections`; the log keeps it, with when, by whom and `reason`. The article’s `updatedAt` and ETag move, and `article.correction_removed` is announced.',
        tags,
        security: requireScope('admin'),
        params: CorrectionParams,
        querystring: CorrectionRemovalQuery,
        response: { 204: Type.Null({ description: 'Removed' }), ...errorResponses(400, 401, 403, 404, 429) },
      },
    },
    async (request, reply) => {
      const article = await articleOf(services, request, request.params.idOrSlug);
      const change = await changeBy(services, request, article.id);
      await corrections.remove(article, request.params.correctionId, request.query.reason ?? null, change);
      return reply.code(204).send(null);
    },
  );
};
