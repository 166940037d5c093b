import t from 'tap';
import { buildTestApp } from '../helpers/app.js';

// helmet's headers, worked out once at start-up, on every kind of response.
const EXPECTED = {
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'cross-origin',
  'origin-agent-cluster': '?1',
  'referrer-policy': 'no-referrer',
  'strict-transport-security': 'max-age=31536000; includeSubDomains',
  'x-content-type-options': 'nosniff',
  'x-dns-prefetch-control': 'off',
  'x-download-options': 'noopen',
  'x-frame-options': 'SAMEORIGIN',
  'x-permitted-cross-domain-policies': 'none',
  'x-xss-protection': '0',
};

t.test('every response carries the security headers, and JSON no CSP', async (t) => {
  const { app } = await buildTestApp(t);
  for (const url of ['/v1/articles', '/v1/articles/no-such-article', '/ready', '/openapi.json']) {
    const response = await app.inject({ method: 'GET', url });
    for (const [name, value] of Object.entries(EXPECTED))
      t.equal(response.headers[name], value, `${url}: ${name}`);
    t.notOk(response.headers['x-powered-by'], `${url}: no X-Powered-By`);
    if (url !== '/openapi.json')
      t.notOk(response.headers['content-security-policy'], `${url}: no CSP on JSON`);
  }
  // The same headers on the second request as on the first: the list is not consumed.
  const again = await app.inject({ method: 'GET', url: '/v1/articles' });
  t.equal(again.headers['x-frame-options'], 'SAMEORIGIN');
});

t.test('Swagger UI keeps its own content security policy beside them', async (t) => {
  const { app } = await buildTestApp(t);
  const response = await app.inject({ method: 'GET', url: '/docs/' });
  t.equal(response.statusCode, 200);
  t.match(response.headers['content-security-policy'], /default-src 'self'/);
  t.equal(response.headers['x-frame-options'], 'SAMEORIGIN');
});
