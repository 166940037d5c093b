/**
 * npm run bench [-- --articles 10000 --duration 10 --connections 50 --scale 100000 --cache 0]
 *
 * Builds (once) a deterministic database, starts Broadsheet (node dist/server.js) and the bare
 * reference server pinned to one core, drives each scenario with autocannon from this process,
 * and prints req/s and latency per scenario with our throughput as a share of the reference's.
 * `--scale N` also compares get/list latency at 1,000 articles with N articles.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { type BenchDatabase, benchDatabase } from './generate.js';
import { postgresCopy } from './postgres.js';

const { values } = parseArgs({
  options: {
    articles: { type: 'string', default: '10000' },
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '50' },
    scale: { type: 'string' },
    // Bytes of the response cache; --cache 0 measures the cold path.
    cache: { type: 'string', default: '67108864' },
    // A PostgreSQL server to run Broadsheet on (the reference server stays on the SQLite file).
    database: { type: 'string' },
  },
});
const duration = Number(values.duration);
const store = values.database ? 'PostgreSQL' : 'SQLite';
const connections = Number(values.connections);

const freePort = () =>
  new Promise<number>((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

/** Starts a server on core 0 and waits until it answers. */
async function start(command: string[], env: Record<string, string>, probe: string): Promise<ChildProcess> {
  const child = spawn('taskset', ['-c', '0', ...command], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  for (let i = 0; i < 200; i++) {
    try {
      if ((await fetch(probe)).ok) return child;
    } catch {
      // not up yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`server did not start: ${command.join(' ')}`);
}

interface Scenario {
  name: string;
  base: string;
  method?: 'GET' | 'POST';
  path: () => string;
  body?: () => string;
  headers?: Record<string, string>;
  /** Overrides --connections. */
  connections?: number;
}

interface Result {
  name: string;
  requestsPerSecond: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
}

async function drive(scenario: Scenario, seconds: number): Promise<Result> {
  const result = await autocannon({
    url: scenario.base,
    connections: scenario.connections ?? connections,
    duration: seconds,
    requests: [
      {
        method: scenario.method ?? 'GET',
        headers: { 'content-type': 'application/json', ...scenario.headers },
        setupRequest: (request) => ({ ...request, path: scenario.path(), body: scenario.body?.() }),
      },
    ],
  });
  return {
    name: scenario.name,
    // Only successful answers count: a fast 4xx or 5xx is no throughput.
    requestsPerSecond: Math.round(result['2xx'] / result.duration),
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors,
  };
}

async function measure(scenario: Scenario): Promise<Result> {
  await drive(scenario, 2); // warm up: JIT, SQLite page cache
  return drive(scenario, duration);
}

function randomSlug(database: BenchDatabase) {
  return () => database.slugs[Math.floor(Math.random() * database.slugs.length)] ?? 'article-1';
}

/**
 * Readers mostly open what the front page and social links show: 90 % of reads go to 100
 * articles, the rest anywhere. This is the traffic a response cache is for.
 */
function popularSlug(database: BenchDatabase) {
  const anywhere = randomSlug(database);
  const hot = database.slugs.slice(0, 100);
  return () =>
    Math.random() < 0.9 ? (hot[Math.floor(Math.random() * hot.length)] ?? 'article-1') : anywhere();
}

/**
 * A CDN revalidating popular articles while the newsroom works: 20 clients read with the ETag
 * last seen for each URL (shared, as at a CDN), while every second one article is edited (half
 * the time a popular one: editors work on what is current) and one public comment is posted.
 * Returns the share of conditional reads answered 304.
 */
async function revalidationReplay(base: string, database: BenchDatabase, seconds: number) {
  const popular = popularSlug(database);
  const anywhere = randomSlug(database);
  const known = new Map<string, string>();
  const counts = { conditional: 0, notModified: 0, failed: 0, writes: 0 };
  const deadline = Date.now() + seconds * 1000;
  const reader = async () => {
    while (Date.now() < deadline) {
      const url = `${base}/v1/articles/${popular()}`;
      const etag = known.get(url);
      const response = await fetch(url, { headers: etag ? { 'if-none-match': etag } : {} });
      await response.arrayBuffer();
      if (response.status !== 200 && response.status !== 304) counts.failed++;
      if (etag) {
        counts.conditional++;
        if (response.status === 304) counts.notModified++;
      }
      known.set(url, response.headers.get('etag') ?? '');
    }
  };
  const write = async () => {
    const json = { 'content-type': 'application/json' };
    const edit = await fetch(`${base}/v1/articles/${Math.random() < 0.5 ? popular() : anywhere()}`, {
      method: 'PATCH',
      headers: { ...json, authorization: `Bearer ${database.key}` },
      body: JSON.stringify({ subtitle: `Updated ${counts.writes}` }),
    });
    const comment = await fetch(`${base}/v1/articles/${anywhere()}/comments`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({
        authorName: 'Reader',
        authorEmail: 'reader@example.org',
        body: `Replay comment ${counts.writes}`,
      }),
    });
    if (edit.ok && comment.ok) counts.writes++;
    else {
      counts.failed++;
      process.stderr.write(`replay write failed: edit ${edit.status}, comment ${comment.status}\n`);
    }
  };
  // Writes still in flight when the readers stop are waited for: the servers stop next.
  const writes: Promise<void>[] = [];
  const writer = setInterval(() => {
    writes.push(
      write().catch((error: unknown) => {
        counts.failed++;
        process.stderr.write(`replay write failed: ${String(error)}\n`);
      }),
    );
  }, 1000);
  await Promise.all(Array.from({ length: 20 }, reader));
  clearInterval(writer);
  await Promise.all(writes);
  return {
    ...counts,
    share304: Math.round((1000 * counts.notModified) / Math.max(1, counts.conditional)) / 10,
  };
}

/** Starts both servers on a private copy of the database (writes must not leak into the next run). */
async function servers(database: BenchDatabase, label: string, cacheBytes = String(values.cache)) {
  const copy = `bench/data/run-${label}.db`;
  copyFileSync(database.file, copy);
  const onPostgres = values.database ? await postgresCopy(values.database, database, label) : undefined;
  const [ours, reference] = [await freePort(), await freePort()];
  const broadsheet = await start(
    ['node', 'dist/server.js'],
    {
      DATABASE_URL: onPostgres?.url ?? `file:${copy}`,
      PORT: String(ours),
      LOG_LEVEL: 'warn',
      RATE_LIMIT_MAX: '100000000',
      KEYED_RATE_LIMIT_MAX: '100000000',
      COMMENT_RATE_LIMIT_MAX: '100000000',
      // Measure latency under load rather than load shedding (tested on its own).
      OVERLOAD_MAX_EVENT_LOOP_DELAY_MS: '0',
      RESPONSE_CACHE_BYTES: cacheBytes,
    },
    `http://127.0.0.1:${ours}/ready`,
  );
  const bare = await start(
    ['node', '--import', 'tsx', 'bench/reference-server.ts', copy, String(reference)],
    {},
    `http://127.0.0.1:${reference}/articles/${database.slugs[0]}`,
  );
  const stop = async () => {
    const exited = new Promise((resolve) => broadsheet.once('exit', resolve));
    broadsheet.kill('SIGTERM');
    bare.kill('SIGTERM');
    for (const suffix of ['', '-wal', '-shm']) rmSync(`${copy}${suffix}`, { force: true });
    await exited;
    await onPostgres?.drop();
  };
  return {
    ours: `http://127.0.0.1:${ours}`,
    reference: `http://127.0.0.1:${reference}`,
    stop,
    // Its key: on PostgreSQL, one made there.
    database: onPostgres?.database ?? database,
  };
}

const table = (rows: (string | number)[][]) => {
  const widths =
    rows[0]?.map((_, column) => Math.max(...rows.map((row) => String(row[column]).length))) ?? [];
  return rows
    .map((row) => row.map((cell, column) => String(cell).padEnd(widths[column] ?? 0)).join('  '))
    .join('\n');
};

async function main() {
  mkdirSync('bench/data', { recursive: true });
  mkdirSync('bench/results', { recursive: true });
  const { ours, reference, stop, database } = await servers(
    benchDatabase('bench/data', Number(values.articles)),
    'main',
  );
  const slug = randomSlug(database);
  const popular = popularSlug(database);
  let counter = 0;
  const results: Record<string, Result> = {};
  let replay: Awaited<ReturnType<typeof revalidationReplay>> | undefined;
  try {
    const scenarios: Scenario[] = [
      { name: 'reference: article by slug', base: reference, path: () => `/articles/${slug()}` },
      { name: 'article by slug', base: ours, path: () => `/v1/articles/${slug()}` },
      { name: 'reference: popular article', base: reference, path: () => `/articles/${popular()}` },
      { name: 'popular article', base: ours, path: () => `/v1/articles/${popular()}` },
      { name: 'reference: list 20 newest', base: reference, path: () => '/articles' },
      { name: 'list 20 newest', base: ours, path: () => '/v1/articles?perPage=20' },
      {
        name: 'list 20 in section with tag',
        base: ours,
        path: () => `/v1/articles?section=section-${1 + (counter++ % 50)}&tag=tag-${1 + (counter % 500)}`,
      },
      {
        name: 'search',
        base: ours,
        path: () =>
          `/v1/search?q=${['security%20guarantees', 'Zelensky*', 'river', 'ceasefire%20OR%20diplomacy'][counter++ % 4]}`,
      },
      {
        name: 'create article',
        base: ours,
        method: 'POST',
        path: () => '/v1/articles',
        headers: { authorization: `Bearer ${database.key}` },
        body: () =>
          JSON.stringify({
            title: `Bench ${counter++}`,
            status: 'published',
            section: 'section-1',
            tags: ['tag-1', 'tag-2', `Fresh ${counter % 100}`],
            body: '## Hello\n\nA short body for the write benchmark.',
          }),
      },
      {
        name: 'post public comment',
        base: ours,
        method: 'POST',
        path: () => `/v1/articles/${slug()}/comments`,
        body: () =>
          JSON.stringify({
            authorName: 'Bench',
            authorEmail: 'bench@example.org',
            body: `Comment ${counter++}`,
          }),
      },
    ];
    for (const scenario of scenarios) {
      results[scenario.name] = await measure(scenario);
      process.stderr.write(`measured ${scenario.name}\n`);
    }
    replay = await revalidationReplay(ours, database, Math.max(10, duration));
  } finally {
    await stop();
  }
  const attacks = await searchAttacks(database);

  const ratio = (name: string, referenceName: string) =>
    Math.round(
      (100 * (results[name]?.requestsPerSecond ?? 0)) / (results[referenceName]?.requestsPerSecond ?? 1),
    );
  const shares: Record<string, number> = {
    'article by slug': ratio('article by slug', 'reference: article by slug'),
    'popular article': ratio('popular article', 'reference: popular article'),
    'list 20 newest': ratio('list 20 newest', 'reference: list 20 newest'),
  };

  let scale: Awaited<ReturnType<typeof scaleCheck>> | undefined;
  if (values.scale) scale = await scaleCheck(Number(values.scale));

  const rows: (string | number)[][] = [
    ['scenario', 'req/s', 'p50 ms', 'p99 ms', 'non-2xx', '% of reference'],
  ];
  for (const result of Object.values(results)) {
    rows.push([
      result.name,
      result.requestsPerSecond,
      result.p50,
      result.p99,
      result.non2xx,
      shares[result.name] ?? '',
    ]);
  }
  process.stdout.write(
    `\n${database.articles} articles on ${store}, ${connections} connections, ${duration} s per scenario, server on one core\n\n${table(rows)}\n`,
  );
  if (replay) {
    process.stdout.write(
      `\nrevalidation replay: ${replay.share304} % of ${replay.conditional} conditional article reads answered 304 (${replay.writes} edits and ${replay.writes} comments, ${replay.failed} failed)\n`,
    );
  }
  process.stdout.write(
    `\nsearch attacks, one at a time, response cache off (status, ms, worst /health wait ms):\n${table([
      ['query', 'status', 'ms', '/health worst ms'],
      ...attacks.map((attack) => [attack.query, attack.status, attack.ms, attack.healthWorstMs]),
    ])}\n`,
  );
  if (scale) process.stdout.write(`\nscale: ${JSON.stringify(scale)}\n`);
  const report = {
    at: new Date().toISOString(),
    store,
    articles: database.articles,
    connections,
    duration,
    results,
    shares,
    replay,
    attacks,
    scale,
  };
  const file = `bench/results/${report.at.replace(/[:.]/g, '-')}.json`;
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  process.stdout.write(`\n${JSON.stringify(report)}\nwritten to ${file}\n`);
}

/** The queries that froze the server (hardening round two), against the whole archive. */
const ATTACK_QUERIES = [
  't*',
  '"of the"',
  `"${'of the '.repeat(25).trim()}"`,
  'st* wh* th* of* pr* re* ma* co* de* an* ex* fi*',
  'the of and to a in is that it was for on',
  'the OR of OR and',
  'th*',
];

/**
 * Each attack query alone, with the response cache off, while /health is asked every 10 ms:
 * how long the search takes, and the longest any /health waited meanwhile (the event loop).
 */
async function searchAttacks(database: BenchDatabase) {
  const { ours, stop } = await servers(database, 'attacks', '0');
  try {
    const rows: { query: string; status: number; ms: number; healthWorstMs: number }[] = [];
    for (const query of ATTACK_QUERIES) {
      let searching = true;
      let healthWorstMs = 0;
      const probe = (async () => {
        while (searching) {
          const started = performance.now();
          await fetch(`${ours}/health`);
          healthWorstMs = Math.max(healthWorstMs, performance.now() - started);
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
      })();
      const started = performance.now();
      const response = await fetch(`${ours}/v1/search?q=${encodeURIComponent(query)}`);
      await response.arrayBuffer();
      const ms = Math.round(performance.now() - started);
      searching = false;
      await probe;
      rows.push({
        query: query.slice(0, 40),
        status: response.status,
        ms,
        healthWorstMs: Math.round(healthWorstMs),
      });
    }
    return rows;
  } finally {
    await stop();
  }
}

/**
 * What readers type: names and topics, sometimes two words, a phrase, OR, a prefix or an
 * exclusion. Against this corpus (every body holds the seed article) most of them match nearly
 * every article, the worst case for ranking.
 */
const TYPICAL_QUERIES = [
  'harbour',
  'railway festival',
  'Zelensky',
  '"security guarantees"',
  'council OR budget',
  'satellite -drought',
  'orchestra*',
  'museum election',
  'ceasefire',
  'vaccine',
  'river harbour',
  '"local angle"',
];
let queryCounter = 0;
const typicalQuery = () => TYPICAL_QUERIES[queryCounter++ % TYPICAL_QUERIES.length] ?? 'harbour';

/**
 * Latency at 1,000 articles against `articles` for single reads and lists (ratios near 1 mean
 * no O(n) path), and at `articles` alone: a page about 500 deep by cursor, a filtered list, a
 * search. All with the response cache off: these are the queries' costs.
 */
async function scaleCheck(articles: number) {
  const measureAt = async (count: number, deep: boolean) => {
    const database = benchDatabase('bench/data', count);
    // Without the response cache: at 1,000 articles every read would be a hit, at 100,000
    // most would not, and the ratio would measure the cache instead of the queries.
    const { ours, stop } = await servers(database, `scale-${count}`, '0');
    const slug = randomSlug(database);
    try {
      const results: Record<string, Result> = {
        get: await measure({ name: 'get', base: ours, path: () => `/v1/articles/${slug()}` }),
        list: await measure({ name: 'list', base: ours, path: () => '/v1/articles?perPage=20' }),
      };
      if (deep) {
        // Walk 499 pages by cursor (as a client would) to reach page 500.
        let cursor = '';
        for (let page = 1; page < 500; page++) {
          const response = await fetch(
            `${ours}/v1/articles?perPage=20&fields=id${cursor ? `&cursor=${cursor}` : ''}`,
          );
          cursor = ((await response.json()) as { meta: { nextCursor: string } }).meta.nextCursor;
        }
        results['page 500 by cursor'] = await measure({
          name: 'page 500 by cursor',
          base: ours,
          path: () => `/v1/articles?perPage=20&cursor=${cursor}`,
        });
        results['filtered list'] = await measure({
          name: 'filtered list',
          base: ours,
          path: () => '/v1/articles?section=section-7&tag=tag-42&publishedAfter=2026-01-01',
        });
        results['search, 10 connections'] = await measure({
          name: 'search, 10 connections',
          base: ours,
          connections: 10,
          path: () => `/v1/search?q=${encodeURIComponent(typicalQuery())}`,
        });
      }
      return results;
    } finally {
      await stop();
    }
  };
  const small = await measureAt(1000, false);
  const large = await measureAt(articles, true);
  const ratio = (name: string, key: 'p50' | 'p99') =>
    Number(((large[name]?.[key] ?? 0) / Math.max(1, small[name]?.[key] ?? 1)).toFixed(2));
  return {
    articles,
    latencyRatio: {
      getP50: ratio('get', 'p50'),
      getP99: ratio('get', 'p99'),
      listP50: ratio('list', 'p50'),
      listP99: ratio('list', 'p99'),
    },
    at1000: small,
    [`at${articles}`]: large,
  };
}

await main();
