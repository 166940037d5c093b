import { readFileSync } from 'node:fs';
import SwaggerParser from '@apidevtools/swagger-parser';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import t from 'tap';
import { parse } from 'yaml';
import { buildTestApp } from '../helpers/app.js';

type Operation = {
  operationId?: string;
  summary?: string;
  description?: string;
  tags?: string[];
  security?: unknown[];
  responses: Record<string, { content?: Record<string, unknown> }>;
};

t.test('the document is valid OpenAPI 3.1 and served as JSON and YAML', async (t) => {
  const { call, app } = await buildTestApp(t);
  const json = await call('GET', '/openapi.json', { key: null });
  t.equal(json.status, 200);
  t.equal(json.json.openapi, '3.1.0');
  await t.resolves(SwaggerParser.validate(structuredClone(json.json)), 'swagger-parser validates it');
  const yaml = await app.inject({ url: '/openapi.yaml' });
  t.equal(yaml.headers['content-type'], 'application/yaml');
  t.same(parse(yaml.body), json.json, 'YAML is the same document');
  const ui = await app.inject({ url: '/docs/' });
  t.equal(ui.statusCode, 200);
  t.match(ui.body, /swagger-ui/i);
});

t.test('every operation is named, summarised, tagged, secured and lists its errors', async (t) => {
  const { app } = await buildTestApp(t);
  await app.ready();
  const document = app.swagger() as unknown as {
    paths: Record<string, Record<string, Operation>>;
    components: { responses: Record<string, { content?: Record<string, unknown> }> };
  };
  const operationIds = new Set<string>();
  for (const [path, operations] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(operations)) {
      const name = `${method.toUpperCase()} ${path}`;
      t.ok(operation.operationId, `${name} has an operationId`);
      t.notOk(operationIds.has(String(operation.operationId)), `${name} operationId is unique`);
      operationIds.add(String(operation.operationId));
      t.ok(operation.summary, `${name} has a summary`);
      t.ok(operation.description, `${name} has a description`);
      t.equal(operation.tags?.length, 1, `${name} has a tag`);
      t.ok(Array.isArray(operation.security), `${name} declares its security`);
      for (const [status, response] of Object.entries(operation.responses)) {
        if (Number(status) >= 400) {
          const ref = (response as { $ref?: string }).$ref ?? '';
          const shared = document.components.responses[ref.split('/').pop() ?? ''];
          t.ok(ref.startsWith('#/components/responses/'), `${name} ${status} is a reusable problem`);
          t.same(
            Object.keys(shared?.content ?? {}),
            ['application/problem+json'],
            `${name} ${status} is a problem`,
          );
        }
      }
      const hasInput = path.includes('{') || ['post', 'patch', 'put'].includes(method) || path.endsWith('s');
      if (hasInput && path.startsWith('/v1')) t.ok(operation.responses['400'], `${name} documents 400`);
    }
  }
  t.ok(operationIds.size >= 15, `${operationIds.size} operations`);
});

t.test('the committed openapi/openapi.json matches the code (run `npm run openapi`)', async (t) => {
  const { app } = await buildTestApp(t);
  const committed = readFileSync(new URL('../../openapi/openapi.json', import.meta.url), 'utf8');
  t.equal(committed, `${JSON.stringify(app.swagger(), null, 2)}\n`);
});

t.test('every example in the document is valid against its own schema', async (t) => {
  const { app } = await buildTestApp(t);
  const document = app.swagger() as unknown as {
    components: { schemas: Record<string, { examples?: unknown[] }> };
  };
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats.default(ajv);
  let examples = 0;
  for (const [name, schema] of Object.entries(document.components.schemas)) {
    const validate = ajv.compile({ ...schema, components: document.components });
    for (const example of schema.examples ?? []) {
      examples++;
      t.ok(validate(example), `${name} example: ${ajv.errorsText(validate.errors)}`);
    }
  }
  t.ok(examples >= 12, `${examples} schema examples`);
});

t.test(
  'the document says what the server does: defaults, refusals, front matter, 431, examples',
  async (t) => {
    const { call } = await buildTestApp(t);
    const document = (await call('GET', '/openapi.json', { key: null })).json;
    const parameter = (path: string, name: string) =>
      document.paths[path].get.parameters.find((p: { name: string }) => p.name === name);
    for (const [path, name] of [
      ['/v1/changes', 'limit'],
      ['/v1/changes', 'wait'],
      ['/feeds/articles.rss', 'limit'],
      ['/v1/articles', 'perPage'],
    ] as const) {
      const found = parameter(path, name);
      t.notOk(found.required, `${path} ${name} has a default: not required`);
      t.not(found.schema.default, undefined);
    }
    t.equal((await call('GET', '/v1/changes')).status, 200, 'and the server takes it absent');

    // What the server refuses, the document's patterns refuse too.
    const sort = new RegExp(parameter('/v1/articles', 'sort').schema.pattern, 'u');
    const fields = new RegExp(parameter('/v1/articles', 'fields').schema.pattern, 'u');
    for (const [pattern, value, server] of [
      [sort, 'title,-title', '/v1/articles?sort=title,-title'],
      [sort, '-publishedAt,title,publishedAt', '/v1/articles?sort=-publishedAt,title,publishedAt'],
      [fields, 'id,banana', '/v1/articles?fields=id,banana'],
    ] as const) {
      t.notOk(pattern.test(value), `the document refuses ${value}`);
      t.equal((await call('GET', server)).status, 400, `the server refuses ${value}`);
    }
    t.ok(
      sort.test('-publishedAt,title') && fields.test('id,slug,title'),
      'and both accept what the server takes',
    );

    const markdown = document.paths['/v1/articles'].post.requestBody.content['text/markdown'].schema;
    t.match(markdown.description, /starts with `---` fenced YAML front matter \(required/);
    const unfenced = await call('POST', '/v1/articles', {
      headers: { 'content-type': 'text/markdown' },
      body: 'No fence',
    });
    t.match(unfenced.json.detail, /line 1: the file must start with a --- front matter fence/);

    for (const [path, operations] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(operations as Record<string, Operation>)) {
        t.ok(operation.responses['431'], `${method} ${path} documents 431`);
      }
    }
    t.match(document.components.responses.RequestHeaderFieldsTooLarge.description, /headers/);

    for (const path of [
      '/feeds/articles.rss',
      '/feeds/articles.atom',
      '/sitemap.xml',
      '/sitemaps/tags.xml',
    ]) {
      const content = Object.values(document.paths[path].get.responses['200'].content)[0] as {
        schema: { examples?: string[] };
      };
      t.match(content.schema.examples?.[0], /^<\?xml/, `${path} has an example`);
    }
    t.ok(document.components.schemas.JsonFeed.examples?.length, 'JSON Feed has an example');

    const alternatives = await call('POST', '/v1/articles', { body: { title: 'x', section: { id: 1 } } });
    t.equal(alternatives.status, 400);
    t.notMatch(alternatives.json.detail, /must be must be/);
    t.match(alternatives.json.detail, /\/body\/section must be integer, or string/);
  },
);
