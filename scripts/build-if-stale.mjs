// `npm start` builds only when a source is newer than dist/ (a full tsc takes 20-50 s here).
// Plain JavaScript on purpose: it runs before anything is compiled.
import { execFileSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const newest = (path) => {
  const stat = statSync(path, { throwIfNoEntry: false });
  if (!stat) return 0;
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(0, ...readdirSync(path).map((name) => newest(join(path, name))));
};

const built = newest('dist/server.js');
const sources = Math.max(
  newest('src'),
  newest('tsconfig.json'),
  newest('tsconfig.build.json'),
  newest('package.json'),
);
if (built === 0 || sources > built) {
  process.stdout.write('Building (sources are newer than dist/)...\n');
  execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], {
    stdio: 'inherit',
  });
}
