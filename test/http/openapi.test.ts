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
