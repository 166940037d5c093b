import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import type { FastifyInstance } from 'fastify';
import type { CallResult } from './app.js';

interface Operation {
  responses: Record<string, { content?: Record<string, { schema: object }> }>;
}
interface Document {
  paths: Record<string, Record<string, Operation>>;
  components: { responses?: Record<string, Operation['responses'][string]> };
}

interface Checker {
  routes: { pattern: RegExp; path: string }[];
  document: Document;
  ajv: Ajv2020;
  validators: Map<string, ValidateFunction>;
}
const checkers = new WeakMap<FastifyInstance, Checker>();

function checkerFor(app: FastifyInstance): Checker {
  let checker = checkers.get(app);
  if (!checker) {
    const document = app.swagger() as unknown as Document;
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats.default(ajv);
    // Literal paths before templated ones, so /v1/comments beats /v1/{x}.
    const routes = Object.keys(document.paths)
      .sort((a, b) => (a.match(/\{/g)?.length ?? 0) - (b.match(/\{/g)?.length ?? 0))
      .map((path) => ({ path, pattern: new RegExp(`^${path.replace(/\{[^}]+\}/g, '[^/]+')}$`) }));
    checker = { routes, document, ajv, validators: new Map() };
    checkers.set(app, checker);
  }
  return checker;
}

const OUTSIDE_THE_DOCUMENT = /^\/(docs(\/.*)?|openapi\.(json|yaml))$/;

/**
 * Checks one response against the operation the OpenAPI document gives for it: the status must
 * be documented, the media type must match, and a JSON body must validate against the schema.
 * Throws, failing the test, on any drift between what the server sends and what it documents.
 */
export function checkResponseAgainstDocument(
  app: FastifyInstance,
  method: string,
  url: string,
  result: CallResult,
): void {
  const checker = checkerFor(app);
  // The router matches the decoded path (a percent-encoded /v1 is /v1), and so must this.
  const raw = url.split('?')[0] ?? url;
  let path = raw;
  try {
    path = decodeURIComponent(raw);
  } catch {
    // not decodable: the router refuses it too
  }
  const route = checker.routes.find((candidate) => candidate.pattern.test(path));
  // HEAD is GET without the body: it answers as the GET operation documents.
  const verb = method.toUpperCase() === 'HEAD' ? 'get' : method.toLowerCase();
  const operation = route && checker.document.paths[route.path]?.[verb];
  if (!route || !operation) {
    // Outside the document on purpose: Swagger UI and the document itself. Anything else must
    // be a refusal (an unknown path or method, or a request refused before routing), as a
    // problem document.
    if (OUTSIDE_THE_DOCUMENT.test(path)) return;
    // CORS preflights are answered by the CORS plugin for every path, as the Fetch standard says.
    if (method.toUpperCase() === 'OPTIONS') return;
    const type = String(result.headers['content-type'] ?? '');
    if (result.status >= 400 && result.status < 500 && type.startsWith('application/problem+json')) return;
    throw new Error(
      `An operation the document does not have answered: ${method} ${path} -> ${result.status}`,
    );
  }
  // Answered by the router before any operation is chosen (a path parameter too long).
  if (result.status === 414) return;
  const where = `${method} ${route.path} -> ${result.status}`;
  let response = operation.responses[String(result.status)];
  if (!response) throw new Error(`Undocumented response: ${where}`);
  const ref = (response as { $ref?: string }).$ref;
  if (ref) response = checker.document.components.responses?.[ref.split('/').pop() ?? ''] ?? response;
  if (!response.content || result.body === '') return;
  const mediaType = String(result.headers['content-type'] ?? '').split(';')[0] ?? '';
  const content = response.content[mediaType];
  if (!content) {
    throw new Error(
      `${where}: content type ${mediaType} not documented (${Object.keys(response.content).join(', ')})`,
    );
  }
  // XML documents (feeds, sitemaps) are checked by their own parsers and schemas in their tests.
  if (!mediaType.endsWith('json')) return;
  const key = `${where} ${mediaType}`;
  let validate = checker.validators.get(key);
  if (!validate) {
    validate = checker.ajv.compile({ ...content.schema, components: checker.document.components });
    checker.validators.set(key, validate);
  }
  if (!validate(result.json)) {
    throw new Error(`${where}: body does not match the document: ${checker.ajv.errorsText(validate.errors)}`);
  }
}
