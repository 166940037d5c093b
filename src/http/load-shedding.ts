import underPressure from '@fastify/under-pressure';
import type { FastifyInstance } from 'fastify';
import { ProblemSchema, RefOf } from './schemas.js';

const SAMPLE_INTERVAL_MS = 1000;
const RETRY_AFTER_SECONDS = 5;

export interface LoadSheddingOptions {
  maxEventLoopDelayMs: number;
  maxHeapUsedBytes: number;
}

/**
 * Beyond capacity, the API answers 503 + Retry-After at once instead of queueing without
 * bound. Registered in the API's scope only: /health and /ready are never shed.
 */
export async function registerLoadShedding(
  api: FastifyInstance,
  options: LoadSheddingOptions,
): Promise<void> {
  // The event-loop delay measured while the app starts (compiling, migrating) says nothing about
  // load: it is ignored until two samples after the app is ready, so a fresh process does not
  // answer 503 to its first requests.
  let measuringSince = Number.POSITIVE_INFINITY;
  api.addHook('onReady', async () => {
    measuringSince = Date.now() + 2 * SAMPLE_INTERVAL_MS;
  });
  await api.register(underPressure, {
    maxEventLoopDelay: options.maxEventLoopDelayMs,
    maxHeapUsedBytes: options.maxHeapUsedBytes,
    sampleInterval: SAMPLE_INTERVAL_MS,
    pressureHandler: (request, reply, type, value) => {
      if (type === underPressure.TYPE_EVENT_LOOP_DELAY && Date.now() < measuringSince) return;
      request.log.warn({ type, value }, 'shedding load');
      reply.header('retry-after', RETRY_AFTER_SECONDS);
      // A rejection goes through the error handler: a 503 problem.
      return Promise.reject(Object.assign(new Error('Service Unavailable'), { statusCode: 503 }));
    },
  });
  // Any API operation can be shed: say so in each one's documented responses.
  api.addHook('onRoute', (route) => {
    if (!route.schema?.response) return;
    const responses = route.schema.response as Record<number, unknown>;
    responses[503] ??= RefOf(ProblemSchema);
  });
}
