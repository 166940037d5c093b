import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { DomainError } from '../lib/errors.js';
import { ProblemSchema, RefOf } from './schemas.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The Idempotency-Key this request holds, answered once the response is known. */
    idempotency?: { client: string; key: string };
  }
  interface FastifyContextConfig {
    /**
     * Fields of the response that hold a secret shown once (a new key, a signing secret): never
     * stored with the response, so a replay answers without them.
     */
    secretFields?: string[];
  }
}

/** The response as stored for replays: the route's secret fields left out. */
function withoutSecrets(payload: string, secretFields: string[] | undefined): string {
  if (!secretFields || payload === '') return payload;
  const body = JSON.parse(payload) as Record<string, unknown>;
  for (const field of secretFields) delete body[field];
  return JSON.stringify(body);
}

export interface StoredResponse {
  status: number;
  body: string;
  headers: Record<string, string>;
}

export type Begin =
  | { kind: 'first' }
  | { kind: 'replay'; response: StoredResponse }
  | { kind: 'other-request' }
  | { kind: 'in-flight' };

/** Where the first response to each (client, key) is kept (the idempotency module keeps it in the database). */
export interface IdempotencyStore {
  /** Claims the key for this request, or says why it cannot: one transaction, so racing duplicates see each other. */
  begin(client: string, key: string, requestHash: string, at: string): Promise<Begin>;
  complete(client: string, key: string, response: StoredResponse): Promise<void>;
  /** Forgets a key whose request failed on the server's side, so a retry runs again. */
  release(client: string, key: string): Promise<void>;
}

const HEADER = 'idempotency-key';
/** Headers a replay repeats: the rest (dates, request ids, rate limits) belong to the new request. */
const REPLAYED_HEADERS = ['content-type', 'location', 'content-location'];

const IdempotencyHeaders = Type.Object({
  [HEADER]: Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 255,
      pattern: '^"?[\\x21\\x23-\\x7e]{1,253}"?$',
      description:
        'Any unique string (a UUID): a retry with the same key and body within 24 hours gets the first response again (`Idempotent-Replayed: true`) without a second write; the same key with another body is 422, while the first is still running 409',
    }),
  ),
});

/**
 * `Idempotency-Key` on every POST of the scope (IETF httpapi draft): the first response to a
 * (client, key) is stored and replayed to retries, so a client that lost a response can retry
 * a creation safely. The header and its 409/422 are added to each POST's schema, so they are
 * validated and documented like any other.
 */
export function registerIdempotency(api: FastifyInstance, keys: IdempotencyStore): void {
  api.decorateRequest('idempotency', undefined);

  api.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    if (!methods.includes('POST') || !route.schema) return;
    route.schema.headers ??= IdempotencyHeaders;
    const responses = (route.schema.response ?? {}) as Record<number, unknown>;
    responses[409] ??= RefOf(ProblemSchema);
    responses[422] ??= RefOf(ProblemSchema);
  });

  api.addHook('preHandler', async (request, reply) => {
    const header = request.headers[HEADER];
    if (request.method !== 'POST' || typeof header !== 'string') return;
    const key = header.replace(/^"(.*)"$/, '$1');
    const client = request.principal
      ? `key:${request.principal.keyId ?? request.principal.name}`
      : `ip:${request.ip}`;
    const fingerprint = createHash('sha256')
      .update(`${request.url}\n${JSON.stringify(request.body ?? null)}`)
      .digest('base64url');
    const begun = await keys.begin(client, key, fingerprint, request.instant);
    if (begun.kind === 'other-request') {
      throw new DomainError(
        'unprocessable',
        'idempotency-key-reused',
        'This Idempotency-Key came with another request (URL or body) in the last 24 hours: use a new key for a new request',
      );
    }
    if (begun.kind === 'in-flight') {
      throw new DomainError(
        'conflict',
        'idempotency-key-in-flight',
        'The first request with this Idempotency-Key is still being answered: retry in a moment',
      );
    }
    if (begun.kind === 'replay') {
      const { status, body, headers } = begun.response;
      return reply.code(status).headers(headers).header('idempotent-replayed', 'true').send(body);
    }
    request.idempotency = { client, key };
  });

  api.addHook('onSend', async (request, reply, payload) => {
    const held = request.idempotency;
    if (!held) return payload;
    request.idempotency = undefined;
    // A server-side failure is not an answer: the client's retry should run again.
    if (reply.statusCode >= 500 || (typeof payload !== 'string' && payload !== null)) {
      await keys.release(held.client, held.key);
      return payload;
    }
    const headers: Record<string, string> = {};
    for (const name of REPLAYED_HEADERS) {
      const value = reply.getHeader(name);
      if (value !== undefined) headers[name] = String(value);
    }
    const body =
      reply.statusCode < 300
        ? withoutSecrets(payload ?? '', request.routeOptions.config.secretFields)
        : payload;
    await keys.complete(held.client, held.key, { status: reply.statusCode, body: body ?? '', headers });
    return payload;
  });
}
