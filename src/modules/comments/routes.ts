import { createHash } from 'node:crypto';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { audienceOf, hasScope, publicAccess, requireScope } from '../../http/auth.js';
import { surrogateKeys } from '../../http/caching.js';
import { DEFAULT_PER_PAGE, ListEnvelope, pageOf } from '../../http/pagination.js';
import { errorResponses, IdOrSlugParams, IdParams, notModified, RefOf } from '../../http/schemas.js';
import { cacheKeys } from '../../lib/cache-keys.js';
import { DomainError } from '../../lib/errors.js';
import type { RouteOptions } from '../services.js';
import { present } from './rules.js';
import {
  CommentCreateSchema,
  CommentPatchSchema,
  CommentSchema,
  QueueQuery,
  ThreadQuery,
} from './schemas.js';

const tags = ['Comments'];
const moderate = requireScope('comments:moderate');

export interface CommentRouteOptions extends RouteOptions {
  /** Anonymous submissions a minute per client; keyed clients get `keyedRateLimit`. */
  submitRateLimit: number;
  keyedRateLimit: number;
}

type TypeBoxApp = Parameters<FastifyPluginAsyncTypebox>[0];

/** An article's thread: reading it and adding to it. */
function threadRoutes(app: TypeBoxApp, options: CommentRouteOptions): void {
  const { comments, articles } = options.services;

  app.get(
    '/articles/:idOrSlug/comments',
    {
      config: { cache: 'content' },
      schema: {
        operationId: 'listArticleComments',
        summary: 'List an article’s comments',
        description:
          'Approved comments, as one flat list in thread order: each reply follows its parent (oldest first at every level), with `parentId` and `depth` to indent by. A deleted comment that has replies stays as an emptied tombstone. Public; 404 for articles the caller may not see.',
        tags,
        security: publicAccess('content:read'),
        params: IdOrSlugParams,
        querystring: ThreadQuery,
        response: {
          ...notModified,
          200: ListEnvelope(RefOf(CommentSchema), 'CommentList'),
          ...errorResponses(400, 401, 404, 429),
        },
      },
    },
    async (request, reply) => {
      const article = await articles.get(request.params.idOrSlug, audienceOf(request));
      const { page = 1, perPage = DEFAULT_PER_PAGE } = request.query;
      const { items, total } = await comments.thread(article.id, page, perPage);
      const showEmail = hasScope(request.principal, 'comments:moderate');
      surrogateKeys(reply, [cacheKeys.article(article.id)]);
      return pageOf(request, reply, {
        items: items.map((row) => present(row, showEmail)),
        total,
        page,
        perPage,
      });
    },
  );

  app.post(
    '/articles/:idOrSlug/comments',
    {
      config: {
        rateLimit: {
          max: (request) => (request.principal ? options.keyedRateLimit : options.submitRateLimit),
          timeWindow: 60_000,
          // A group is counted in the database: the allowance holds across processes.
          groupId: 'comments',
        },
      },
      schema: {
        operationId: 'submitComment',
        summary: 'Submit a comment',
        description: `Public. Without a key the comment is held as \`pending\` until a moderator approves it; a key with \`comments:moderate\` may set \`status\`. Plain text only. Anonymous clients may submit ${options.submitRateLimit} a minute (429 with Retry-After beyond), and the same body twice in a row is a 409. The email is never shown back.`,
        tags,
        security: publicAccess('comments:moderate'),
        params: IdOrSlugParams,
        body: RefOf(CommentCreateSchema),
        response: {
          201: RefOf(CommentSchema),
          ...errorResponses(400, 401, 403, 404, 409, 413, 415, 422, 429),
        },
      },
    },
    async (request, reply) => {
      const article = await articles.get(request.params.idOrSlug, audienceOf(request));
      const moderator = hasScope(request.principal, 'comments:moderate');
      const { status, website, ...input } = request.body;
      if (status !== undefined && !moderator) {
        throw new DomainError(
          'forbidden',
          'insufficient-scope',
          'Setting a comment’s status needs `comments:moderate`',
        );
      }
      // The honeypot: a filled-in hidden field files the comment as spam, and the bot is not told.
      const trapped = website !== undefined && website.trim() !== '';
      const client = request.principal ? `key:${request.principal.name}` : `ip:${request.ip}`;
      const comment = await comments.submit({
        articleId: article.id,
        commentsEnabled: article.commentsEnabled,
        input,
        clientHash: createHash('sha256').update(client).digest('hex'),
        status: trapped ? 'spam' : (status ?? (moderator ? 'approved' : 'pending')),
        at: request.instant,
      });
      reply.code(201).header('location', `/v1/comments/${comment.id}`);
      return present(trapped ? { ...comment, status: 'pending' } : comment, moderator);
    },
  );
}

/** Moderation: the queue, one comment, approving, editing and deleting. */
function moderationRoutes(app: TypeBoxApp, options: CommentRouteOptions): void {
  const { comments, articles } = options.services;

  app.get(
    '/comments',
    {
      config: { cache: 'private' },
      schema: {
        operationId: 'listComments',
        summary: 'Moderation queue',
        description:
          'Needs `comments:moderate`. Comments across articles, newest first, by status and article.',
        tags,
        security: moderate,
        querystring: QueueQuery,
        response: {
          ...notModified,
          200: ListEnvelope(RefOf(CommentSchema), 'CommentQueue'),
          ...errorResponses(400, 401, 403, 429),
        },
      },
    },
    async (request, reply) => {
      const { page = 1, perPage = DEFAULT_PER_PAGE, status, article } = request.query;
      const audience = { ...audienceOf(request), seesUnpublished: true };
      const articleId =
        article === undefined ? undefined : ((await articles.find(article, audience))?.id ?? -1);
      const { items, total } = await comments.queue(
        { status, articleId, page, perPage },
        audienceOf(request),
      );
      return pageOf(request, reply, { items: items.map((row) => present(row, true)), total, page, perPage });
    },
  );

  app.get(
    '/comments/:id',
    {
      config: { cache: 'private' },
      schema: {
        operationId: 'getComment',
        summary: 'Get a comment',
        description: 'Needs `comments:moderate`. Any status, with the author’s email.',
        tags,
        security: moderate,
        params: IdParams,
        response: {
          ...notModified,
          200: RefOf(CommentSchema),
          ...errorResponses(400, 401, 403, 404, 429),
        },
      },
    },
    async (request) => present(await comments.get(request.params.id, audienceOf(request)), true),
  );

  app.patch(
    '/comments/:id',
    {
      schema: {
        operationId: 'moderateComment',
        summary: 'Moderate a comment',
        description:
          'Needs `comments:moderate`. Set `status` (pending, approved, spam, trash; any to any) or correct the body.',
        tags,
        security: moderate,
        params: IdParams,
        body: RefOf(CommentPatchSchema),
        response: { 200: RefOf(CommentSchema), ...errorResponses(400, 401, 403, 404, 409, 413, 415, 429) },
      },
    },
    async (request) =>
      present(await comments.update(request.params.id, request.body, audienceOf(request)), true),
  );

  app.delete(
    '/comments/:id',
    {
      schema: {
        operationId: 'deleteComment',
        summary: 'Delete a comment',
        description:
          'Needs `comments:moderate`. A comment without replies is removed; one with replies is emptied and kept as a tombstone (`deleted: true`) so the thread still reads.',
        tags,
        security: moderate,
        params: IdParams,
        response: { 204: Type.Null({ description: 'Deleted' }), ...errorResponses(400, 401, 403, 404, 429) },
      },
    },
    async (request, reply) => {
      await comments.delete(request.params.id, audienceOf(request));
      return reply.code(204).send(null);
    },
  );
}

export const commentRoutes: FastifyPluginAsyncTypebox<CommentRouteOptions> = async (app, options) => {
  threadRoutes(app, options);
  moderationRoutes(app, options);
};
