import rateLimit, { type FastifyRateLimitStore } from '@fastify/rate-limit';
import LocalStore from '@fastify/rate-limit/store/LocalStore.js';
import type { FastifyInstance } from 'fastify';

/** Fixed-window counters every process shares (the rate-limits module keeps them in the database). */
export interface SharedCounters {
  /** Counts a hit on `key` at `nowMs`: the hits in its window so far, and the ms until it ends. */
  hit(key: string, windowMs: number, nowMs: number): Promise<{ hits: number; resetInMs: number }>;
}

export interface RateLimitOptions {
  anonymous: number;
  keyed: number;
}

/**
 * Per-client allowances for the API scope. Counted in onRequest, after the key is resolved and
 * before anything else: refused keys, malformed bodies and unknown fields use the allowance up
 * too, so failing requests are no cheaper way to load the server.
 */
export async function registerRateLimit(
  api: FastifyInstance,
  limits: RateLimitOptions,
  shared: { counters: SharedCounters; now: () => Date },
): Promise<void> {
  await api.register(rateLimit, {
    store: storeSharingGroups(shared.counters, shared.now),
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

type Incr = FastifyRateLimitStore['incr'] extends (key: string, callback: infer C) => void ? C : never;

/**
 * The limits' store. A route limit with a `groupId` (comment submissions) is counted in the
 * database, so it holds however many processes serve; every other limit counts in memory per
 * process, as the plugin does by default (a database write per request would cost more than the
 * limit saves, and a load balancer in front is the place for a global per-address limit).
 */
function storeSharingGroups(counters: SharedCounters, now: () => Date) {
  const shared: FastifyRateLimitStore = {
    incr(key: string, callback: Incr, timeWindow = 60_000) {
      counters.hit(key, timeWindow, now().getTime()).then(
        ({ hits, resetInMs }) => callback(null, { current: hits, ttl: resetInMs }),
        (error: Error) => callback(error),
      );
    },
    child: () => shared,
  };
  return class implements FastifyRateLimitStore {
    private readonly local = new LocalStore(false, false);
    incr(key: string, callback: Incr, timeWindow?: number, max?: number) {
      (this.local.incr as (...args: unknown[]) => void)(key, callback, timeWindow, max);
    }
    // Called with the route's merged limit options (the plugin's types say route options).
    child(options: object) {
      return (options as { groupId?: string }).groupId ? shared : new LocalStore(false, false);
    }
  };
}
