import type { FastifyPluginAsync } from 'fastify';
import type { Config } from '../config.js';
import { articleRoutes } from '../modules/articles/routes.js';
import { commentRoutes } from '../modules/comments/routes.js';
import { changeRoutes } from '../modules/events/routes.js';
import { keyRoutes } from '../modules/keys/routes.js';
import { sectionRoutes } from '../modules/sections/routes.js';
import { syndicationRoutes } from '../modules/syndication/routes.js';
import { tagRoutes } from '../modules/tags/routes.js';
import type { Dispatcher } from '../modules/webhooks/dispatcher.js';
import { webhookRoutes } from '../modules/webhooks/routes.js';
import type { Services } from '../services.js';
import { registerAuth } from './auth.js';
import { registerCaching } from './caching.js';
import { sendNotFound } from './errors.js';
import { registerIdempotency } from './idempotency.js';
import { registerLoadShedding } from './load-shedding.js';
import { registerRateLimit } from './rate-limit.js';
import { createResponseCache } from './response-cache.js';

export interface ApiOptions {
  config: Config;
  services: Services;
  dispatcher: Dispatcher;
}

/** The content API's resources, mounted at /v1. */
const v1Routes: FastifyPluginAsync<ApiOptions> = async (api, { config, services, dispatcher }) => {
  await api.register(sectionRoutes, { services });
  await api.register(tagRoutes, { services });
  await api.register(keyRoutes, { services });
  await api.register(articleRoutes, { services, requireIfMatch: config.requireIfMatch });
  await api.register(commentRoutes, {
    services,
    submitRateLimit: config.rateLimit.comments,
    keyedRateLimit: config.rateLimit.keyed,
  });
  await api.register(changeRoutes, { services });
  await api.register(webhookRoutes, { services, dispatcher, allowPrivate: config.webhooks.allowPrivate });

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
  registerAuth(api, services.keys, config.adminKey);
  await registerRateLimit(api, config.rateLimit, { counters: services.rateLimits, now: services.now });
  await registerLoadShedding(api, config.overload);
  registerCaching(api, {
    maxAge: config.cache.maxAge,
    staleWhileRevalidate: config.cache.staleWhileRevalidate,
    readState: (at) => services.contentState.read(at),
    keyVersions: (keys) => services.contentState.versionsOf(keys),
    keysChangedAt: (keys) => services.contentState.changedAtOf(keys),
    secret: services.validatorSecret,
    responses: createResponseCache(config.cache.responseBytes),
  });
  registerIdempotency(api, services.idempotency);

  await api.register(v1Routes, { ...options, prefix: '/v1' });
  await api.register(syndicationRoutes, { services });
};
