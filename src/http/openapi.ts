import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { BEARER_SCHEME } from './auth.js';

type Response = { description?: string; content?: Record<string, unknown>; $ref?: string };
type Document = ReturnType<FastifyInstance['swagger']> & {
  paths?: Record<string, Record<string, { responses?: Record<string, Response> }>>;
  components?: { responses?: Record<string, unknown> };
};

const problemRef = { $ref: '#/components/schemas/Problem' };
const header = (description: string, type = 'integer') => ({ description, schema: { type } });
const rateLimitHeaders = {
  'Retry-After': header('Seconds until a request may succeed'),
  'RateLimit-Limit': header('Requests allowed in the window'),
  'RateLimit-Remaining': header('Requests left in the window'),
  'RateLimit-Reset': header('Seconds until the window resets'),
};

/** The problems an operation can answer, each a reusable response with an example. */
const problems: Record<string, { name: string; description: string; example: string; headers?: object }> = {
  '400': {
    name: 'BadRequest',
    description: 'Invalid input: the problem lists each field',
    example: 'validation-error',
  },
  '401': {
    name: 'Unauthorized',
    description: 'No API key, or an unknown or revoked one',
    example: 'unauthorized',
    headers: { 'WWW-Authenticate': header('Bearer realm="broadsheet"', 'string') },
  },
  '403': {
    name: 'Forbidden',
    description:
      'The key lacks the scope this operation needs, or a preview token was sent to anything but its article',
    example: 'insufficient-scope',
  },
  '404': {
    name: 'NotFound',
    description: 'No such resource, or not visible to this caller',
    example: 'not-found',
  },
  '409': {
    name: 'Conflict',
    description: 'Conflicts with the current state (taken slug, resource in use…)',
    example: 'slug-taken',
  },
  '412': {
    name: 'PreconditionFailed',
    description: 'If-Match names an older version',
    example: 'stale-version',
  },
  '413': {
    name: 'ContentTooLarge',
    description: 'The body is larger than the server accepts',
    example: 'body-too-large',
  },
  '415': {
    name: 'UnsupportedMediaType',
    description: 'Bodies are application/json',
    example: 'unsupported-media-type',
  },
  '422': {
    name: 'UnprocessableContent',
    description: 'Well-formed but impossible (unknown section…)',
    example: 'unknown-section',
  },
  '428': {
    name: 'PreconditionRequired',
    description: 'This server requires If-Match on writes',
    example: 'if-match-required',
  },
  '429': {
    name: 'TooManyRequests',
    description: 'Rate limit reached',
    example: 'rate-limited',
    headers: rateLimitHeaders,
  },
  '431': {
    name: 'RequestHeaderFieldsTooLarge',
    description: 'The request headers are larger than the server accepts (16 KiB)',
    example: 'headers-too-large',
  },
  '503': {
    name: 'ServiceUnavailable',
    description: 'Overloaded (or the database is unreachable): retry later',
    example: 'overloaded',
    headers: { 'Retry-After': header('Seconds to wait') },
  },
};

const titles: Record<string, string> = {
  '400': 'Bad Request',
  '401': 'Unauthorized',
  '403': 'Forbidden',
  '404': 'Not Found',
  '409': 'Conflict',
  '412': 'Precondition Failed',
  '413': 'Content Too Large',
  '415': 'Unsupported Media Type',
  '422': 'Unprocessable Content',
  '428': 'Precondition Required',
  '429': 'Too Many Requests',
  '431': 'Request Header Fields Too Large',
  '503': 'Service Unavailable',
};

/**
 * Error responses are RFC 9457 problems: each status becomes one reusable
 * components/responses entry (application/problem+json, an example, its headers) that every
 * operation refers to. Fastify itself only knows application/json.
 */
function reusableProblems(document: Document, webhooks: Record<string, object>): Document {
  const responses: Record<string, unknown> = {};
  for (const operations of Object.values(document.paths ?? {})) {
    for (const operation of Object.values(operations)) {
      // Node's HTTP parser answers it before any route, whatever the operation.
      if (operation.responses) operation.responses['431'] ??= {};
      // Whatever takes a credential refuses a preview token sent anywhere but its article.
      if (operation.responses?.['401']) operation.responses['403'] ??= {};
      for (const status of Object.keys(operation.responses ?? {})) {
        const problem = problems[status];
        if (!problem || !operation.responses) continue;
        responses[problem.name] = {
          description: problem.description,
          ...(problem.headers ? { headers: problem.headers } : {}),
          content: {
            'application/problem+json': {
              schema: problemRef,
              example: {
                type: `https://broadsheet.dev/problems/${problem.example}`,
                title: titles[status],
                status: Number(status),
                detail: problem.description,
                instance: '/v1/articles/42',
                ...(status === '400' ? { errors: [{ path: '/body/title', message: 'is required' }] } : {}),
              },
            },
          },
        };
        operation.responses[status] = { $ref: `#/components/responses/${problem.name}` };
      }
    }
  }
  document.components = { ...document.components, responses };
  return Object.assign(document, { webhooks });
}

/** The OpenAPI 3.1 document built from the route schemas, and Swagger UI at /docs. */
export async function registerOpenApi(
  app: FastifyInstance,
  version: string,
  /** The document's `webhooks`: what the API sends (the webhooks module describes it). */
  webhooks: Record<string, object>,
): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Broadsheet API',
        version,
        description:
          'A headless CMS for editorial content: articles in sections, with tags and reader comments. Reads of published content are public; everything else takes `Authorization: Bearer <api key>` with the right scope. Errors are RFC 9457 `application/problem+json`.',
        license: { name: 'MIT', identifier: 'MIT' },
        contact: { name: 'Broadsheet maintainers', url: 'https://broadsheet.dev' },
      },
      // Relative, so Swagger UI's "Try it out" calls whichever host and port served the page.
      servers: [{ url: '/', description: 'This server' }],
      tags: [
        {
          name: 'Articles',
          description: 'Editorial content: Markdown body, section, tags, publication state',
        },
        { name: 'Sections', description: 'Where articles live; sections nest' },
        { name: 'Tags', description: 'Free labels on articles, in order' },
        {
          name: 'Media',
          description:
            'Images: uploads sniffed and checked, renditions and focal-point crops at fixed sizes, nothing personal in any public byte',
        },
        {
          name: 'Authors',
          description: 'The people bylines name, with profiles; an article carries several, in order',
        },
        { name: 'Comments', description: 'Readers’ comments, threaded and moderated' },
        { name: 'Keys', description: 'API keys and their scopes (admin only)' },
        {
          name: 'Changes',
          description: 'Every change in commit order, deletions included: follow it with a cursor',
        },
        {
          name: 'Webhooks',
          description: 'Signed notifications of changes (Standard Webhooks), with retries and a delivery log',
        },
        {
          name: 'Syndication',
          description: 'RSS, Atom and JSON Feed; sitemaps and Google News (need `SITE_URL`)',
        },
        { name: 'System', description: 'Health and readiness' },
      ],
      components: {
        securitySchemes: {
          [BEARER_SCHEME]: {
            type: 'http',
            scheme: 'bearer',
            description:
              'An API key: `Authorization: Bearer bsk_…`. Scopes: `content:public`, `content:read`, `content:write`, `comments:moderate`, `webhooks:manage`, `admin` (all).',
          },
        },
      },
      security: [],
    },
    refResolver: {
      // Keep each shared schema's $id as its component name instead of def-0, def-1 ...
      buildLocalReference: (json, _baseUri, _fragment, i) => String(json.$id ?? `def-${i}`),
    },
    transformObject: (documentObject) =>
      reusableProblems(
        ('openapiObject' in documentObject
          ? documentObject.openapiObject
          : documentObject.swaggerObject) as Document,
        webhooks,
      ),
  });

  await app.register(swaggerUi, {
    routePrefix: '/docs',
    uiConfig: { deepLinking: true, persistAuthorization: true, tryItOutEnabled: false },
    staticCSP: true,
  });

  const hidden = { schema: { hide: true }, config: { rateLimit: false } };
  app.get('/openapi.json', hidden, async () => app.swagger());
  app.get('/openapi.yaml', hidden, async (_request, reply) =>
    reply.type('application/yaml').send(app.swagger({ yaml: true })),
  );
}
