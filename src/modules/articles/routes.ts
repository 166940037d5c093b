import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { type Static, Type } from 'typebox';
import { audienceOf, publicAccess, requireScope } from '../../http/auth.js';
import { surrogateKeys } from '../../http/caching.js';
import { expectedVersion } from '../../http/if-match.js';
import {
  DEFAULT_PER_PAGE,
  ListEnvelope,
  pageOf,
  pageQuery,
  setCursorLinks,
  setPageLinks,
} from '../../http/pagination.js';
import {
  errorResponses,
  FRONT_MATTER_PATTERN,
  IdOrSlugParams,
  notModified,
  RefOf,
} from '../../http/schemas.js';
import { withUrl } from '../../lib/site-links.js';
import type { RouteOptions } from '../../services.js';
import { articleFromMarkdown, FRONT_MATTER_MAX_BYTES } from '../transfer/front-matter.js';
import { parseFields, pick, toListRequest } from './list-params.js';
import type { WriteContext } from './repository.js';
import {
  type ArticleCreate,
  ArticleCreateSchema,
  ArticleFieldsSchema,
  ArticleListQuery,
  ArticlePatchSchema,
  ArticleReadQuery,
  ArticleSchema,
  ArticleSummarySchema,
  BODY_MAX_LENGTH,
  RevisionSchema,
  SearchQuery,
} from './schemas.js';
import { articleKeys, listKeys } from './surrogate-keys.js';

const tags = ['Articles'];
const hiddenNote = 'Drafts, scheduled and archived articles need `content:read`; to others they are a 404.';
const ifMatchNote =
  'Send `If-Match` with the ETag you read to refuse the write (412) if someone changed the article since.';

/** CDN purge keys for what an article response contains. */

const RevisionParams = Type.Object(
  {
    ...IdOrSlugParams.properties,
    number: Type.Integer({
      minimum: 1,
      maximum: 1_000_000,
      description: 'Revision number, from 1 (creation)',
    }),
  },
  { additionalProperties: false },
);

export const articleRoutes: FastifyPluginAsyncTypebox<RouteOptions & { requireIfMatch: boolean }> = async (
  app,
  { services, requireIfMatch },
) => {
  const { articles, renderer, links } = services;
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
    actor: request.principal?.name ?? 'anonymous',
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
    return { data: items.map((item) => pick(withUrl(item, links?.article), fields)), meta };
  };
  const listResponse = {
    ...notModified,
    200: ListEnvelope(Type.Union([RefOf(ArticleSummarySchema), RefOf(ArticleFieldsSchema)]), 'ArticleList'),
    ...errorResponses(400, 401, 429),
  };

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

  app.get(
    '/articles/:idOrSlug',
    {
      config: { cache: 'content', validatorBasis },
      schema: {
        operationId: 'getArticle',
        summary: 'Get an article',
        description: `One article by numeric id or slug: section, tags, the Markdown body and its HTML rendering, table of contents, word count and reading time. Public. ${hiddenNote}`,
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
      const article = await articles.get(request.params.idOrSlug, audienceOf(request), {
        body: format !== 'html',
        bodyHtml: format !== 'markdown',
        toc: true,
      });
      surrogateKeys(reply, articleKeys(article));
      return pick(withUrl(article, links?.article), parseFields(fields, false));
    },
  );

  app.post(
    '/articles',
    {
      schema: {
        operationId: 'createArticle',
        summary: 'Create an article',
        description:
          'Needs `content:write`. Name the section by id, slug or name and tags by id, slug or name (unknown tag names are created, order kept). The slug is derived from the title when not given. `status: scheduled` needs a future `publishedAt`. A Markdown file can be sent as it is, as `text/markdown`: its YAML front matter gives the fields (`title`, `section`, `tags`, `status`, `publishedAt`, `slug`, `author`, `excerpt`, `subtitle`, `commentsEnabled`) and the rest is the body; a missing or bad front matter is a 400 naming the line.',
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
      return withUrl(article, links?.article);
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
      return withUrl(article, links?.article);
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
      return withUrl(restored, links?.article);
    },
  );

  app.get(
    '/articles/:idOrSlug/revisions',
    {
      config: { cache: 'private' },
      schema: {
        operationId: 'listArticleRevisions',
        summary: 'List an article’s revisions',
        description:
          'Needs `content:read`. Newest first: each with the article as it stood after that change and the fields it changed.',
        tags,
        security: requireScope('content:read'),
        params: IdOrSlugParams,
        querystring: Type.Object({ ...pageQuery }, { additionalProperties: false }),
        response: {
          ...notModified,
          200: ListEnvelope(RefOf(RevisionSchema), 'RevisionList'),
          ...errorResponses(400, 401, 403, 404, 429),
        },
      },
    },
    async (request, reply) => {
      const { page = 1, perPage = DEFAULT_PER_PAGE } = request.query;
      const { items, total } = await articles.listRevisions(
        request.params.idOrSlug,
        audienceOf(request),
        page,
        perPage,
      );
      return pageOf(request, reply, { items, total, page, perPage });
    },
  );

  app.get(
    '/articles/:idOrSlug/revisions/:number',
    {
      config: { cache: 'private' },
      schema: {
        operationId: 'getArticleRevision',
        summary: 'Get one revision',
        description: 'Needs `content:read`. Revision 1 is the article as created.',
        tags,
        security: requireScope('content:read'),
        params: RevisionParams,
        response: {
          ...notModified,
          200: RefOf(RevisionSchema),
          ...errorResponses(400, 401, 403, 404, 429),
        },
      },
    },
    async (request) =>
      await articles.getRevision(request.params.idOrSlug, audienceOf(request), request.params.number),
  );

  app.post(
    '/articles/:idOrSlug/revisions/:number/restore',
    {
      schema: {
        operationId: 'restoreArticleRevision',
        summary: 'Restore a revision',
        description: `Needs \`content:write\`. Brings back that revision’s content (title, subtitle, excerpt, body, section, tags, author) as a new revision; slug, status and publication stay as they are. ${ifMatchNote}`,
        tags,
        security: requireScope('content:write'),
        params: RevisionParams,
        response: {
          200: RefOf(ArticleSchema),
          ...errorResponses(400, 401, 403, 404, 409, 412, 422, 428, 429),
        },
      },
    },
    async (request) => {
      const { idOrSlug, number } = request.params;
      // Revisions never change: the body rendered here is the one the restore writes.
      const revision = await articles.getRevision(idOrSlug, audienceOf(request), number);
      const rendering = await renderer.render(revision.snapshot.body);
      return withUrl(
        await articles.restore(idOrSlug, number, await writeContext(request), rendering),
        links?.article,
      );
    },
  );
};
