import fc from 'fast-check';
import t from 'tap';
import { buildTestApp, type CallResult } from '../helpers/app.js';

// Requests generated from the OpenAPI document for every operation: valid ones (from each
// schema) and hostile ones (anything at all). No answer may be a 5xx, every answer must match
// the document (the call helper checks), and a 4xx must be a problem. PROPERTY_RUNS raises
// the count per operation (default 25 in CI).
const RUNS = Number(process.env.PROPERTY_RUNS ?? 25);

type Schema = {
  $ref?: string;
  type?: string | string[];
  enum?: unknown[];
  anyOf?: Schema[];
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  maxItems?: number;
  pattern?: string;
  format?: string;
  examples?: unknown[];
};

// Date-times JSON Schema accepts but Date may not: leap seconds, offsets, far years, fractions.
const dateTimeEdges = [
  '2026-12-31T23:59:60Z',
  '2016-12-31T23:59:60.999Z',
  '2026-06-30T23:59:60+02:00',
  '0000-01-01T00:00:00Z',
  '9999-12-31T23:59:59.999999999Z',
  '2024-02-29T12:00:00-12:00',
  '2026-01-01T00:00:00+14:00',
  '1970-01-01T00:00:00.000000001Z',
];
interface Parameter {
  name: string;
  in: 'path' | 'query';
  required?: boolean;
  schema: Schema;
}
interface Operation {
  operationId: string;
  parameters?: Parameter[];
  requestBody?: { content: Record<string, { schema: Schema }> };
}
interface Document {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema> };
}

/** An arbitrary producing values that satisfy `schema` (the subset of JSON Schema we use). */
function valid(schema: Schema, document: Document, depth = 0): fc.Arbitrary<unknown> {
  if (schema.$ref)
    return valid(document.components.schemas[schema.$ref.split('/').pop() ?? ''] ?? {}, document, depth);
  if (schema.examples?.length && depth > 0)
    return fc.oneof(fc.constantFrom(...schema.examples), valid({ ...schema, examples: [] }, document, depth));
  if (schema.enum) return fc.constantFrom(...schema.enum);
  if (schema.anyOf) return fc.oneof(...schema.anyOf.map((option) => valid(option, document, depth + 1)));
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  switch (type) {
    case 'integer':
      return fc.integer({ min: schema.minimum ?? -1000, max: Math.min(schema.maximum ?? 100_000, 100_000) });
    case 'number':
      return fc.double({ noNaN: true, min: -1e6, max: 1e6 });
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'string':
      if (schema.format === 'date-time') {
        return fc.oneof(
          fc.constantFrom(...dateTimeEdges),
          fc
            .date({ noInvalidDate: true, min: new Date(0), max: new Date('2100-01-01') })
            .map((d) => d.toISOString()),
        );
      }
      if (schema.pattern) {
        // fast-check cannot generate from lookaheads: generate without them, then keep matches.
        const full = new RegExp(schema.pattern);
        return fc
          .stringMatching(new RegExp(withoutLookaheads(schema.pattern)))
          .filter((text) => full.test(text) && text.length <= (schema.maxLength ?? 500));
      }
      return fc.string({ minLength: schema.minLength ?? 0, maxLength: Math.min(schema.maxLength ?? 50, 50) });
    case 'array':
      return fc.array(valid(schema.items ?? {}, document, depth + 1), {
        maxLength: Math.min(schema.maxItems ?? 5, 5),
      });
    case 'object': {
      if (depth > 3) return fc.constant({});
      const properties = schema.properties ?? {};
      const required = new Set(schema.required ?? []);
      return fc.record(
        Object.fromEntries(
          Object.entries(properties).map(([name, property]) => [name, valid(property, document, depth + 1)]),
        ),
        { requiredKeys: Object.keys(properties).filter((name) => required.has(name)) },
      );
    }
    default:
      return fc.anything();
  }
}

/** Valid values most of the time, anything at all some of the time. */
const either = (schema: Schema, document: Document) =>
  fc.oneof({ weight: 3, arbitrary: valid(schema, document) }, { weight: 1, arbitrary: fc.anything() });

/** A pattern without its `(?!…)` lookaheads, brackets inside them included. */
function withoutLookaheads(pattern: string): string {
  let out = '';
  for (let i = 0; i < pattern.length; i++) {
    if (!pattern.startsWith('(?!', i)) {
      out += pattern[i];
      continue;
    }
    let depth = 0;
    for (; i < pattern.length; i++) {
      if (pattern[i] === '\\') i++;
      else if (pattern[i] === '(') depth++;
      else if (pattern[i] === ')' && --depth === 0) break;
    }
  }
  return out;
}

const asText = (value: unknown) => (typeof value === 'string' ? value : (JSON.stringify(value) ?? ''));

t.test('generated requests for every operation: no 5xx, every answer as documented', async (t) => {
  const { app, call } = await buildTestApp(t);
  // Something for path parameters to find.
  await call('POST', '/v1/sections', { body: { name: 'News' } });
  const article = await call('POST', '/v1/articles', {
    body: { title: 'Pub', status: 'published', section: 'news', tags: ['t'] },
  });
  await call('POST', `/v1/articles/${article.json.id}/comments`, {
    body: { authorName: 'A', authorEmail: 'a@example.org', body: 'hello', status: 'approved' },
  });
  const document = app.swagger() as unknown as Document;
  let requests = 0;
  const statuses = new Map<number, number>();

  for (const [path, methods] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(methods)) {
      const parameters = operation.parameters ?? [];
      const bodySchema = operation.requestBody?.content['application/json']?.schema;
      const request = fc.record({
        path: fc.record(
          Object.fromEntries(
            parameters
              .filter((p) => p.in === 'path')
              .map((p) => [
                p.name,
                fc.oneof(fc.constantFrom('1', 'news', 'pub', 't'), either(p.schema, document)),
              ]),
          ),
        ),
        query: fc.record(
          Object.fromEntries(
            parameters.filter((p) => p.in === 'query').map((p) => [p.name, either(p.schema, document)]),
          ),
          { requiredKeys: [] },
        ),
        body: bodySchema ? either(bodySchema, document) : fc.constant(undefined),
        anonymous: fc.boolean(),
      });
      await fc.assert(
        fc.asyncProperty(request, async ({ path: pathValues, query, body, anonymous }) => {
          const url = path.replace(/\{(\w+)\}/g, (_, name: string) =>
            encodeURIComponent(asText(pathValues[name])),
          );
          const search = new URLSearchParams(
            Object.entries(query).map(([name, value]) => [name, asText(value)]),
          );
          const target = `${url}${search.size ? `?${search}` : ''}`;
          let result: CallResult;
          try {
            result = await call(method.toUpperCase() as 'GET', target, {
              key: anonymous ? null : undefined,
              ...(body !== undefined
                ? { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }
                : {}),
            });
          } catch (error) {
            throw new Error(`${method.toUpperCase()} ${target}: ${(error as Error).message}`);
          }
          requests++;
          statuses.set(result.status, (statuses.get(result.status) ?? 0) + 1);
          if (result.status >= 500)
            throw new Error(`${method.toUpperCase()} ${target} -> ${result.status} ${result.body}`);
          if (
            result.status >= 400 &&
            !String(result.headers['content-type']).startsWith('application/problem+json')
          ) {
            throw new Error(`${method.toUpperCase()} ${target} -> ${result.status} without a problem body`);
          }
        }),
        { numRuns: RUNS, seed: Number(process.env.PROPERTY_SEED ?? 20261126) },
      );
      t.pass(`${operation.operationId}: ${RUNS} generated requests`);
    }
  }
  t.ok(requests > 0, `${requests} requests; statuses ${JSON.stringify(Object.fromEntries(statuses))}`);
});
