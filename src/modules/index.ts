import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import type { Config } from '../config.js';
import { registerAuth } from '../http/auth.js';
import { registerCaching } from '../http/caching.js';
import { sendNotFound } from '../http/errors.js';
import { registerIdempotency } from '../http/idempotency.js';
import { registerLoadShedding } from '../http/load-shedding.js';
import { ListMetaSchema } from '../http/pagination.js';
import { registerRateLimit } from '../http/rate-limit.js';
import { createResponseCache } from '../http/response-cache.js';
import { revisionComponents } from './articles/revision-schemas.js';
import { articleRoutes } from './articles/routes.js';
import { articleComponents } from './articles/schemas.js';
import { authorRoutes } from './authors/routes.js';
import { authorComponents } from './authors/schemas.js';
import { commentRoutes } from './comments/routes.js';
import { commentComponents } from './comments/schemas.js';
import { correctionRoutes } from './corrections/routes.js';
import { correctionComponents } from './corrections/schemas.js';
import { changeComponents, changeRoutes } from './events/routes.js';
import type { BackgroundJobs } from './jobs/background-jobs.js';
import { keyRoutes } from './keys/routes.js';
import { keyComponents } from './keys/schemas.js';
import { renditionRoutes } from './media/rendition-routes.js';
import { mediaRoutes } from './media/routes.js';
import { mediaComponents } from './media/schemas.js';
import { PREVIEW_TOKEN_MARKER } from './previews/repository.js';
import { previewRoutes } from './previews/routes.js';
import { previewComponents } from './previews/schemas.js';
import { sectionRoutes } from './sections/routes.js';
import { sectionComponents } from './sections/schemas.js';
import type { Services } from './services.js';
import { NewsArticleSchema } from './syndication/news-article.js';
import { NinjsSchema } from './syndication/ninjs.js';
import { ninjsRoutes } from './syndication/ninjs-routes.js';
import { syndicationRoutes } from './syndication/routes.js';
import { JsonFeedSchema } from './syndication/schemas.js';
import { tagRoutes } from './tags/routes.js';
import { tagComponents } from './tags/schemas.js';
import { webhookRoutes } from './webhooks/routes.js';
import { webhookComponents } from './webhooks/schemas.js';

// The modules, mounted: every resource's schemas and routes, and the content API around them.

/** Each module's shared schemas, added to the app (the OpenAPI document's components). */
export function registerModuleSchemas(app: FastifyInstance): void {
  for (const schema of [
    ListMetaSchema,
    ...sectionComponents,
    ...tagComponents,
    ...authorComponents,
    ...mediaComponents,
    ...articleComponents,
    ...revisionComponents,
    ...commentComponents,
    ...keyComponents,
    ...previewComponents,
    ...correctionComponents,
    NewsArticleSchema,
    NinjsSchema,
    ...webhookComponents,
    ...changeComponents,
    JsonFeedSchema,
  ]) {
    app.addSchema(schema);
  }
}

export { webhookDocumentation } from './webhooks/openapi.js';

export interface ApiOptions {
  config: Config;
  services: Services;
  jobs: BackgroundJobs;
}

/** The content API's resources, mounted at /v1. */
const v1Routes: FastifyPluginAsync<ApiOptions> = async (api, { config, services, jobs }) => {
  await api.register(sectionRoutes, { services });
  await api.register(tagRoutes, { services });
  await api.register(authorRoutes, { services });
  await api.register(mediaRoutes, { services });
  await api.register(keyRoutes, { services });
  await api.register(articleRoutes, { services, requireIfMatch: config.requireIfMatch });
  await api.register(previewRoutes, { services });
  await api.register(correctionRoutes, { services });
  await api.register(ninjsRoutes, { services });
  await api.register(commentRoutes, {
    services,
    submitRateLimit: config.rateLimit.comments,
    keyedRateLimit: config.rateLimit.keyed,
  });
  await api.register(changeRoutes, { services });
  await api.register(webhookRoutes, { services, jobs, allowPrivate: config.webhooks.allowPrivate });

  // Unknown API paths count against the caller's allowance like any other request.
  api.setNotFoundHandler({ preHandler: api.rateLimit() }, (request, reply) =>
    sendNotFound(request, reply, api.knownRoutes),
  );
};

/**
 * Everything that serves content, as one encapsulated plugin: the API at /v1, and the feeds
 * and sitemaps beside it. Authentication, rate limits, load shedding and caching apply to
 * these routes and to nothing else (not /health, not /docs), whatever form the URL arrived
 * in. Order matters: the key is known before the rate limiter counts, and the limiter counts
 * before anything can be refused.
 */
export const contentApi: FastifyPluginAsync<ApiOptions> = async (api, options) => {
  const { config, services } = options;
  registerAuth(api, {
    keys: (secret) => services.keys.authenticate(secret),
    previews: (token) => services.previews.grantOf(token),
    previewMarker: PREVIEW_TOKEN_MARKER,
    adminKey: config.adminKey,
  });
  await registerRateLimit(api, config.rateLimit, { counters: services.rateLimits, now: services.now });
  await registerLoadShedding(api, config.overload);
  registerCaching(api, {
    maxAge: config.cache.maxAge,
    staleWhileRevalidate: config.cache.staleWhileRevalidate,
    readState: (at) => services.contentState.read(at),
    keyVersions: (keys, generation) => services.contentState.versionsOf(keys, generation),
    keysChangedAt: (keys, generation) => services.contentState.changedAtOf(keys, generation),
    secret: services.validatorSecret,
    responses: createResponseCache(config.cache.responseBytes),
  });
  registerIdempotency(api, services.idempotency);

  await api.register(v1Routes, { ...options, prefix: '/v1' });
  await api.register(syndicationRoutes, { services });
  await api.register(renditionRoutes, { services });
};
