import { createHmac } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest, onSendHookHandler } from 'fastify';
import { cacheKeys, isArticleListKey } from '../lib/cache-keys.js';
import type { ContentState } from '../lib/content-state.js';
import {
  type CachedResponse,
  createSingleFlight,
  isBytes,
  isStream,
  type ResponseCache,
  recorded,
  STORED_HEADERS,
} from './response-cache.js';

export interface CachingOptions {
  maxAge: number;
  staleWhileRevalidate: number;
  readState: (now: string) => Promise<ContentState>;
  /** Current versions of cache keys (see lib/cache-keys.ts), in the order asked, as of a public generation read. */
  keyVersions: (keys: readonly string[], publicGeneration: number) => Promise<number[]>;
  /** When a public write last moved any of these keys. */
  keysChangedAt: (keys: readonly string[], publicGeneration: number) => Promise<string>;
  /** Signs validators, so an ETag reveals nothing about the counters behind it. */
  secret: string;
  /** Final bytes of public responses, or undefined when the cache is off. */
  responses?: ResponseCache;
}

/** What a single resource's representation depends on, read before the handler runs. */
export interface ValidatorBasis {
  /** Leads the ETag (`a12.v3`), naming the resource and its version. */
  prefix: string;
  /** Everything else the representation shows that can change (embedded names, counts...). */
  basis: string;
  version: number;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * `content`: public content, which shared caches may keep when read without a key (or with
     * a `content:public` delivery key); `private`: keyed reads only, never stored.
     */
    cache?: 'content' | 'private';
    /**
     * For single resources: their own validator basis, or null when not there (404). With it, a
     * matching conditional GET is answered 304 before the handler runs, and If-Match on writes
     * to the same resource compares against it.
     */
    validatorBasis?: (request: FastifyRequest) => Promise<ValidatorBasis | null | undefined>;
  }
  interface FastifyRequest {
    cacheValidators?: Validators;
    /** Read once before the handler: what the validators and the stored response are checked against. */
    cacheState?: ContentState;
    /** Served from the response cache: nothing to store again. */
    cacheHit: boolean;
    /**
     * Set by a handler whose response changes at an instant with no write (the news sitemap,
     * whose oldest entry ages out): the stored response is not served from then on.
     */
    cacheExpiresAt?: string;
  }
}

interface Validators {
  /** Undefined for public reads of routes without their own basis: signed from the keys the response names. */
  etag?: string;
  lastModified: string;
}

export const ENCODING_SUFFIX = /-(gzip|br|deflate)$/;

/** Strong entity tags in an If-None-Match / If-Match header, unquoted; W/ tags are kept marked. */
export function parseTags(header: string): string[] {
  return header.split(',').map((part) => part.trim().replace(/^"|"$/g, ''));
}

/** Weak comparison (If-None-Match): W/ ignored, and any encoding of the representation matches. */
const weakMatch = (tag: string, etag: string) =>
  tag === '*' || tag.replace(/^W\/"?/, '').replace(ENCODING_SUFFIX, '') === etag;

const httpDate = (iso: string) => new Date(iso).toUTCString();

/** Anonymous callers and delivery keys share the public representation (and its caches); previews never. */
export const isPublicAudience = ({ principal }: FastifyRequest) =>
  !principal || (!principal.preview && principal.scopes.every((scope) => scope === 'content:public'));

export const audienceName = (request: FastifyRequest) =>
  isPublicAudience(request) ? 'public' : [...(request.principal?.scopes ?? [])].sort().join(' ');

function cacheControl(request: FastifyRequest, options: CachingOptions): string {
  return isPublicAudience(request) && request.routeOptions.config.cache === 'content'
    ? `public, max-age=${options.maxAge}, stale-while-revalidate=${options.staleWhileRevalidate}`
    : 'private, no-store';
}

export function sign(options: Pick<CachingOptions, 'secret'>, ...parts: string[]): string {
  return createHmac('sha256', options.secret).update(parts.join('|')).digest('base64url').slice(0, 22);
}

/** The request's conditional headers against these validators (RFC 9110 §13.1.2, §13.1.3). */
function isFresh(request: FastifyRequest, validators: { etag: string; lastModified: string }): boolean {
  const ifNoneMatch = request.headers['if-none-match'];
  if (ifNoneMatch !== undefined) return parseTags(ifNoneMatch).some((tag) => weakMatch(tag, validators.etag));
  const since = Date.parse(request.headers['if-modified-since'] ?? '');
  // A date in the future is not a valid validator: ignore it rather than answer 304.
  if (Number.isNaN(since) || since > Date.parse(request.instant)) return false;
  return Math.floor(Date.parse(validators.lastModified) / 1000) <= Math.floor(since / 1000);
}

function setValidatorHeaders(
  request: FastifyRequest,
  reply: FastifyReply,
  options: CachingOptions,
  validators: { etag: string; lastModified?: string },
) {
  reply
    .header('etag', `"${validators.etag}"`)
    .header('cache-control', cacheControl(request, options))
    .header('vary', 'Accept-Encoding, Authorization');
  if (validators.lastModified) reply.header('last-modified', httpDate(validators.lastModified));
}

/**
 * This request's validators, before the handler runs. A single resource's tag comes from its
 * own basis (the route's `validatorBasis`); any other is left for `etagAfter`, once the
 * response has named its keys and expiry.
 */
function validatorsFor(
  request: FastifyRequest,
  options: CachingOptions,
  state: ContentState,
  own: ValidatorBasis | undefined,
): Validators {
  const publicAudience = isPublicAudience(request);
  const changedAt = publicAudience ? state.publicChangedAt : state.changedAt;
  const audience = audienceName(request);
  // A single resource is the same whether addressed by id or slug: its tag signs the query
  // only, so If-Match works across both; anything else signs the whole URL.
  const etag = own
    ? `${own.prefix}.${sign(options, own.basis, request.url.split('?')[1] ?? '', audience)}`
    : undefined;
  const lastModified = new Date(
    Math.max(Date.parse(state.latestPublishedAt) || 0, Date.parse(changedAt)),
  ).toISOString();
  return { etag, lastModified };
}

/** The keys a response depends on: those it names in Surrogate-Key, and the key bulk writes move. */
function dependencies(reply: FastifyReply): string[] | undefined {
  const named = reply.getHeader('surrogate-key');
  if (named === undefined) return undefined;
  return [...String(named).split(' '), cacheKeys.everything];
}

/** Whether no public write committed since the request read its state (in any process). */
const settled = async (request: FastifyRequest, options: CachingOptions) =>
  (await options.readState(request.instant)).publicGeneration === request.cacheState?.publicGeneration;

/**
 * A public response's tag, signed from the versions of the keys it depends on: it moves when
 * (and only when) a write moves one of them, or a scheduled article goes live under a list, or
 * its expiry passes. While a write raced the request, the versions may be newer than what the
 * handler read: the tag then names both generations, so it matches nothing later.
 */
async function etagAfter(
  request: FastifyRequest,
  options: CachingOptions,
  keys: string[] | undefined,
): Promise<{ etag: string; versions?: number[] }> {
  const state = request.cacheState;
  const audience = audienceName(request);
  if (state && !isPublicAudience(request)) {
    // Keyed reads see drafts, which move no key: their tags follow every write.
    const expiry = request.cacheExpiresAt ?? '';
    return {
      etag: sign(options, String(state.generation), state.latestPublishedAt, expiry, request.url, audience),
    };
  }
  if (!keys || !state || !(await settled(request, options))) {
    // No keys named, or a write raced: a tag of both generations, which no later state repeats.
    const now = (await options.readState(request.instant)).publicGeneration;
    const generations = `${state?.publicGeneration}.${now}`;
    const etag = sign(options, generations, state?.latestPublishedAt ?? '', request.url, audience);
    return { etag };
  }
  const versions = await options.keyVersions(keys, state.publicGeneration);
  const scheduled = keys.some(isArticleListKey) ? state.latestPublishedAt : '';
  const etag = sign(
    options,
    keys.join(' '),
    versions.join(' '),
    scheduled,
    request.cacheExpiresAt ?? '',
    request.url,
    audience,
  );
  return { etag, versions };
}

/**
 * A public response's Last-Modified: when a write last moved a key it names (or a scheduled
 * article went live under a list), as its ETag follows them. Keyed reads, and responses that
 * name no keys, keep the time of the last change their audience can see.
 */
async function lastModifiedAfter(
  request: FastifyRequest,
  options: CachingOptions,
  keys: string[] | undefined,
  fallback: string,
): Promise<string> {
  const state = request.cacheState;
  if (!keys || !state || !isPublicAudience(request)) return fallback;
  const moved = await options.keysChangedAt(keys, state.publicGeneration);
  // A scheduled article went live with no public write since: until the background jobs move the
  // keys of the lists it joined, any list may have changed then.
  const published =
    keys.some(isArticleListKey) && state.latestPublishedAt > state.publicChangedAt
      ? state.latestPublishedAt
      : '';
  return new Date(Math.max(Date.parse(moved) || 0, Date.parse(published) || 0)).toISOString();
}

/** Public content read by GET: the responses worth keeping, shared by every public caller. */
const storable = (request: FastifyRequest) =>
  request.method === 'GET' && request.routeOptions.config.cache === 'content' && isPublicAudience(request);

/** One entry per URL and accepted encodings (compression picks its encoding from them). */
const responseKey = (request: FastifyRequest) =>
  `${request.url}\n${String(request.headers['accept-encoding'] ?? '')
    .toLowerCase()
    .replace(/\s+/g, '')}`;

type StoredValidators = Pick<CachedResponse, 'etag' | 'lastModified' | 'keys' | 'versions'>;

function store(
  request: FastifyRequest,
  reply: FastifyReply,
  payload: string | Buffer,
  stored: StoredValidators,
  responses: ResponseCache,
) {
  const state = request.cacheState;
  if (!state) return;
  const headers: Record<string, string> = {};
  for (const name of STORED_HEADERS) {
    const value = reply.getHeader(name);
    if (value !== undefined) headers[name] = String(value);
  }
  responses.set(responseKey(request), {
    ...stored,
    // Kept off the JavaScript heap: megabytes of strings there make every major GC longer.
    payload: typeof payload === 'string' ? Buffer.from(payload) : payload,
    headers,
    generation: state.publicGeneration,
    latestPublishedAt: state.latestPublishedAt,
    expiresAt: request.cacheExpiresAt,
  });
}

/**
 * Conditional GETs and the response cache for the routes that declare `config.cache`. ETags
 * are HMACs of what the response depends on: a single resource's own basis
 * (`config.validatorBasis`), the versions of the keys a public response names, or a keyed
 * audience's generation. Registered in the API's scope, it reaches nothing else.
 */
export function registerCaching(api: FastifyInstance, options: CachingOptions): void {
  api.decorateRequest('cacheValidators', undefined);
  api.decorateRequest('cacheHit', false);
  // Single flight: others asking for a response being computed wait until it is stored (in
  // finalize, not once its client read it) and take it from the cache: a cold search runs once.
  const computing = createSingleFlight<FastifyRequest>();
  const stored = async (request: FastifyRequest, reply: FastifyReply, responses: ResponseCache) => {
    const key = responseKey(request);
    for (let waits = 0; ; waits++) {
      const state = await options.readState(request.instant);
      request.cacheState = state;
      const hit = await responses.current(key, state, request.instant, options.keyVersions);
      const pending = computing.pending(key);
      if (hit) return hit;
      // Nobody computing it (or it was not kept twice over): this request computes it.
      if (!pending || waits === 2) {
        // An aborted request never reaches finalize: its end lets the others go too.
        reply.raw.once('close', computing.lead(key, request));
        return undefined;
      }
      await pending;
    }
  };

  api.addHook('preHandler', async (request, reply) => {
    const { cache, validatorBasis } = request.routeOptions.config;
    if (!cache || (request.method !== 'GET' && request.method !== 'HEAD')) return;
    const hit =
      storable(request) && options.responses ? await stored(request, reply, options.responses) : undefined;
    if (!request.cacheState) request.cacheState = await options.readState(request.instant);
    const state = request.cacheState;
    if (hit) {
      request.cacheValidators = { etag: hit.etag, lastModified: hit.lastModified };
      if (isFresh(request, hit)) {
        setValidatorHeaders(request, reply, options, hit);
        return reply.code(304).send();
      }
      // The bytes sent last time, still current: no query for content, no serialising, no
      // compressing, and headers set here once (finalize lets a hit through untouched).
      request.cacheHit = true;
      const encoding = hit.headers['content-encoding'];
      reply.headers(hit.headers).header('x-cache', 'HIT');
      setValidatorHeaders(request, reply, options, {
        etag: `${hit.etag}${encoding ? `-${encoding}` : ''}`,
        lastModified: hit.lastModified,
      });
      return reply.code(200).send(hit.payload);
    }
    const own = await validatorBasis?.(request);
    if (own === null) return; // not there (or hidden): the handler answers 404
    const validators = validatorsFor(request, options, state, own);
    request.cacheValidators = validators;
    // Known to exist: a matching If-None-Match is answered without running the handler. Its
    // Last-Modified is only known from the keys the response names, so If-Modified-Since waits.
    const { etag, lastModified } = validators;
    if (
      etag !== undefined &&
      request.headers['if-none-match'] !== undefined &&
      isFresh(request, { etag, lastModified })
    ) {
      setValidatorHeaders(request, reply, options, { etag });
      return reply.code(304).send();
    }
  });

  const finalize: onSendHookHandler = async (request, reply, payload) => {
    if (request.cacheHit) return payload;
    try {
      return await finalized(request, reply, payload);
    } finally {
      computing.finish(request);
    }
  };
  const finalized = async (request: FastifyRequest, reply: FastifyReply, payload: unknown) => {
    const validators = request.cacheValidators;
    if (reply.statusCode !== 200 || !validators) {
      if (reply.statusCode < 300 && request.method !== 'GET' && request.method !== 'HEAD')
        reply.header('cache-control', 'no-store');
      return payload;
    }
    const keys = dependencies(reply);
    const signedAfter = validators.etag === undefined ? await etagAfter(request, options, keys) : undefined;
    const final = {
      etag: validators.etag ?? signedAfter?.etag ?? '',
      lastModified: await lastModifiedAfter(request, options, keys, validators.lastModified),
    };
    let stored: StoredValidators | undefined;
    if (options.responses && keys && storable(request)) {
      // Stored only when no public write raced the handler, with the key versions of that state.
      const versions = signedAfter
        ? signedAfter.versions
        : (await settled(request, options))
          ? await options.keyVersions(keys, (request.cacheState as ContentState).publicGeneration)
          : undefined;
      if (versions) stored = { ...final, keys, versions };
    }
    // Only a representation that exists can be "not modified": If-None-Match: * on a 404 stays a 404.
    if (isFresh(request, final)) {
      if (stored && isBytes(payload))
        store(request, reply, payload, stored, options.responses as ResponseCache);
      setValidatorHeaders(request, reply, options, final);
      reply.code(304).removeHeader('content-encoding').removeHeader('content-length');
      return '';
    }
    if (stored) {
      const responses = options.responses as ResponseCache;
      const entry = stored;
      reply.header('x-cache', 'MISS');
      if (isBytes(payload)) store(request, reply, payload, entry, responses);
      // Large bodies are compressed as a stream, off the event loop: keep what it sends.
      else if (isStream(payload))
        payload = recorded(payload, (bytes) => store(request, reply, bytes, entry, responses));
    }
    // Each encoding of a representation is its own strong entity: say which one this is.
    const encoding = reply.getHeader('content-encoding');
    setValidatorHeaders(request, reply, options, {
      ...final,
      etag: `${final.etag}${encoding ? `-${String(encoding)}` : ''}`,
    });
    return payload;
  };
  // Route-level and last, so it runs after @fastify/compress (also route-level) chose the
  // encoding; attached to the API's routes only (this plugin's scope).
  api.addHook('onRoute', (route) => {
    const existing = route.onSend ?? [];
    route.onSend = [...(Array.isArray(existing) ? existing : [existing]), finalize];
  });
}

/** Sets the Surrogate-Key header: space-separated keys a CDN can purge by. */
export function surrogateKeys(reply: FastifyReply, keys: Iterable<string>): void {
  reply.header('surrogate-key', [...new Set(keys)].join(' '));
}
