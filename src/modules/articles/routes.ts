import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { audienceOf, publicAccess, requireScope } from '../../http/auth.js';
import { ListEnvelope, setPageLinks } from '../../http/pagination.js';
import { errorResponses, IdOrSlugParams, RefOf } from '../../http/schemas.js';
import { parseSort } from '../../lib/sort.js';
import type { RouteOptions } from '../../services.js';
import {
  ARTICLE_DEFAULT_SORT,
  ARTICLE_SORT_FIELDS,
  ArticleCreateSchema,
  ArticleListQuery,
  ArticlePatchSchema,
  ArticleSchema,
  ArticleSummarySchema,
} from './schemas.js';

const tags = ['Articles'];
const hiddenNote = 'Drafts, scheduled and archived articles need `content:read`; to others they are a 404.';

export const articleRoutes: FastifyPluginAsyncTypebox<RouteOptions> = async (app, { services }) => {
  const { articles, now } = services;

  app.get(
    '/articles',
    {
      schema: {
        operationId: 'listArticles',
        summary: 'List articles',
        description: `Newest first unless sorted otherwise; filter by section, tag, status or author. Items carry an excerpt instead of the body unless \`include=body\`. Public. ${hiddenNote}`,
        tags,
        security: publicAccess('content:read'),
        querystring: ArticleListQuery,
        response: {
          200: ListEnvelope(RefOf(ArticleSummarySchema), 'ArticleList'),
          ...errorResponses(400, 401, 429),
        },
      },
    },
    async (request, reply) => {
      const { page, perPage, sort, section, tag, status, author, include } = request.query;
      const audience = audienceOf(request, now);
      // An unknown section or tag simply matches nothing.
      const sectionId = section === undefined ? undefined : (services.sections.resolve(section) ?? -1);
      const tagId = tag === undefined ? undefined : (services.tags.find(tag, audience)?.id ?? -1);
      const { items, total } = articles.list(
        {
          page,
          perPage,
          sort: parseSort(sort, ARTICLE_SORT_FIELDS, ARTICLE_DEFAULT_SORT),
          sectionId,
          tagId,
          status,
          author,
          includeBody: include === 'body',
        },
        audience,
      );
      const meta = { total, page, perPage };
      setPageLinks(request, reply, meta);
      return { data: items, meta };
    },
  );

  app.get(
    '/articles/:idOrSlug',
    {
      schema: {
        operationId: 'getArticle',
        summary: 'Get an article',
        description: `One article by numeric id or slug, with its section, tags and Markdown body. Public. ${hiddenNote}`,
        tags,
        security: publicAccess('content:read'),
        params: IdOrSlugParams,
        response: { 200: RefOf(ArticleSchema), ...errorResponses(400, 401, 404, 429) },
      },
    },
    async (request) => articles.get(request.params.idOrSlug, audienceOf(request, now)),
  );

  app.post(
    '/articles',
    {
      schema: {
        operationId: 'createArticle',
        summary: 'Create an article',
        description:
          'Needs `content:write`. Name the section by id, slug or name and tags by id, slug or name (unknown tag names are created, order kept). The slug is derived from the title when not given.',
        tags,
        security: requireScope('content:write'),
        body: RefOf(ArticleCreateSchema),
        response: { 201: RefOf(ArticleSchema), ...errorResponses(400, 401, 403, 409, 413, 415, 422, 429) },
      },
    },
    async (request, reply) => {
      const article = articles.create(request.body, audienceOf(request, now));
      reply.code(201).header('location', `${request.url.split('?')[0]}/${article.id}`);
      return article;
    },
  );

  app.patch(
    '/articles/:idOrSlug',
    {
      schema: {
        operationId: 'updateArticle',
        summary: 'Update an article',
        description:
          'Needs `content:write`. Merge semantics: absent fields stay, `null` clears; `tags` replaces the list. The slug stays when the title changes unless a new one is given.',
        tags,
        security: requireScope('content:write'),
        params: IdOrSlugParams,
        body: RefOf(ArticlePatchSchema),
        response: {
          200: RefOf(ArticleSchema),
          ...errorResponses(400, 401, 403, 404, 409, 413, 415, 422, 429),
        },
      },
    },
    async (request) => articles.update(request.params.idOrSlug, request.body, audienceOf(request, now)),
  );

  app.delete(
    '/articles/:idOrSlug',
    {
      schema: {
        operationId: 'deleteArticle',
        summary: 'Delete an article',
        description:
          'Needs `content:write`. Its comments and tag links are deleted with it; its tags and section stay.',
        tags,
        security: requireScope('content:write'),
        params: IdOrSlugParams,
        response: { 204: Type.Null({ description: 'Deleted' }), ...errorResponses(400, 401, 403, 404, 429) },
      },
    },
    async (request, reply) => {
      articles.delete(request.params.idOrSlug, audienceOf(request, now));
      return reply.code(204).send(null);
    },
  );
};
