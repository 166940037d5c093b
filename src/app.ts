import { readFileSync } from 'node:fs';
import AjvCompiler from '@fastify/ajv-compiler';
import compress from '@fastify/compress';
import cors from '@fastify/cors';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import underPressure from '@fastify/under-pressure';
import Fastify, { type FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { Config } from './config.js';
import { openDatabase } from './db/index.js';
import { registerAuth } from './http/auth.js';
import { registerCaching } from './http/caching.js';
import { registerErrorHandling, sendProblem } from './http/errors.js';
import { registerOpenApi } from './http/openapi.js';
import { ListMetaSchema } from './http/pagination.js';
import { errorResponses, ProblemSchema, RefOf, sharedSchemas } from './http/schemas.js';
import { articleRoutes } from './modules/articles/routes.js';
import { articleComponents } from './modules/articles/schemas.js';
import { commentRoutes } from './modules/comments/routes.js';
import { commentComponents } from './modules/comments/schemas.js';
import { keyRoutes } from './modules/keys/routes.js';
import { keyComponents } from './modules/keys/schemas.js';
import { sectionRoutes } from './modules/sections/routes.js';
import { sectionComponents } from './modules/sections/schemas.js';
import { tagRoutes } from './modules/tags/routes.js';
import { tagComponents } from './modules/tags/schemas.js';
import { createServices } from './services.js';

const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
  version: string;
};

export interface AppOptions {
  /** The clock; tests inject one to move time. */
  now?: () => Date;
}

const ajvBase = { removeAdditional: false, useDefaults: true, allErrors: true } as const;

/**
 * Validators: bodies are JSON and are never coerced ("12" is not a number); query strings and
 * path parameters are text, so those are coerced to the declared types.
 */
type ValidatorFactory = ReturnType<typeof AjvCompiler>;
type ValidatorOptions = Extract<Parameters<ValidatorFactory>[1], { mode?: 'JSON' }>;
function buildValidator(externalSchemas: Parameters<ValidatorFactory>[0], options: ValidatorOptions) {
  const factory = AjvCompiler();
  const strict = factory(externalSchemas, {
    ...options,
    customOptions: { ...options.customOptions, ...ajvBase, coerceTypes: false },
  });
  const lenient = factory(externalSchemas, {
    ...options,
    customOptions: { ...options.customOptions, ...ajvBase, coerceTypes: 'array' },
  });
  return (route: { httpPart?: string }) => (route.httpPart === 'body' ? strict : lenient)(route as never);
}

/** Builds the whole application, without listening: server.ts and the tests use this same function. */
export async function buildApp(config: Config, options: AppOptions = {}): Promise<FastifyInstance> {
  const now = options.now ?? (() => new Date());
  const app = Fastify({
    logger: { level: config.logLevel, redact: ['req.headers.authorization'] },
    bodyLimit: config.bodyLimit,
    trustProxy: config.trustProxy,
    requestIdHeader: 'x-request-id',
    // Long path parameters reach validation (a 400 naming the limit) instead of the router's bare 414.
    routerOptions: { maxParamLength: 2048, ignoreTrailingSlash: true },
    schemaController: { compilersFactory: { buildValidator: buildValidator as never } },
  }).withTypeProvider<TypeBoxTypeProvider>();

  const database = openDatabase(config.databaseFile);
  app.addHook('onClose', async () => database.sqlite.close());
  const services = createServices(database.db, now);
  app.decorate('services', services);
  const rerendered = services.articles.rerenderStale();
  if (rerendered > 0) app.log.info({ rerendered }, 'articles re-rendered by the current Markdown renderer');

  registerErrorHandling(app);
  // The request id (generated, or the caller's X-Request-Id) comes back, to match log lines.
  app.addHook('onSend', async (request, reply, payload) => {
    reply.header('x-request-id', request.id);
    return payload;
  });
  // JSON only: text/plain (which Fastify accepts by default) gets a 415 like anything else.
  app.removeContentTypeParser('text/plain');
  app.addContentTypeParser(
    'application/merge-patch+json',
    { parseAs: 'string' },
    app.getDefaultJsonParser('error', 'error'),
  );

  for (const schema of [
    ...sharedSchemas,
    ListMetaSchema,
    ...sectionComponents,
    ...tagComponents,
    ...articleComponents,
    ...commentComponents,
    ...keyComponents,
  ]) {
    app.addSchema(schema);
  }

  // API security headers; Swagger UI sets its own CSP (staticCSP), JSON needs none.
  await app.register(helmet, {
    contentSecurityPolicy: false,
    crossOriginResourcePolicy: { policy: 'cross-origin' },
    crossOriginEmbedderPolicy: false,
  });
  await app.register(cors, {
    origin: config.corsOrigins,
    methods: ['GET', 'HEAD', 'POST', 'PATCH', 'DELETE'],
    allowedHeaders: ['Authorization', 'Content-Type', 'If-Match', 'If-None-Match', 'If-Modified-Since'],
    exposedHeaders: [
      'ETag',
      'Last-Modified',
      'Location',
      'Link',
      'Retry-After',
      'RateLimit-Limit',
      'RateLimit-Remaining',
      'RateLimit-Reset',
      'X-Request-Id',
      'Surrogate-Key',
    ],
    maxAge: 600,
  });
  // Before caching: its ETag names the encoding compression chose.
  await app.register(compress, { threshold: 1024 });

  // Beyond capacity, answer 503 + Retry-After at once instead of queueing without bound.
  await app.register(underPressure, {
    maxEventLoopDelay: config.overload.maxEventLoopDelayMs,
    maxHeapUsedBytes: config.overload.maxHeapUsedBytes,
    retryAfter: 5,
  });
  // Any API operation can be shed or rate limited: say so in every operation's responses.
  app.addHook('onRoute', (route) => {
    if (!route.url.startsWith('/v1') || !route.schema?.response) return;
    const responses = route.schema.response as Record<number, unknown>;
    responses[503] ??= RefOf(ProblemSchema);
  });

  await registerOpenApi(app, version);
  registerAuth(app, services.keys, config.adminKey);
  await app.register(rateLimit, {
    global: true,
    // After authentication, so keyed clients get their own, larger allowance.
    hook: 'preHandler',
    max: (request) => (request.principal ? config.rateLimit.keyed : config.rateLimit.anonymous),
    keyGenerator: (request) => (request.principal ? `key:${request.principal.name}` : `ip:${request.ip}`),
    timeWindow: 60_000,
    enableDraftSpec: true,
    errorResponseBuilder: (_request, context) =>
      Object.assign(
        new Error(`Rate limit of ${context.max} requests a minute exceeded; retry in ${context.after}`),
        {
          statusCode: 429,
        },
      ),
  });

  registerCaching(app, {
    ...config.cache,
    readState: (at) => services.contentState.read(at),
    now,
  });

  const system = { tags: ['System'], security: [] };
  app.get(
    '/health',
    {
      config: { rateLimit: false },
      schema: {
        ...system,
        operationId: 'health',
        summary: 'Liveness',
        description: 'Answers 200 while the process runs. Public.',
        response: { 200: Type.Object({ status: Type.Literal('ok') }) },
      },
    },
    async () => ({ status: 'ok' as const }),
  );
  app.get(
    '/ready',
    {
      config: { rateLimit: false },
      schema: {
        ...system,
        operationId: 'ready',
        summary: 'Readiness',
        description: 'Answers 200 when the database answers a query, 503 otherwise. Public.',
        response: { 200: Type.Object({ status: Type.Literal('ready') }), ...errorResponses(503) },
      },
    },
    async (request, reply) => {
      try {
        database.sqlite.prepare('select 1').get();
        return { status: 'ready' as const };
      } catch (error) {
        request.log.error({ err: error }, 'database not ready');
        return sendProblem(request, reply, 503, 'not-ready', 'The database does not answer');
      }
    },
  );

  for (const routes of [sectionRoutes, tagRoutes, keyRoutes]) {
    await app.register(routes, { prefix: '/v1', services });
  }
  await app.register(articleRoutes, { prefix: '/v1', services, requireIfMatch: config.requireIfMatch });
  await app.register(commentRoutes, {
    prefix: '/v1',
    services,
    submitRateLimit: config.rateLimit.comments,
    keyedRateLimit: config.rateLimit.keyed,
  });
  return app;
}

declare module 'fastify' {
  interface FastifyInstance {
    services: ReturnType<typeof createServices>;
  }
}
