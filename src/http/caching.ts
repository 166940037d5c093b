import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest, onSendHookHandler } from 'fastify';
import type { ContentState } from '../db/content-state.js';
import { DomainError } from '../lib/errors.js';

export interface CachingOptions {
  maxAge: number;
  staleWhileRevalidate: number;
  readState: (now: string) => ContentState;
  now: () => Date;
}

interface Validators {
  etag: string;
  lastModified: string;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * A prefix naming the resource's own version in its ETag (`a12.v3` for article 12 at
     * version 3), which If-Match on writes compares; null when the resource is not there.
     */
    etagScope?: (request: FastifyRequest) => string | null | undefined;
  }
  interface FastifyRequest {
    cacheValidators?: Validators;
  }
}

const ENCODING_SUFFIX = /-(gzip|br|deflate)$/;

/** Entity tags in an If-None-Match / If-Match header, without quotes, W/ or encoding suffix. */
function parseTags(header: string): string[] {
  return header
    .split(',')
    .map((part) => part.trim().replace(/^W\//, '').replace(/^"|"$/g, '').replace(ENCODING_SUFFIX, ''));
}

const httpDate = (iso: string) => new Date(iso).toUTCString();

function cacheControl(request: FastifyRequest, options: CachingOptions): string {
  return request.principal
    ? 'private, no-store'
    : `public, max-age=${options.maxAge}, stale-while-revalidate=${options.staleWhileRevalidate}`;
}

/**
 * Conditional GETs for the API. Every content write moves one generation counter, so an ETag
 * is a hash of (generation, latest publication reached, URL, caller's scopes): it is known
 * before the handler runs, and a matching If-None-Match is answered 304 without any work.
 * Over-invalidation (any write changes every ETag) is the price of never serving a stale one.
 */
export function registerCaching(app: FastifyInstance, options: CachingOptions): void {
  app.decorateRequest('cacheValidators', undefined);

  app.addHook('preHandler', async (request, reply) => {
    if ((request.method !== 'GET' && request.method !== 'HEAD') || !request.url.startsWith('/v1')) return;
    const scope = request.routeOptions.config.etagScope?.(request);
    if (scope === null) return; // not there (or hidden): the handler answers 404
    const state = options.readState(options.now().toISOString());
    const audience = request.principal ? [...request.principal.scopes].sort().join(' ') : 'public';
    const hash = createHash('sha256')
      .update(`${state.generation}|${state.latestPublishedAt}|${request.url}|${audience}`)
      .digest('base64url')
      .slice(0, 22);
    const etag = scope ? `${scope}.${hash}` : hash;
    const lastModified = new Date(
      Math.max(Date.parse(state.latestPublishedAt) || 0, Date.parse(state.changedAt)),
    ).toISOString();
    request.cacheValidators = { etag, lastModified };

    const ifNoneMatch = request.headers['if-none-match'];
    const ifModifiedSince = request.headers['if-modified-since'];
    const fresh = ifNoneMatch
      ? parseTags(ifNoneMatch).some((tag) => tag === etag || tag === '*')
      : ifModifiedSince !== undefined &&
        Math.floor(Date.parse(lastModified) / 1000) <= Math.floor(Date.parse(ifModifiedSince) / 1000);
    if (fresh) {
      const sent = ifNoneMatch
        ?.split(',')
        .find((part) => part.includes(etag))
        ?.trim();
      return reply
        .code(304)
        .header('etag', sent ?? `"${etag}"`)
        .header('last-modified', httpDate(lastModified))
        .header('cache-control', cacheControl(request, options))
        .header('vary', 'Accept-Encoding, Authorization')
        .send();
    }
  });

  const finalize: onSendHookHandler = async (request, reply, payload) => {
    if (!request.url.startsWith('/v1') || reply.statusCode >= 300) return payload;
    const validators = request.cacheValidators;
    if (!validators) {
      if (request.method !== 'GET' && request.method !== 'HEAD') reply.header('cache-control', 'no-store');
      return payload;
    }
    // Each encoding of a representation is its own strong entity: say which one this is.
    const encoding = reply.getHeader('content-encoding');
    reply.header('etag', `"${validators.etag}${encoding ? `-${String(encoding)}` : ''}"`);
    reply.header('last-modified', httpDate(validators.lastModified));
    reply.header('cache-control', cacheControl(request, options));
    reply.header('vary', 'Accept-Encoding, Authorization');
    return payload;
  };
  // A route-level hook placed last, so it runs after @fastify/compress (also route-level) chose
  // the encoding.
  app.addHook('onRoute', (route) => {
    const existing = route.onSend ?? [];
    route.onSend = [...(Array.isArray(existing) ? existing : [existing]), finalize];
  });
}

/**
 * The version an If-Match header asks a write to apply to: undefined for `*` or no header
 * (428 when `required`). A tag that names no version (or a stale one) fails the write with 412.
 */
export function expectedVersion(request: FastifyRequest, required: boolean): number | undefined {
  const header = request.headers['if-match'];
  if (header === undefined) {
    if (required) {
      throw new DomainError(
        'precondition-required',
        'if-match-required',
        'This server requires If-Match with the ETag you last read, so edits cannot overwrite each other',
      );
    }
    return undefined;
  }
  const tags = parseTags(header);
  if (tags.includes('*')) return undefined;
  const version = tags.map((tag) => /^a\d+\.v(\d+)\./.exec(tag)?.[1]).find((found) => found !== undefined);
  if (version === undefined) {
    throw new DomainError(
      'precondition-failed',
      'stale-version',
      'If-Match names no version of this article',
    );
  }
  return Number(version);
}

/** Sets the Surrogate-Key header: space-separated keys a CDN can purge by. */
export function surrogateKeys(reply: FastifyReply, keys: Iterable<string>): void {
  reply.header('surrogate-key', [...new Set(keys)].join(' '));
}
