/**
 * npm run bench [-- --articles 10000 --duration 10 --connections 50 --database postgres://… [--postgres-only] --scale 100000]
 *
 * One run measures, through the same load generator (wrk on core 1, every server on core 0):
 * Fastify's hello world (the ceiling of the machine and of wrk), the bare reference (Fastify on
 * better-sqlite3 prepared statements), and Broadsheet with the response cache on and off, on
 * SQLite and, with --database, on that PostgreSQL server too. Each result is printed as a share
 * of the reference and of hello world, and the targets of the speed issue are checked at the end.
 * `--scale N` also measures searches and deep pages at N articles.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { type BenchDatabase, benchDatabase } from './generate.js';
import { benchPhoto, firstGeneration, sharpAlone } from './media.js';
import { prime, revalidationReplay, searchAttacks, singleFlight } from './probes.js';
import { broadsheet, helloWorld, type Running, reference } from './servers.js';
import { checkTargets, type Row, table } from './targets.js';
import { closedLoop, type Load, type Measured, wrk } from './wrk.js';

const { values } = parseArgs({
  options: {
    articles: { type: 'string', default: '10000' },
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '50' },
    scale: { type: 'string' },
    // Bytes of the response cache in the "cache on" runs.
    cache: { type: 'string', default: '67108864' },
    // A PostgreSQL server: the same scenarios run there too, in the same run.
    database: { type: 'string' },
    // With --database: measure PostgreSQL only (hello world and the reference still run).
    'postgres-only': { type: 'boolean', default: false },
    // Rendition throughput (SQLite): first generation beside sharp alone, and cached.
    media: { type: 'boolean', default: false },
    'media-only': { type: 'boolean', default: false },
  },
});
const seconds = Number(values.duration);
const connections = Number(values.connections);
const rows: Row[] = [];

type Scenario = Omit<Load, 'seconds' | 'connections'> & { connections?: number };

/** Warms up (JIT, page caches), then measures. */
async function measured(load: Scenario) {
  const full = { connections, ...load };
  await wrk({ ...full, seconds: 2 });
  return { connections: full.connections, ...(await wrk({ ...full, seconds })) };
}

/**
 * The reference, kept running for the whole run: a scenario compared with it is measured in
 * turns with it (five slices each, alternating), so both see the same machine (this shared
 * machine's speed drifts by half within a minute, and a ratio of two runs minutes apart moved
 * with it).
 */
let referenceBase = '';
let referenceSlugs: string[] = [];
const referencePaths = (scenario: string) =>
  scenario.startsWith('article by slug')
    ? referenceSlugs.map((slug) => `/articles/${slug}`)
    : scenario.startsWith('list 20,')
      ? ['/articles']
      : undefined;
const SLICES = 5;

/** Slices of one load as one measurement: mean rate, median p50 and p99, worst max. */
function combined(slices: Measured[]): Measured {
  const median = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
  const sum = (values: number[]) => values.reduce((total, value) => total + value, 0);
  return {
    requestsPerSecond: Math.round(sum(slices.map((slice) => slice.requestsPerSecond)) / slices.length),
    p50: median(slices.map((slice) => slice.p50)),
    p99: median(slices.map((slice) => slice.p99)),
    max: Math.max(...slices.map((slice) => slice.max)),
    non2xx: sum(slices.map((slice) => slice.non2xx)),
    socketErrors: sum(slices.map((slice) => slice.socketErrors)),
  };
}

/** The scenario and the reference's, warmed up, then measured in alternating slices. */
async function inTurns(load: Scenario, reference: Scenario) {
  const mine = { connections, ...load };
  const theirs = { connections, ...reference };
  const sliceSeconds = Math.max(1, Math.round(seconds / SLICES));
  const mineSlices: Measured[] = [];
  const theirSlices: Measured[] = [];
  await wrk({ ...theirs, seconds: 2 });
  await wrk({ ...mine, seconds: 2 });
  for (let slice = 0; slice < SLICES; slice++) {
    theirSlices.push(await wrk({ ...theirs, seconds: sliceSeconds }));
    mineSlices.push(await wrk({ ...mine, seconds: sliceSeconds }));
  }
  return {
    result: { connections: mine.connections, ...combined(mineSlices) },
    reference: combined(theirSlices),
  };
}

/** Measures one scenario (in turns with the reference, where one compares); one row of the table. */
async function measure(store: string, scenario: string, load: Scenario) {
  const paths = referenceBase ? referencePaths(scenario) : undefined;
  const { result, reference } = paths
    ? await inTurns(load, { base: referenceBase, paths })
    : { result: await measured(load), reference: undefined };
  rows.push({ store, scenario, ...result, ...(reference ? { reference } : {}) });
  const beside = reference
    ? ` (the reference in turns with it: ${reference.requestsPerSecond} req/s, p99 ${reference.p99} ms)`
    : '';
  process.stderr.write(
    `${store}: ${scenario}: ${result.requestsPerSecond} req/s, p99 ${result.p99} ms${beside}\n`,
  );
  return result;
}

async function using<S extends Running, T>(server: Promise<S>, work: (running: S) => Promise<T>): Promise<T> {
  const running = await server;
  try {
    return await work(running);
  } finally {
    await running.stop();
  }
}

const createBody = JSON.stringify({
  title: 'Bench {n}',
  status: 'published',
  section: 'section-1',
  tags: ['tag-1', 'tag-2', 'Fresh {n}'],
  body: '## Hello\n\nA short body for the write benchmark.',
});
const commentBody = JSON.stringify({
  authorName: 'Bench',
  authorEmail: 'bench@example.org',
  body: 'Comment {n}',
});
const SEARCHES = ['security%20guarantees', 'Zelensky*', 'river', 'ceasefire%20OR%20diplomacy'];

/** Every scenario against Broadsheet on one store: cache on, then cache off. */
async function broadsheetOn(store: string, database: BenchDatabase, postgresUrl?: string) {
  // The hot set: 1,000 articles, which the response cache holds whole once primed.
  const articlePaths = database.slugs.slice(0, 1000).map((slug) => `/v1/articles/${slug}`);
  const filtered = Array.from(
    { length: 200 },
    (_, i) => `/v1/articles?section=section-${1 + (i % 50)}&tag=tag-${1 + ((i * 7) % 500)}`,
  );
  const extra: Record<string, unknown> = {};
  await using(
    broadsheet(database, `${store}-cached`, { cacheBytes: Number(values.cache), postgresUrl }),
    async (server) => {
      const { key } = server;
      extra.singleFlight = await singleFlight(server.base, `harbour railway ${store}`, 10);
      await prime(server.base, [...articlePaths, '/v1/articles?perPage=20']);
      await measure(store, 'article by slug, cache hit', { base: server.base, paths: articlePaths });
      await measure(store, 'list 20, cache hit', { base: server.base, paths: ['/v1/articles?perPage=20'] });
      await measure(store, 'list 20 in section with tag, cache on', { base: server.base, paths: filtered });
      await measure(store, 'search, cache on', {
        base: server.base,
        paths: SEARCHES.map((q) => `/v1/search?q=${q}`),
      });
      const creates = {
        base: server.base,
        paths: ['/v1/articles'],
        method: 'POST',
        body: createBody,
        key,
      } as const;
      await measure(store, 'create article', creates);
      const inTurn = await closedLoop({ ...creates, connections, seconds });
      rows.push({ store, scenario: 'create article, client serving in turn', connections, ...inTurn });
      process.stderr.write(
        `${store}: create article through a client serving in turn: ${inTurn.requestsPerSecond} req/s, p99 ${inTurn.p99} ms\n`,
      );
      await measure(store, 'post public comment', {
        base: server.base,
        paths: articlePaths.map((path) => `${path}/comments`),
        method: 'POST',
        body: commentBody,
      });
      extra.replay = await revalidationReplay(server.base, key, database, Math.max(10, seconds));
    },
  );
  await using(broadsheet(database, `${store}-uncached`, { cacheBytes: 0, postgresUrl }), async (server) => {
    await measure(store, 'article by slug, cache off', { base: server.base, paths: articlePaths });
    await measure(store, 'list 20, cache off', { base: server.base, paths: ['/v1/articles?perPage=20'] });
    await measure(store, 'search, cache off, 10 connections', {
      base: server.base,
      connections: 10,
      paths: TYPICAL_QUERIES.map((q) => `/v1/search?q=${encodeURIComponent(q)}`),
    });
    extra.attacks = await searchAttacks(server.base);
  });
  return extra;
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

/** At `articles`, cache off: a deep page by cursor, a filtered list, typical searches. */
async function atScale(articles: number, postgresUrl?: string) {
  const database = benchDatabase('bench/data', articles);
  const store = `${postgresUrl ? 'PostgreSQL' : 'SQLite'} at ${articles}`;
  await using(broadsheet(database, `scale-${articles}`, { cacheBytes: 0, postgresUrl }), async (server) => {
    let cursor = '';
    for (let page = 1; page < 500; page++) {
      const response = await fetch(
        `${server.base}/v1/articles?perPage=20&fields=id${cursor ? `&cursor=${cursor}` : ''}`,
      );
      cursor = ((await response.json()) as { meta: { nextCursor: string } }).meta.nextCursor;
    }
    const paths = database.slugs.map((slug) => `/v1/articles/${slug}`);
    await measure(store, 'article by slug, cache off', { base: server.base, paths });
    await measure(store, 'page 500 by cursor, cache off', {
      base: server.base,
      paths: [`/v1/articles?perPage=20&cursor=${cursor}`],
    });
    await measure(store, 'search, cache off, 10 connections', {
      base: server.base,
      connections: 10,
      paths: TYPICAL_QUERIES.map((q) => `/v1/search?q=${encodeURIComponent(q)}`),
    });
  });
}

async function main() {
  mkdirSync('bench/data', { recursive: true });
  mkdirSync('bench/results', { recursive: true });
  const database = benchDatabase('bench/data', Number(values.articles));
  await using(helloWorld(), (server) =>
    measure('', 'Fastify hello world', { base: server.base, paths: ['/'] }),
  );
  const referenceServer = await reference(database);
  referenceSlugs = database.slugs.slice(0, 1000);
  await measure('reference', 'article by slug', {
    base: referenceServer.base,
    paths: referenceSlugs.map((slug) => `/articles/${slug}`),
  });
  await measure('reference', 'list 20', { base: referenceServer.base, paths: ['/articles'] });
  referenceBase = referenceServer.base;
  try {
    await scenarios(database);
  } finally {
    await referenceServer.stop();
  }
}

async function scenarios(database: BenchDatabase) {
  const probes: Record<string, unknown> = {};
  if (values.media || values['media-only']) probes.media = await mediaRun(database);
  if (values['media-only']) return report(database, probes);
  if (!values['postgres-only']) probes.SQLite = await broadsheetOn('SQLite', database);
  if (values.database) probes.PostgreSQL = await broadsheetOn('PostgreSQL', database, values.database);
  if (values.scale) {
    await atScale(Number(values.scale));
    if (values.database) await atScale(Number(values.scale), values.database);
  }
  report(database, probes);
}

/** Renditions: made the first time through the server and by sharp alone; served from the cache. */
async function mediaRun(database: BenchDatabase) {
  const photo = await benchPhoto();
  return using(broadsheet(database, 'media', { cacheBytes: 0 }), async (server) => {
    const first = await firstGeneration(server, photo);
    const alone = await sharpAlone(photo, first.widths);
    await measure('SQLite', 'rendition w640.webp, cached on disk', {
      base: server.base,
      paths: [first.cachedPath],
    });
    return { firstGenerationMsByFormat: first.byFormat, sharpAloneMsByFormat: alone, widths: first.widths };
  });
}

function report(database: BenchDatabase, probes: Record<string, unknown>) {
  const targets = checkTargets(rows, probes);
  process.stdout.write(
    `\n${database.articles} articles (reads over 1,000 of them), ${connections} connections unless said, ${seconds} s per scenario; wrk on core 1, each server on core 0\n\n${table(rows)}\n\n${targets.text}\n`,
  );
  for (const [store, extra] of Object.entries(probes))
    process.stdout.write(`\n${store} probes: ${JSON.stringify(extra)}\n`);
  const result = {
    at: new Date().toISOString(),
    articles: database.articles,
    connections,
    seconds,
    rows,
    probes,
    targets: targets.checks,
  };
  const file = `bench/results/${result.at.replace(/[:.]/g, '-')}.json`;
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  process.stdout.write(`\nwritten to ${file}\n`);
}

await main();
