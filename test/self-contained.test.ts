import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';

// A fresh clone has nothing beside it: no source, test, bench or script may reach out of it.
const root = fileURLToPath(new URL('..', import.meta.url));

function* sourceFiles(dir: string): Generator<string> {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* sourceFiles(path);
    else if (/\.(ts|js|mjs)$/.test(name)) yield path;
  }
}

t.test('nothing in the repository reads outside it', async (t) => {
  const offenders: string[] = [];
  for (const folder of ['src', 'test', 'bench', 'scripts']) {
    for (const file of sourceFiles(join(root, folder))) {
      const text = readFileSync(file, 'utf8');
      if (
        /\.\.\/(\.\.\/)*shared\b|\b(DESIGN|STACK|STYLE)\.md\b/.test(text) &&
        !file.endsWith('self-contained.test.ts')
      )
        offenders.push(file.slice(root.length));
    }
  }
  t.same(offenders, []);
});

t.test('the fixture is the article as received, byte for byte (no formatter touched it)', async (t) => {
  const seed = readFileSync(join(root, 'test/fixtures/seed-article.md'), 'utf8');
  t.match(seed, /^---\ntitle: "Zelenskyy’s Call/);
  t.match(seed, /\ntags:\n {2}- Ukraine\n/);
});
