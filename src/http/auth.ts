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
  /** A preview token: it reads this one article (by id or slug), and nothing else. */
  preview?: { articleId: number; slug: string };
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

/** The article a preview token reads, if the token is known (revoked ones are not). */
export type PreviewLookup = (
  token: string,
) => Promise<{ articleId: number; slug: string; expiresAt: string } | undefined>;

/** Where credentials are checked: API keys, preview tokens, and the admin key from the environment. */
export interface Credentials {
  keys: KeyLookup;
  previews: PreviewLookup;
  previewMarker: string;
  adminKey: string | undefined;
}

/** The one route a preview token may call. */
const PREVIEW_ROUTE = '/v1/articles/:idOrSlug';

/** A preview token's principal, or why it is refused. */
async function previewPrincipal(
  request: FastifyRequest,
  credentials: Credentials,
  token: string,
): Promise<Principal | string> {
  const grant = await credentials.previews(token);
  if (!grant) return 'Unknown or revoked preview token';
  if (grant.expiresAt <= request.instant) return `The preview token expired at ${grant.expiresAt}`;
  const { articleId, slug } = grant;
  return {
    keyId: null,
    name: `preview:${articleId}`,
    scopes: [],
    authorId: null,
    preview: { articleId, slug },
  };
}

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
export function registerAuth(api: FastifyInstance, credentials: Credentials): void {
  const { keys: lookUp, adminKey } = credentials;
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
    if (secret.startsWith(credentials.previewMarker)) {
      const preview = await previewPrincipal(request, credentials, secret);
      if (typeof preview === 'string') request.authFailure = preview;
      else request.principal = preview;
      return;
    }
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
    if (request.principal?.preview) return confinePreview(request, reply, request.principal.preview);
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

/**
 * A preview token reads its own article by id or slug (GET or HEAD): another article is a 404,
 * as if it did not exist; any other operation a 403.
 */
function confinePreview(
  request: FastifyRequest,
  reply: FastifyReply,
  preview: { articleId: number; slug: string },
) {
  const reading =
    (request.method === 'GET' || request.method === 'HEAD') && request.routeOptions.url === PREVIEW_ROUTE;
  if (!reading) {
    return sendProblem(
      request,
      reply,
      403,
      'preview-token',
      'A preview token reads only its own article (GET /v1/articles/{id or slug}); use an API key for anything else',
    );
  }
  const named = (request.params as { idOrSlug: string }).idOrSlug;
  if (named !== String(preview.articleId) && named !== preview.slug) {
    return sendProblem(request, reply, 404, 'not-found', `No article ${named}`);
  }
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
  // A preview token sees its article as it stands (confinePreview keeps it to that one).
  const seesUnpublished =
    hasScope(request.principal, 'content:read') || request.principal?.preview !== undefined;
  return { seesUnpublished, now: request.instant };
}
