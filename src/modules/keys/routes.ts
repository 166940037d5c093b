import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { requireScope } from '../../http/auth.js';
import { DEFAULT_PER_PAGE, ListEnvelope, pageOf } from '../../http/pagination.js';
import { errorResponses, IdParams, notModified, RefOf } from '../../http/schemas.js';
import { DomainError, notFound } from '../../lib/errors.js';
import type { RouteOptions, Services } from '../services.js';
import { ApiKeyCreateSchema, ApiKeySchema, KeyListQuery, NewApiKeySchema } from './schemas.js';

const tags = ['Keys'];

/** The author a new key writes as: one that exists, whatever its articles' state (422 otherwise). */
async function knownAuthor(services: Services, ref: string, now: string): Promise<number> {
  const id = await services.authors.idOf(ref, { seesUnpublished: true, now });
  if (id === undefined)
    throw new DomainError('unprocessable', 'unknown-author', `No author "${ref}" (by id or slug)`);
  return id;
}
const security = requireScope('admin');

export const keyRoutes: FastifyPluginAsyncTypebox<RouteOptions> = async (app, { services }) => {
  const { keys } = services;

  app.get(
    '/keys',
    {
      config: { cache: 'private' },
      schema: {
        operationId: 'listKeys',
        summary: 'List API keys',
        description: 'Needs `admin`. Keys by creation; secrets are never shown again, only prefixes.',
        tags,
        security,
        querystring: KeyListQuery,
        response: {
          ...notModified,
          200: ListEnvelope(RefOf(ApiKeySchema), 'ApiKeyList'),
          ...errorResponses(400, 401, 403, 429),
        },
      },
    },
    async (request, reply) => {
      const { page = 1, perPage = DEFAULT_PER_PAGE } = request.query;
      const { items, total } = await keys.list(page, perPage);
      return pageOf(request, reply, { items, total, page, perPage });
    },
  );

  app.get(
    '/keys/:id',
    {
      config: { cache: 'private' },
      schema: {
        operationId: 'getKey',
        summary: 'Get an API key',
        description: 'Needs `admin`. Its name, prefix, scopes and last use; never the secret.',
        tags,
        security,
        params: IdParams,
        response: {
          ...notModified,
          200: RefOf(ApiKeySchema),
          ...errorResponses(400, 401, 403, 404, 429),
        },
      },
    },
    async (request) => {
      const key = await keys.find(request.params.id);
      if (!key) throw notFound('API key', request.params.id);
      return key;
    },
  );

  app.post(
    '/keys',
    {
      schema: {
        operationId: 'createKey',
        summary: 'Create an API key',
        description:
          'Needs `admin`. Answers the new key with its secret in `key`: this response is the only time the secret is shown. Only its SHA-256 hash is stored. A retry with the same `Idempotency-Key` replays this answer without `key` (the secret is never stored): the key exists, and a lost secret means revoking it and creating another.',
        tags,
        security,
        body: RefOf(ApiKeyCreateSchema),
        response: { 201: RefOf(NewApiKeySchema), ...errorResponses(400, 401, 403, 413, 415, 422, 429) },
      },
      config: { secretFields: ['key'] },
    },
    async (request, reply) => {
      const { name, scopes, author } = request.body;
      const authorId =
        author === undefined ? undefined : await knownAuthor(services, author, request.instant);
      const created = await keys.create(name, scopes, authorId);
      reply
        .code(201)
        .header('location', `${request.url.split('?')[0]}/${created.id}`)
        .header('cache-control', 'no-store');
      return created;
    },
  );

  app.delete(
    '/keys/:id',
    {
      schema: {
        operationId: 'revokeKey',
        summary: 'Revoke an API key',
        description: 'Needs `admin`. Takes effect at once: the next request with the key is a 401.',
        tags,
        security,
        params: IdParams,
        response: { 204: Type.Null({ description: 'Revoked' }), ...errorResponses(400, 401, 403, 404, 429) },
      },
    },
    async (request, reply) => {
      if (!(await keys.revoke(request.params.id))) throw notFound('API key', request.params.id);
      return reply.code(204).send(null);
    },
  );
};
