import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import compress from '@fastify/compress';
import cors from '@fastify/cors';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Config } from './config.js';
import { clientErrorHandler, frameworkErrors, registerErrorHandling } from './http/errors.js';
import { registerJsonBodies } from './http/json-body.js';
import { requestSerializer } from './http/logging.js';
import { registerOpenApi } from './http/openapi.js';
import { buildSerializer, buildValidator } from './http/schema-compilers.js';
import { sharedSchemas } from './http/schemas.js';
import { registerSecurityHeaders } from './http/security-headers.js';
import { systemRoutes } from './http/system.js';
import { contentApi, registerModuleSchemas, webhookDocumentation } from './modules/index.js';
import { type BackgroundJobs, createBackgroundJobs } from './modules/jobs/background-jobs.js';
import type { Services } from './modules/services.js';
import { openStore } from './store.js';

const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
  version: string;
};

export interface AppOptions {
  /** The clock; tests inject one to move time. */
  now?: () => Date;
  /** On PostgreSQL, the schema to keep everything in (tests give each app a fresh one). */
  postgresSchema?: string;
}

/** A caller's X-Request-Id is kept only when it is short and plain; otherwise a new one is made. */
function requestId(request: IncomingMessage): string {
  const given = request.headers['x-request-id'];
  return typeof given === 'string' && /^[A-Za-z0-9._:-]{1,128}$/.test(given) ? given : randomUUID();
}

/** Builds the whole application, without listening: server.ts and the tests use this same function. */
export async function buildApp(config: Config, options: AppOptions = {}): Promise<FastifyInstance> {
  const now = options.now ?? (() => new Date());
  const app = Fastify({
    logger: {
      level: config.logLevel,
      redact: ['req.headers.authorization'],
      serializers: { req: requestSerializer },
    },
    bodyLimit: config.bodyLimit,
    trustProxy: config.trustProxy,
    genReqId: requestId,
    // Long path parameters reach validation (a 400 naming the limit) instead of the router's bare 414.
    routerOptions: { maxParamLength: 2048, ignoreTrailingSlash: true },
    schemaController: {
      compilersFactory: {
        buildValidator: buildValidator as never,
        buildSerializer: buildSerializer as never,
      },
    },
    clientErrorHandler,
    frameworkErrors,
  }).withTypeProvider<TypeBoxTypeProvider>();

  const store = await openStore(config, now, {
    renderTimeoutMs: config.renderTimeoutMs,
    site: config.site,
    media: config.media,
    searchRankWindow: config.searchRankWindow,
    postgresSchema: options.postgresSchema,
  });
  const { services } = store;
  app.decorate('services', services);
  const jobs = createBackgroundJobs(services, {
    webhooks: config.webhooks,
    trashRetentionDays: config.trashRetentionDays,
    eventsRetentionDays: config.eventsRetentionDays,
    userAgent: `Broadsheet-Webhooks/${version}`,
    log: app.log,
  });
  app.decorate('jobs', jobs);
  if (config.backgroundJobs) app.addHook('onReady', async () => jobs.start());
  app.addHook('onClose', async () => {
    await jobs.stop();
    await services.renderer.close();
    await store.close();
  });
  if (store.rerendered > 0)
    app.log.info({ rerendered: store.rerendered }, 'articles re-rendered by the current Markdown renderer');
  if (store.bylinesAdopted > 0)
    app.log.info({ articles: store.bylinesAdopted }, 'free-text bylines linked to author records');

  registerErrorHandling(app);
  // One instant per request: every rule that compares with "now" in it agrees.
  app.decorateRequest('instant', '');
  app.addHook('onRequest', async (request) => {
    request.instant = now().toISOString();
  });
  // The request id (generated, or the caller's X-Request-Id) comes back, to match log lines.
  app.addHook('onSend', async (request, reply, payload) => {
    reply.header('x-request-id', request.id);
    return payload;
  });
  // JSON only: text/plain (which Fastify accepts by default) gets a 415 like anything else.
  app.removeContentTypeParser('text/plain');
  registerJsonBodies(app);

  for (const schema of sharedSchemas) app.addSchema(schema);
  registerModuleSchemas(app);

  // API security headers; Swagger UI sets its own CSP (staticCSP), JSON needs none.
  registerSecurityHeaders(app, {
    contentSecurityPolicy: false,
    crossOriginResourcePolicy: { policy: 'cross-origin' },
    crossOriginEmbedderPolicy: false,
  });
  await app.register(cors, {
    origin: config.corsOrigins,
    methods: ['GET', 'HEAD', 'POST', 'PATCH', 'DELETE'],
    allowedHeaders: [
      'Authorization',
      'Content-Type',
      'If-Match',
      'If-None-Match',
      'If-Modified-Since',
      'Idempotency-Key',
      'X-Request-Id',
    ],
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
      'Idempotent-Replayed',
      'Content-Location',
    ],
    maxAge: 600,
    // A preflight without its headers gets a plain 204 (no CORS grant) rather than a text/plain 400.
    strictPreflight: false,
  });
  await app.register(compress, { threshold: 1024 });

  await registerOpenApi(app, version, webhookDocumentation());
  await app.register(systemRoutes, { ping: () => store.db.ping() });
  await app.register(contentApi, { config, services, jobs });
  return app;
}

declare module 'fastify' {
  interface FastifyInstance {
    services: Services;
    /** Scheduled work and webhook deliveries; runs by itself with BACKGROUND_JOBS, by hand in tests. */
    jobs: BackgroundJobs;
  }
  interface FastifyRequest {
    /** The request's one "now" (ISO 8601), taken when it arrived. */
    instant: string;
  }
}
