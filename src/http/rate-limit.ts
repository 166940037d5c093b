import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance } from 'fastify';

export interface RateLimitOptions {
  anonymous: number;
  keyed: number;
}

/**
 * Per-client allowances for the API scope. Counted in onRequest, after the key is resolved and
 * before anything else: refused keys, malformed bodies and unknown fields use the allowance up
 * too, so failing requests are no cheaper way to load the server.
 */
export async function registerRateLimit(api: FastifyInstance, limits: RateLimitOptions): Promise<void> {
  await api.register(rateLimit, {
    global: true,
    hook: 'onRequest',
    // A valid key gets its own, larger allowance; anyone else (refused keys included) counts by address.
    max: (request) => (request.principal ? limits.keyed : limits.anonymous),
    keyGenerator: (request) => (request.principal ? `key:${request.principal.name}` : `ip:${request.ip}`),
    timeWindow: 60_000,
    enableDraftSpec: true,
    errorResponseBuilder: (_request, context) =>
      Object.assign(
        new Error(`Rate limit of ${context.max} requests a minute exceeded; retry in ${context.after}`),
        { statusCode: 429 },
      ),
  });
}
