/**
 * npm run soak [-- --minutes 10 --articles 10000]
 * Mixed read/write load on one server for a long time, sampling its resident memory, to show
 * that memory stays flat. A script for people, not CI.
 */
import { spawn } from 'node:child_process';
import { copyFileSync, readFileSync, rmSync } from 'node:fs';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { benchDatabase } from './generate.js';

const { values } = parseArgs({
  options: { minutes: { type: 'string', default: '10' }, articles: { type: 'string', default: '10000' } },
});
const database = benchDatabase('bench/data', Number(values.articles));
const copy = 'bench/data/soak.db';
copyFileSync(database.file, copy);
const port = 3990;
const server = spawn('node', ['dist/server.js'], {
  env: {
    ...process.env,
    DATABASE_URL: `file:${copy}`,
    PORT: String(port),
    LOG_LEVEL: 'warn',
    RATE_LIMIT_MAX: '100000000',
    KEYED_RATE_LIMIT_MAX: '100000000',
    COMMENT_RATE_LIMIT_MAX: '100000000',
  },
  stdio: 'inherit',
});
const rssMiB = () => {
  const status = readFileSync(`/proc/${server.pid}/status`, 'utf8');
  return Math.round(Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024);
};
await new Promise((resolve) => setTimeout(resolve, 2000));
const samples: { minute: number; rssMiB: number }[] = [{ minute: 0, rssMiB: rssMiB() }];
const started = Date.now();
const timer = setInterval(
  () => samples.push({ minute: (Date.now() - started) / 60_000, rssMiB: rssMiB() }),
  30_000,
);
let n = 0;
const slug = () => database.slugs[n++ % database.slugs.length];
const result = await autocannon({
  url: `http://127.0.0.1:${port}`,
  connections: 20,
  duration: Number(values.minutes) * 60,
  requests: [
    { method: 'GET', setupRequest: (request) => ({ ...request, path: `/v1/articles/${slug()}` }) },
    {
      method: 'GET',
      setupRequest: (request) => ({ ...request, path: `/v1/articles?perPage=20&page=${1 + (n % 50)}` }),
    },
    { method: 'GET', setupRequest: (request) => ({ ...request, path: `/v1/search?q=river&perPage=10` }) },
    {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${database.key}` },
      setupRequest: (request) => ({
        ...request,
        path: '/v1/articles',
        body: JSON.stringify({ title: `Soak ${n++}`, tags: ['soak'], body: 'Soak body.' }),
      }),
    },
  ],
});
clearInterval(timer);
samples.push({ minute: (Date.now() - started) / 60_000, rssMiB: rssMiB() });
server.kill('SIGTERM');
for (const suffix of ['', '-wal', '-shm']) rmSync(`${copy}${suffix}`, { force: true });
const first = samples[0]?.rssMiB ?? 0;
const last = samples.at(-1)?.rssMiB ?? 0;
process.stdout.write(
  `${JSON.stringify({ requests: result.requests.total, non2xx: result.non2xx, errors: result.errors, rssStartMiB: first, rssEndMiB: last, rssMaxMiB: Math.max(...samples.map((s) => s.rssMiB)), samples })}\n`,
);
