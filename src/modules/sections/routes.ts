import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { audienceOf, publicAccess, requireScope } from '../../http/auth.js';
import { surrogateKeys } from '../../http/caching.js';
import { DEFAULT_PER_PAGE, ListEnvelope, pageOf } from '../../http/pagination.js';
import { errorResponses, IdOrSlugParams, notModified, RefOf } from '../../http/schemas.js';
import { cacheKeys } from '../../lib/cache-keys.js';
import { withUrl } from '../../lib/site-links.js';
import { isId } from '../../lib/slug.js';
import { parseSort } from '../../lib/sort.js';
import type { RouteOptions } from '../services.js';
import {
  SECTION_DEFAULT_SORT,
  SECTION_SORT_FIELDS,
  SectionCreateSchema,
  SectionListQuery,
  SectionPatchSchema,
  SectionSchema,
} from './schemas.js';

const tags = ['Sections'];

export const sectionRoutes: FastifyPluginAsyncTypebox<RouteOptions> = async (app, { services }) => {
  const { sections } = services;
  const present = <T extends { id: number; slug: string }>(item: T) => withUrl(item, services.links?.section);

  app.get(
    '/sections',
    {
      config: { cache: 'content' },
      schema: {
        operationId: 'listSections',
        summary: 'List sections',
        description: 'All sections, in `position,name` order unless sorted otherwise. Public.',
        tags,
        security: publicAccess('content:read'),
        querystring: SectionListQuery,
        response: {
          ...notModified,
          200: ListEnvelope(RefOf(SectionSchema), 'SectionList'),
          ...errorResponses(400, 401, 429),
        },
      },
    },
    async (request, reply) => {
      const { page = 1, perPage = DEFAULT_PER_PAGE, sort, parent } = request.query;
      let parentId: number | null | undefined;
      if (parent === 'root') parentId = null;
      else if (parent !== undefined)
        parentId = isId(parent) ? Number(parent) : ((await sections.resolve(parent)) ?? -1);
      const audience = audienceOf(request);
      const sortKeys = parseSort(sort, SECTION_SORT_FIELDS, SECTION_DEFAULT_SORT);
      const { items, total } = await sections.list({ page, perPage, sort: sortKeys, parentId }, audience);
      // Article counts: any article write can change them.
      surrogateKeys(reply, [
        cacheKeys.sections,
        cacheKeys.articles,
        ...items.map((item) => cacheKeys.section(item.id)),
      ]);
      return pageOf(request, reply, { items: items.map(present), total, page, perPage });
    },
  );

  app.get(
    '/sections/:idOrSlug',
    {
      config: { cache: 'content' },
      schema: {
        operationId: 'getSection',
        summary: 'Get a section',
        description: 'One section by numeric id or slug. Public.',
        tags,
        security: publicAccess('content:read'),
        params: IdOrSlugParams,
        response: {
          ...notModified,
          200: RefOf(SectionSchema),
          ...errorResponses(400, 401, 404, 429),
        },
      },
    },
    async (request, reply) => {
      const section = await sections.get(request.params.idOrSlug, audienceOf(request));
      // Its article count changes with the articles in it, and with nothing else.
      surrogateKeys(reply, [cacheKeys.section(section.id), cacheKeys.articlesInSection(section.id)]);
      return present(section);
    },
  );

  app.post(
    '/sections',
    {
      schema: {
        operationId: 'createSection',
        summary: 'Create a section',
        description: 'Needs `content:write`. The slug is derived from the name when not given.',
        tags,
        security: requireScope('content:write'),
        body: RefOf(SectionCreateSchema),
        response: { 201: RefOf(SectionSchema), ...errorResponses(400, 401, 403, 409, 413, 415, 422, 429) },
      },
    },
    async (request, reply) => {
      const section = await sections.create(request.body, audienceOf(request));
      reply.code(201).header('location', `${request.url.split('?')[0]}/${section.id}`);
      return present(section);
    },
  );

  app.patch(
    '/sections/:idOrSlug',
    {
      schema: {
        operationId: 'updateSection',
        summary: 'Update a section',
        description: 'Needs `content:write`. Merge semantics: absent fields stay, `null` clears. No cycles.',
        tags,
        security: requireScope('content:write'),
        params: IdOrSlugParams,
        body: RefOf(SectionPatchSchema),
        response: {
          200: RefOf(SectionSchema),
          ...errorResponses(400, 401, 403, 404, 409, 413, 415, 422, 429),
        },
      },
    },
    async (request) =>
      present(await sections.update(request.params.idOrSlug, request.body, audienceOf(request))),
  );

  app.delete(
    '/sections/:idOrSlug',
    {
      schema: {
        operationId: 'deleteSection',
        summary: 'Delete a section',
        description: 'Needs `content:write`. A section that still holds articles or subsections is a 409.',
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
      await sections.delete(request.params.idOrSlug, audienceOf(request));
      return reply.code(204).send(null);
    },
  );
};
