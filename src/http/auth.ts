import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest, onRequestHookHandler } from 'fastify';
import type { Audience } from '../modules/articles/visibility.js';
import { hashKey, type KeysRepository, type Scope } from '../modules/keys/repository.js';
import { sendProblem } from './errors.js';

export const BEARER_SCHEME = 'bearerAuth';

export interface Principal {
  /** null for the BROADSHEET_ADMIN_KEY from the environment, which has no row. */
  keyId: number | null;
  name: string;
  scopes: Scope[];
}

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
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

// admin implies every scope; writing content implies reading it.
const implied: Record<Scope, Scope[]> = {
  admin: ['admin', 'content:read', 'content:write', 'comments:moderate'],
  'content:write': ['content:write', 'content:read'],
  'content:read': ['content:read'],
  'comments:moderate': ['comments:moderate'],
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

function sameSecret(a: string, b: string): boolean {
  const left = Buffer.from(hashKey(a));
  const right = Buffer.from(hashKey(b));
  return timingSafeEqual(left, right);
}

/**
 * Authenticates `Authorization: Bearer <key>` on every request, and enforces each route's
 * declared `schema.security` — the same array the OpenAPI document shows, so the document and
 * the enforcement cannot drift apart. Must be registered before any route.
 */
export function registerAuth(app: FastifyInstance, keys: KeysRepository, adminKey: string | undefined): void {
  app.decorateRequest('principal', null);

  app.addHook('onRequest', async (request, reply) => {
    const header = request.headers.authorization;
    // Health checks and the docs ignore credentials; the API (and unknown /v1 routes) check them.
    if (header === undefined || !request.url.startsWith('/v1')) return;
    const match = /^Bearer ([\x21-\x7e]{1,200})$/i.exec(header);
    if (!match?.[1]) return unauthorized(request, reply, 'Authorization must be "Bearer <api key>"', true);
    const secret = match[1];
    if (adminKey && sameSecret(secret, adminKey)) {
      request.principal = { keyId: null, name: 'BROADSHEET_ADMIN_KEY', scopes: ['admin'] };
      return;
    }
    const key = keys.authenticate(secret);
    if (!key) return unauthorized(request, reply, 'Unknown or revoked API key', true);
    request.principal = { keyId: key.id, name: key.name, scopes: key.scopes };
  });

  app.addHook('onRoute', (route) => {
    const security = (route.schema as { security?: SecurityRequirement[] } | undefined)?.security;
    // No requirement, or an empty one among the alternatives, means anyone may call.
    if (
      !security ||
      security.length === 0 ||
      security.some((requirement) => Object.keys(requirement).length === 0)
    )
      return;
    const alternatives = security.map((requirement) => (requirement[BEARER_SCHEME] ?? []) as Scope[]);
    const check: onRequestHookHandler = async (request, reply) => {
      if (!request.principal) return unauthorized(request, reply, 'This operation needs an API key', false);
      const allowed = alternatives.some((scopes) =>
        scopes.every((scope) => hasScope(request.principal, scope)),
      );
      if (!allowed) {
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
      }
    };
    const existing = route.onRequest ?? [];
    route.onRequest = [check, ...(Array.isArray(existing) ? existing : [existing])];
  });
}

/** What this request may see of unpublished content, at this request's instant. */
export function audienceOf(request: FastifyRequest, now: () => Date): Audience {
  return { seesUnpublished: hasScope(request.principal, 'content:read'), now: now().toISOString() };
}
