import t from 'tap';
import { renderMarkdown } from '../../src/lib/markdown.js';

// Not timed (the machine is noisy): the old quadratic suffix search never finished this within
// the file timeout (5e9 steps), the linear one takes about a second.
t.test('many equal headings get distinct ids in one pass', async (t) => {
  const rendering = renderMarkdown('# x\n'.repeat(100_000));
  t.equal(rendering.toc.length, 100_000);
  t.equal(new Set(rendering.toc.map((entry) => entry.id)).size, 100_000);
  t.equal(rendering.toc[99_999]?.id, 'x-100000');
});

t.test('suffixes skip ids a heading already took', async (t) => {
  const rendering = renderMarkdown('# x-2\n# x\n# x\n# x\n');
  t.same(
    rendering.toc.map((entry) => entry.id),
    ['x-2', 'x', 'x-3', 'x-4'],
  );
});
