import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { audienceOf, publicAccess, requireScope } from '../../http/auth.js';
import { surrogateKeys } from '../../http/caching.js';
import { DEFAULT_PER_PAGE, ListEnvelope, pageOf } from '../../http/pagination.js';
import { errorResponses, IdOrSlugParams, notModified, RefOf } from '../../http/schemas.js';
import { cacheKeys } from '../../lib/cache-keys.js';
import { withUrl } from '../../lib/site-links.js';
import { parseSort } from '../../lib/sort.js';
import type { RouteOptions } from '../services.js';
import {
  AUTHOR_DEFAULT_SORT,
  AUTHOR_SORT_FIELDS,
  AuthorCreateSchema,
  AuthorListQuery,
  AuthorPatchSchema,
  AuthorSchema,
} from './schemas.js';

const tags = ['Authors'];
const visibility =
  'The public sees an author once a published article carries them, without `email`; keys with `content:read` see every author.';

export const authorRoutes: FastifyPluginAsyncTypebox<RouteOptions> = async (app, { services }) => {
  const repository = services.authors;
  const present = <T extends { id: number; slug: string }>(item: T) => withUrl(item, services.links?.author);

  app.get(
    '/authors',
    {
      config: { cache: 'content' },
      schema: {
        operationId: 'listAuthors',
        summary: 'List authors',
        description: `By name unless sorted otherwise (\`sort=-articleCount\` for the most prolific). ${visibility}`,
        tags,
        security: publicAccess('content:read'),
        querystring: AuthorListQuery,
        response: {
          ...notModified,
          200: ListEnvelope(RefOf(AuthorSchema), 'AuthorList'),
          ...errorResponses(400, 401, 429),
        },
      },
    },
    async (request, reply) => {
      const { page = 1, perPage = DEFAULT_PER_PAGE, sort } = request.query;
      const sortKeys = parseSort(sort, AUTHOR_SORT_FIELDS, AUTHOR_DEFAULT_SORT);
      const { items, total } = await repository.list({ page, perPage, sort: sortKeys }, audienceOf(request));
      // Who appears and their counts: any article write can change them.
      surrogateKeys(reply, [
        cacheKeys.authors,
        cacheKeys.articles,
        ...items.map((item) => cacheKeys.author(item.id)),
      ]);
      return pageOf(request, reply, { items: items.map(present), total, page, perPage });
    },
  );

  app.get(
    '/authors/:idOrSlug',
    {
      config: { cache: 'content' },
      schema: {
        operationId: 'getAuthor',
        summary: 'Get an author',
        description: `One author by numeric id or slug: the profile, with the number of their articles the caller may see. ${visibility}`,
        tags,
        security: publicAccess('content:read'),
        params: IdOrSlugParams,
        response: {
          ...notModified,
          200: RefOf(AuthorSchema),
          ...errorResponses(400, 401, 404, 429),
        },
      },
    },
    async (request, reply) => {
      const author = await repository.get(request.params.idOrSlug, audienceOf(request));
      surrogateKeys(reply, [cacheKeys.author(author.id), cacheKeys.articlesBy(author.id)]);
      return present(author);
    },
  );

  app.post(
    '/authors',
    {
      schema: {
        operationId: 'createAuthor',
        summary: 'Create an author',
        description:
          'Needs `content:write`. The slug is derived from the name when not given. Articles can also create authors by naming them in `authors`.',
        tags,
        security: requireScope('content:write'),
        body: RefOf(AuthorCreateSchema),
        response: { 201: RefOf(AuthorSchema), ...errorResponses(400, 401, 403, 409, 413, 415, 429) },
      },
    },
    async (request, reply) => {
      const author = await repository.create(request.body, audienceOf(request));
      reply.code(201).header('location', `${request.url.split('?')[0]}/${author.id}`);
      return present(author);
    },
  );

  app.patch(
    '/authors/:idOrSlug',
    {
      schema: {
        operationId: 'updateAuthor',
        summary: 'Update an author',
        description:
          'Needs `content:write`. Merge semantics: absent fields stay, `null` clears. A new name or slug shows on every byline at once.',
        tags,
        security: requireScope('content:write'),
        params: IdOrSlugParams,
        body: RefOf(AuthorPatchSchema),
        response: { 200: RefOf(AuthorSchema), ...errorResponses(400, 401, 403, 404, 409, 413, 415, 429) },
      },
    },
    async (request) =>
      present(await repository.update(request.params.idOrSlug, request.body, audienceOf(request))),
  );

  app.delete(
    '/authors/:idOrSlug',
    {
      schema: {
        operationId: 'deleteAuthor',
        summary: 'Delete an author',
        description:
          'Needs `content:write`. Only an author no article names, trashed ones included (409 saying how many do): bylines are not rewritten behind the newsroom’s back.',
        tags,
        security: requireScope('content:write'),
        params: IdOrSlugParams,
        response: {
          204: Type.Null({ description: 'Deleted' }),
          ...errorResponses(400, 401, 403, 404, 409, 429),
        },
      },
    },
    async (request, reply) => {
      await repository.delete(request.params.idOrSlug, audienceOf(request));
      return reply.code(204).send(null);
    },
  );
};
