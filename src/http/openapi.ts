import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { BEARER_SCHEME } from './auth.js';

type Document = ReturnType<FastifyInstance['swagger']> & {
  paths?: Record<
    string,
    Record<string, { responses?: Record<string, { content?: Record<string, unknown> }> }>
  >;
};

/** Error responses are RFC 9457 problems: say so in the document (Fastify only knows JSON). */
function problemMediaTypes(document: Document): Document {
  for (const operations of Object.values(document.paths ?? {})) {
    for (const operation of Object.values(operations)) {
      for (const [status, response] of Object.entries(operation.responses ?? {})) {
        const json = response.content?.['application/json'];
        if (Number(status) >= 400 && json && response.content) {
          response.content = { 'application/problem+json': json };
        }
      }
    }
  }
  return document;
}

/** The OpenAPI 3.1 document built from the route schemas, and Swagger UI at /docs. */
export async function registerOpenApi(app: FastifyInstance, version: string): Promise<void> {
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
        { name: 'Comments', description: 'Readers’ comments, threaded and moderated' },
        { name: 'Keys', description: 'API keys and their scopes (admin only)' },
        { name: 'System', description: 'Health and readiness' },
      ],
      components: {
        securitySchemes: {
          [BEARER_SCHEME]: {
            type: 'http',
            scheme: 'bearer',
            description:
              'An API key: `Authorization: Bearer bsk_…`. Scopes: `content:read`, `content:write`, `comments:moderate`, `admin` (all).',
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
      problemMediaTypes(
        ('openapiObject' in documentObject
          ? documentObject.openapiObject
          : documentObject.swaggerObject) as Document,
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
