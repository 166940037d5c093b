import t from 'tap';
import { articleFromMarkdown, FRONT_MATTER_MAX_BYTES } from '../../src/modules/transfer/front-matter.js';
import { buildTestApp } from '../helpers/app.js';

const markdown = (front: string) => ({
  headers: { 'content-type': 'text/markdown' },
  body: `---\n${front}\n---\nBody\n`,
});

t.test('front matter is bounded like a JSON body: many keys are one quick 400', async (t) => {
  const { call } = await buildTestApp(t);
  const keys = (n: number) => Array.from({ length: n }, (_, i) => `k${i}: v`).join('\n');
  // 50,000 keys took 27 s of the event loop before (yaml's uniqueKeys compares every pair).
  const huge = await call('POST', '/v1/articles', markdown(`title: Many\n${keys(50_000)}`));
  t.equal(huge.status, 400);
  t.match(huge.json.detail, `line 2: the front matter is larger than ${FRONT_MATTER_MAX_BYTES} bytes`);

  // Just under the limit: parsed, and every unknown field refused (the first 20 listed).
  const many = await call('POST', '/v1/articles', markdown(`title: Many\n${keys(1_800)}`));
  t.equal(many.status, 400);
  t.ok(many.json.errors.length >= 1 && many.json.errors.length <= 20, 'a bounded list of errors');
  t.match(many.json.errors[0], { path: '/body/k0', message: 'line 3: unknown field "k0"' });

  const honest = await call('POST', '/v1/articles', markdown(`title: Honest\ntags: [${'a'.repeat(100)}]`));
  t.equal(honest.status, 201, 'an ordinary front matter is far inside the limit');
});

t.test('a repeated key names its line; an alias bomb is a 400, not a 500', async (t) => {
  const { call } = await buildTestApp(t);
  const repeated = await call('POST', '/v1/articles', markdown('title: One\nexcerpt: x\ntitle: Two'));
  t.equal(repeated.status, 400);
  t.match(repeated.json.detail, 'line 4: Map keys must be unique');

  const laughs = [
    'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
    ...'bcdefghi'.split('').map((name, i) => {
      const previous = 'abcdefghi'[i] as string;
      return `${name}: &${name} [${Array(9).fill(`*${previous}`).join(',')}]`;
    }),
    'title: *i',
  ].join('\n');
  const bomb = await call('POST', '/v1/articles', markdown(laughs));
  t.equal(bomb.status, 400);
  t.match(bomb.json.detail, /alias/i);
});

t.test('the parser on its own: linear in the size it accepts', async (t) => {
  t.throws(() => articleFromMarkdown(`---\ntitle: x\nbody: ${'y'.repeat(FRONT_MATTER_MAX_BYTES)}\n---\n`), {
    message: /larger than/,
  });
  t.same(articleFromMarkdown('---\ntitle: Fine\n---\n\nText\n'), { title: 'Fine', body: 'Text\n' });
});
