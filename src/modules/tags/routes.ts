import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { actorOf, audienceOf, publicAccess, requireScope } from '../../http/auth.js';
import { surrogateKeys } from '../../http/caching.js';
import { DEFAULT_PER_PAGE, ListEnvelope, pageOf } from '../../http/pagination.js';
import { errorResponses, IdOrSlugParams, notModified, RefOf } from '../../http/schemas.js';
import { cacheKeys } from '../../lib/cache-keys.js';
import { withUrl } from '../../lib/site-links.js';
import { parseSort } from '../../lib/sort.js';
import type { RouteOptions } from '../services.js';
import {
  TAG_DEFAULT_SORT,
  TAG_SORT_FIELDS,
  TagCreateSchema,
  TagListQuery,
  TagPatchSchema,
  TagSchema,
} from './schemas.js';

const tags = ['Tags'];

export const tagRoutes: FastifyPluginAsyncTypebox<RouteOptions> = async (app, { services }) => {
  const repository = services.tags;
  const present = <T extends { id: number; slug: string }>(item: T) => withUrl(item, services.links?.tag);

  app.get(
    '/tags',
    {
      config: { cache: 'content' },
      schema: {
        operationId: 'listTags',
        summary: 'List tags',
        description:
          'All tags, by name unless sorted otherwise (`sort=-articleCount` for the most used). Public.',
        tags,
        security: publicAccess('content:read'),
        querystring: TagListQuery,
        response: {
          ...notModified,
          200: ListEnvelope(RefOf(TagSchema), 'TagList'),
          ...errorResponses(400, 401, 429),
        },
      },
    },
    async (request, reply) => {
      const { page = 1, perPage = DEFAULT_PER_PAGE, sort } = request.query;
      const sortKeys = parseSort(sort, TAG_SORT_FIELDS, TAG_DEFAULT_SORT);
      const { items, total } = await repository.list({ page, perPage, sort: sortKeys }, audienceOf(request));
      // Article counts: any article write can change them.
      surrogateKeys(reply, [
        cacheKeys.tags,
        cacheKeys.articles,
        ...items.map((item) => cacheKeys.tag(item.id)),
      ]);
      return pageOf(request, reply, { items: items.map(present), total, page, perPage });
    },
  );

  app.get(
    '/tags/:idOrSlug',
    {
      config: { cache: 'content' },
      schema: {
        operationId: 'getTag',
        summary: 'Get a tag',
        description: 'One tag by numeric id or slug. Public.',
        tags,
        security: publicAccess('content:read'),
        params: IdOrSlugParams,
        response: {
          ...notModified,
          200: RefOf(TagSchema),
          ...errorResponses(400, 401, 404, 429),
        },
      },
    },
    async (request, reply) => {
      const tag = await repository.get(request.params.idOrSlug, audienceOf(request));
      // Its article count changes with the articles carrying it, and with nothing else.
      surrogateKeys(reply, [cacheKeys.tag(tag.id), cacheKeys.articlesTagged(tag.id)]);
      return present(tag);
    },
  );

  app.post(
    '/tags',
    {
      schema: {
        operationId: 'createTag',
        summary: 'Create a tag',
        description:
          'Needs `content:write`. The slug is derived from the name when not given. Articles can also create tags by naming them.',
        tags,
        security: requireScope('content:write'),
        body: RefOf(TagCreateSchema),
        response: { 201: RefOf(TagSchema), ...errorResponses(400, 401, 403, 409, 413, 415, 429) },
      },
    },
    async (request, reply) => {
      const tag = await repository.create(request.body, audienceOf(request));
      reply.code(201).header('location', `${request.url.split('?')[0]}/${tag.id}`);
      return present(tag);
    },
  );

  app.patch(
    '/tags/:idOrSlug',
    {
      schema: {
        operationId: 'updateTag',
        summary: 'Update a tag',
        description: 'Needs `content:write`. Merge semantics: absent fields stay, `null` clears.',
        tags,
        security: requireScope('content:write'),
        params: IdOrSlugParams,
        body: RefOf(TagPatchSchema),
        response: { 200: RefOf(TagSchema), ...errorResponses(400, 401, 403, 404, 409, 413, 415, 429) },
      },
    },
    async (request) =>
      present(await repository.update(request.params.idOrSlug, request.body, audienceOf(request))),
  );

  app.delete(
    '/tags/:idOrSlug',
    {
      schema: {
        operationId: 'deleteTag',
        summary: 'Delete a tag',
        description:
          'Needs `content:write`. Removes the tag from every article that carries it; the articles stay.',
        tags,
        security: requireScope('content:write'),
        params: IdOrSlugParams,
        response: { 204: Type.Null({ description: 'Deleted' }), ...errorResponses(400, 401, 403, 404, 429) },
      },
    },
    async (request, reply) => {
      // A rule across resources: each article carrying the tag records losing it.
      await services.articles.deleteTag(request.params.idOrSlug, {
        audience: audienceOf(request),
        actor: actorOf(request),
      });
      return reply.code(204).send(null);
    },
  );
};
