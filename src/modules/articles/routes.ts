import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { type Static, type TSchema, Type } from 'typebox';
import { actorOf, audienceOf, publicAccess } from '../../http/auth.js';
import { surrogateKeys, type ValidatorBasis } from '../../http/caching.js';
import { expectedVersion } from '../../http/if-match.js';
import { ListEnvelope, setCursorLinks, setPageLinks } from '../../http/pagination.js';
import { errorResponses, IdOrSlugParams, notModified, RefOf } from '../../http/schemas.js';
import { withArticleUrls } from '../../lib/site-links.js';
import type { RouteOptions, Services } from '../services.js';
import { newsArticleOf } from '../syndication/news-article.js';
import { parseFields, pick, toListRequest } from './list-params.js';
import { registerRevisionRoutes } from './revision-routes.js';
import { hiddenNote, tags } from './route-docs.js';
import type { WriteContext } from './rules.js';
import {
  type Article,
  ArticleFieldsSchema,
  ArticleListQuery,
  ArticleReadQuery,
  ArticleSchema,
  ArticleSummarySchema,
  SearchQuery,
} from './schemas.js';
import { articleKeys, listKeys } from './surrogate-keys.js';
import { registerArticleWrites } from './write-routes.js';

/** What the article routes share: the services and the helpers built once from them. */
export interface ArticleRoutes {
  app: Parameters<FastifyPluginAsyncTypebox>[0];
  services: Services;
  validatorBasis: (request: FastifyRequest) => Promise<ValidatorBasis | null>;
  writeContext: (request: FastifyRequest, existing?: boolean) => Promise<WriteContext>;
  list: (
    request: FastifyRequest,
    reply: FastifyReply,
    query: Static<typeof ArticleListQuery>,
  ) => Promise<unknown>;
  listResponse: Record<number, unknown>;
}

export const articleRoutes: FastifyPluginAsyncTypebox<RouteOptions & { requireIfMatch: boolean }> = async (
  app,
  { services, requireIfMatch },
) => {
  const { articles, links } = services;
  // A Markdown file with front matter is an article too (POST /articles only).
  app.addContentTypeParser('text/markdown', { parseAs: 'string' }, (_request, body, done) =>
    done(null, body),
  );
  // An article's validators derive from what its response shows, not from other writes.
  const validatorBasis = async (request: FastifyRequest) =>
    (await articles.validatorBasis((request.params as { idOrSlug: string }).idOrSlug, audienceOf(request))) ??
    null;
  // If-Match applies to writes on an existing article, not to creation.
  const writeContext = async (request: FastifyRequest, existing = true): Promise<WriteContext> => ({
    audience: audienceOf(request),
    actor: actorOf(request),
    // The article's current tag is only worked out when there is an If-Match to compare.
    expectedVersion: existing
      ? expectedVersion(
          request,
          request.headers['if-match'] === undefined
            ? undefined
            : ((await validatorBasis(request)) ?? undefined),
          { secret: services.validatorSecret, required: requireIfMatch },
        )
      : undefined,
  });

  const list = async (
    request: FastifyRequest,
    reply: FastifyReply,
    query: Static<typeof ArticleListQuery>,
  ) => {
    const audience = audienceOf(request);
    const {
      request: listRequest,
      queryKey,
      fields,
      pageLinks,
    } = await toListRequest(query, services, audience);
    const { items, total, next } = await articles.list(listRequest, audience);
    const nextCursor = next ? services.cursors.encode(queryKey, next) : null;
    const meta = { total, page: listRequest.page, perPage: listRequest.perPage, nextCursor };
    if (pageLinks && listRequest.page !== undefined)
      setPageLinks(request, reply, { ...meta, page: listRequest.page });
    else setCursorLinks(request, reply, nextCursor);
    surrogateKeys(reply, [...listKeys(listRequest.filters), ...items.flatMap(articleKeys)]);
    if (!fields) wholeItems(reply, plainList);
    return { data: items.map((item) => pick(withArticleUrls(item, links), fields)), meta };
  };
  // Without `fields`, every item is a whole summary: serialised as one, skipping the union.
  const plainList = ListEnvelope(RefOf(ArticleSummarySchema), 'ArticleList');
  const listResponse = {
    ...notModified,
    200: ListEnvelope(Type.Union([RefOf(ArticleSummarySchema), RefOf(ArticleFieldsSchema)]), 'ArticleList'),
    ...errorResponses(400, 401, 429),
  };

  const routes: ArticleRoutes = { app, services, validatorBasis, writeContext, list, listResponse };
  registerArticleReads(routes);
  registerArticleWrites(routes);
  registerRevisionRoutes(routes);
};

const wholeArticle = RefOf(ArticleSchema);

/**
 * Serialises this 200 by `schema`, one branch of the route's documented union: fast-json-stringify
 * picks a union's branch by validating the object against each, on every response. Set last in
 * a handler, so an error answered before it keeps the problem serialiser.
 */
function wholeItems(reply: FastifyReply, schema: TSchema) {
  reply
    .type('application/json; charset=utf-8')
    .serializer(reply.compileSerializationSchema(schema as unknown as Record<string, unknown>, '200'));
}

/** A response showing an article the public may read ends when the article expires (no stale 304). */
export function expiresWith(request: FastifyRequest, article: { expiresAt: string | null }) {
  if (article.expiresAt !== null && article.expiresAt > request.instant)
    request.cacheExpiresAt = article.expiresAt;
}

/** Lists, search and one article. */
export function registerArticleReads(routes: ArticleRoutes): void {
  const { app, validatorBasis, list, listResponse, services } = routes;
  const { articles, links } = services;
  app.get(
    '/articles',
    {
      config: { cache: 'content' },
      schema: {
        operationId: 'listArticles',
        summary: 'List articles',
        description: `Newest first unless sorted otherwise; filter by section (with subsections), tags (any or all), status, author and dates; \`q\` searches. Page by \`page\` or by \`cursor\` (\`meta.nextCursor\`). Items carry an excerpt instead of the body unless \`include\` asks; \`fields\` trims them. Public. ${hiddenNote}`,
        tags,
        security: publicAccess('content:read'),
        querystring: ArticleListQuery,
        response: listResponse,
      },
    },
    async (request, reply) => list(request, reply, request.query),
  );

  app.get(
    '/search',
    {
      config: { cache: 'content' },
      schema: {
        operationId: 'searchArticles',
        summary: 'Search articles',
        description: `Full-text search over title, subtitle, excerpt, body and tag names, best first: each hit carries a \`snippet\` with the matches marked and a \`score\`. Relevance ranks the newest 2,000 matches (\`SEARCH_RANK_WINDOW\`), so a query that matches most of the archive stays fast; \`meta.total\` counts every match, and \`sort=-publishedAt\` reaches them all. Every article list parameter applies. A malformed query is a 400 that says why. Public. ${hiddenNote}`,
        tags,
        security: publicAccess('content:read'),
        querystring: SearchQuery,
        response: listResponse,
      },
    },
    async (request, reply) => list(request, reply, request.query),
  );

  // Unconditional reads take the article with its validators in one query, kept here for the
  // handler; a conditional one reads the validators alone, as a 304 needs nothing else.
  const readFirst = new WeakMap<FastifyRequest, Article>();
  const heavyOf = (format: string | undefined) => ({
    body: format !== 'html',
    bodyHtml: format !== 'markdown',
    toc: true,
  });
  const readWithValidators = async (request: FastifyRequest) => {
    if (request.headers['if-none-match'] !== undefined) return validatorBasis(request);
    const { params, query } = request as FastifyRequest<{
      Params: { idOrSlug: string };
      Querystring: { format?: string };
    }>;
    const found = await articles.read(params.idOrSlug, audienceOf(request), heavyOf(query.format));
    if (!found) return null;
    readFirst.set(request, found.article);
    return found.validator;
  };

  app.get(
    '/articles/:idOrSlug',
    {
      config: { cache: 'content', validatorBasis: readWithValidators },
      schema: {
        operationId: 'getArticle',
        summary: 'Get an article',
        description: `One article by numeric id or slug: section, tags, the Markdown body and its HTML rendering, table of contents, word count and reading time, corrections, and with SITE_URL its \`structuredData\` (schema.org NewsArticle JSON-LD for its page). Public. ${hiddenNote}`,
        tags,
        security: publicAccess('content:read'),
        params: IdOrSlugParams,
        querystring: ArticleReadQuery,
        response: {
          ...notModified,
          200: Type.Union([RefOf(ArticleSchema), RefOf(ArticleFieldsSchema)]),
          ...errorResponses(400, 401, 404, 429),
        },
      },
    },
    async (request, reply) => {
      const { format, fields } = request.query;
      const article =
        readFirst.get(request) ??
        (await articles.get(request.params.idOrSlug, audienceOf(request), heavyOf(format)));
      surrogateKeys(reply, articleKeys(article));
      if (!fields) wholeItems(reply, wholeArticle);
      expiresWith(request, article);
      const shown = withArticleUrls(article, links);
      // The page's JSON-LD, where the page is known: single reads only (lists stay light).
      const described = links ? { ...shown, structuredData: newsArticleOf(article, links) } : shown;
      return pick(described, parseFields(fields, false));
    },
  );
}
