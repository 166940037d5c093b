import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { type Actor, type Audience, systemActor } from '../lib/audience.js';
import type { Scope } from '../lib/scopes.js';
import { sendProblem } from './errors.js';

export const BEARER_SCHEME = 'bearerAuth';

export interface Principal {
  /** null for the BROADSHEET_ADMIN_KEY from the environment, which has no row. */
  keyId: number | null;
  name: string;
  scopes: Scope[];
  /** The author the key writes as, if any. */
  authorId: number | null;
}

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
    /** Why the credentials sent were refused; answered 401 once the rate limiter counted the request. */
    authFailure: string | null;
  }
}

/** Security requirement objects as they appear in a route schema and the OpenAPI document. */
export type SecurityRequirement = Record<string, string[]>;

/** Anyone may call; a key (if sent) must be valid, and its scopes may show more. */
export const publicAccess = (...scopesThatSeeMore: Scope[]): SecurityRequirement[] => [
  {},
  { [BEARER_SCHEME]: scopesThatSeeMore },
];
/** A key with this scope (or `admin`) is required. */
export const requireScope = (scope: Scope): SecurityRequirement[] => [{ [BEARER_SCHEME]: [scope] }];

// admin implies every scope; writing content implies reading it. `content:public` (delivery
// keys) implies nothing beyond itself: it sees what the public sees, at the keyed rate limit.
const implied: Record<Scope, Scope[]> = {
  admin: ['admin', 'content:read', 'content:write', 'comments:moderate', 'content:public', 'webhooks:manage'],
  'content:write': ['content:write', 'content:read'],
  'content:read': ['content:read'],
  'comments:moderate': ['comments:moderate'],
  'content:public': ['content:public'],
  // Managing endpoints shows every event's payload: drafts included.
  'webhooks:manage': ['webhooks:manage'],
};

export function hasScope(principal: Principal | null, scope: Scope): boolean {
  return principal?.scopes.some((held) => implied[held].includes(scope)) ?? false;
}

function unauthorized(request: FastifyRequest, reply: FastifyReply, detail: string, invalidToken: boolean) {
  reply.header(
    'www-authenticate',
    `Bearer realm="broadsheet"${invalidToken ? ', error="invalid_token"' : ''}`,
  );
  return sendProblem(request, reply, 401, 'unauthorized', detail);
}

// Equal-length digests: comparing them takes the same time whatever the secrets share.
const digest = (secret: string) => createHash('sha256').update(secret).digest();
const sameSecret = (a: string, b: string): boolean => timingSafeEqual(digest(a), digest(b));

/** Who holds an API key, if the key is known (the keys module answers). */
export type KeyLookup = (
  secret: string,
) => Promise<{ id: number; name: string; scopes: Scope[]; authorId: number | null } | undefined>;

/** Query parameters that would put a secret into URLs, logs and caches. */
const SECRET_PARAMETER_NAMES = new Set([
  'accesstoken',
  'apikey',
  'auth',
  'authorization',
  'bearer',
  'key',
  'secret',
  'token',
]);

/**
 * Whether a query parameter's name is one a secret travels under, however it is spelt:
 * `access_token`, `access-token`, `accessToken`, `API_KEY`, `access_token[]` are one name.
 */
export const isSecretParameter = (name: string) =>
  SECRET_PARAMETER_NAMES.has(name.toLowerCase().replace(/[^a-z0-9]/g, ''));

/**
 * Authentication for the API scope it is registered in: `Authorization: Bearer <key>` is
 * resolved on every request (onRequest), and each route's declared `schema.security` (the same
 * array the OpenAPI document shows) is enforced in preParsing, after the route's rate limiter
 * has counted the request, so refused keys use up the allowance too.
 */
export function registerAuth(api: FastifyInstance, lookUp: KeyLookup, adminKey: string | undefined): void {
  api.decorateRequest('principal', null);
  api.decorateRequest('authFailure', null);

  api.addHook('onRequest', async (request) => {
    const header = request.headers.authorization;
    if (header === undefined) return;
    const match = /^Bearer ([\x21-\x7e]{1,200})$/i.exec(header);
    if (!match?.[1]) {
      request.authFailure = 'Authorization must be "Bearer <api key>"';
      return;
    }
    const secret = match[1];
    if (adminKey && sameSecret(secret, adminKey)) {
      request.principal = { keyId: null, name: 'BROADSHEET_ADMIN_KEY', scopes: ['admin'], authorId: null };
      return;
    }
    const key = await lookUp(secret);
    if (key)
      request.principal = { keyId: key.id, name: key.name, scopes: key.scopes, authorId: key.authorId };
    else request.authFailure = 'Unknown or revoked API key';
  });

  api.addHook('preParsing', async (request, reply) => {
    if (request.authFailure) return unauthorized(request, reply, request.authFailure, true);
    const query = request.query as Record<string, unknown> | undefined;
    const secretParameter = Object.keys(query ?? {}).find(isSecretParameter);
    if (secretParameter) {
      return sendProblem(
        request,
        reply,
        400,
        'key-in-query',
        `API keys go in the Authorization header ("Authorization: Bearer <key>"), never in the URL (${secretParameter}=): URLs end up in logs and caches. Revoke a key sent this way.`,
      );
    }
    const security = (request.routeOptions.schema as { security?: SecurityRequirement[] } | undefined)
      ?.security;
    // No requirement, or an empty one among the alternatives, means anyone may call.
    if (!security || security.length === 0 || security.some((r) => Object.keys(r).length === 0)) return;
    if (!request.principal) return unauthorized(request, reply, 'This operation needs an API key', false);
    const alternatives = security.map((requirement) => (requirement[BEARER_SCHEME] ?? []) as Scope[]);
    if (alternatives.some((scopes) => scopes.every((scope) => hasScope(request.principal, scope)))) return;
    const needed = alternatives.map((scopes) => scopes.join(' ')).join('" or "');
    reply.header(
      'www-authenticate',
      `Bearer realm="broadsheet", error="insufficient_scope", scope="${needed}"`,
    );
    return sendProblem(
      request,
      reply,
      403,
      'insufficient-scope',
      `This operation needs the scope "${needed}"`,
    );
  });
}

/** Who makes this request's writes, as revisions record it. */
export function actorOf(request: FastifyRequest): Actor {
  const principal = request.principal;
  return principal
    ? { keyId: principal.keyId, keyName: principal.name, authorId: principal.authorId }
    : systemActor('anonymous');
}

/** What this request may see of unpublished content, at this request's one instant. */
export function audienceOf(request: FastifyRequest): Audience {
  return { seesUnpublished: hasScope(request.principal, 'content:read'), now: request.instant };
}
