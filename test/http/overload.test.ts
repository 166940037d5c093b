import t from 'tap';
import { buildTestApp } from '../helpers/app.js';
import { eventually } from '../helpers/eventually.js';

t.test('beyond capacity the API sheds load: 503 problem with Retry-After', async (t) => {
  // A heap limit no process can meet stands in for real overload.
  const { app } = await buildTestApp(t, { overload: { maxEventLoopDelayMs: 0, maxHeapUsedBytes: 1 } });
  // under-pressure samples once a second: requests are served until its first sample.
  let shed = await app.inject({ url: '/v1/articles' });
  const shedding = await eventually(async () => {
    shed = await app.inject({ url: '/v1/articles' });
    return shed.statusCode === 503;
  });
  t.ok(shedding, 'shed once the sampler saw the heap');
  t.equal(shed.statusCode, 503);
  t.equal(shed.headers['retry-after'], '5');
  t.equal(shed.headers['content-type'], 'application/problem+json; charset=utf-8');
  t.match(shed.json(), { status: 503, type: 'https://broadsheet.dev/problems/overloaded' });
});

t.test('every API operation documents 503', async (t) => {
  const { app } = await buildTestApp(t);
  const document = app.swagger() as unknown as {
    paths: Record<string, Record<string, { responses: object }>>;
  };
  for (const [path, operations] of Object.entries(document.paths)) {
    if (!path.startsWith('/v1')) continue;
    for (const [method, operation] of Object.entries(operations))
      t.ok('503' in operation.responses, `${method} ${path}`);
  }
});
