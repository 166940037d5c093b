/** The servers a benchmark run measures, each started on core 0 (wrk has core 1). */
import { type ChildProcess, spawn } from 'node:child_process';
import { copyFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import type { BenchDatabase } from './generate.js';
import { postgresCopy } from './postgres.js';

export const freePort = () =>
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
  for (let i = 0; i < 300; i++) {
    try {
      if ((await fetch(probe)).ok) return child;
    } catch {
      // not up yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  child.kill('SIGKILL');
  throw new Error(`server did not start: ${command.join(' ')}`);
}

async function stopped(child: ChildProcess) {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

export interface Running {
  base: string;
  stop: () => Promise<void>;
}

/** Fastify's hello world: the ceiling of this machine and of the load generator. */
export async function helloWorld(): Promise<Running> {
  const port = await freePort();
  const child = await start(
    ['node', '--import', 'tsx', 'bench/hello-world.ts', String(port)],
    {},
    `http://127.0.0.1:${port}/`,
  );
  return { base: `http://127.0.0.1:${port}`, stop: () => stopped(child) };
}

/** The bare reference: Fastify on better-sqlite3 prepared statements, on a copy of the file. */
export async function reference(database: BenchDatabase): Promise<Running> {
  const copy = 'bench/data/run-reference.db';
  copyFileSync(database.file, copy);
  const port = await freePort();
  const child = await start(
    ['node', '--import', 'tsx', 'bench/reference-server.ts', copy, String(port)],
    {},
    `http://127.0.0.1:${port}/articles/${database.slugs[0]}`,
  );
  return {
    base: `http://127.0.0.1:${port}`,
    stop: async () => {
      await stopped(child);
      for (const suffix of ['', '-wal', '-shm']) rmSync(`${copy}${suffix}`, { force: true });
    },
  };
}

export interface Broadsheet extends Running {
  /** Its admin key: on PostgreSQL, one made there. */
  key: string;
}

/**
 * Broadsheet (node dist/server.js) on a private copy of the database, SQLite or the PostgreSQL
 * server at `postgresUrl`: writes must not leak into the next run.
 */
export async function broadsheet(
  database: BenchDatabase,
  label: string,
  options: { cacheBytes: number; postgresUrl?: string },
): Promise<Broadsheet> {
  const copy = `bench/data/run-${label}.db`;
  copyFileSync(database.file, copy);
  const onPostgres = options.postgresUrl
    ? await postgresCopy(options.postgresUrl, database, label)
    : undefined;
  const port = await freePort();
  const child = await start(
    ['node', 'dist/server.js'],
    {
      DATABASE_URL: onPostgres?.url ?? `file:${copy}`,
      PORT: String(port),
      LOG_LEVEL: 'warn',
      RATE_LIMIT_MAX: '100000000',
      KEYED_RATE_LIMIT_MAX: '100000000',
      COMMENT_RATE_LIMIT_MAX: '100000000',
      // Measure latency under load rather than load shedding (tested on its own).
      OVERLOAD_MAX_EVENT_LOOP_DELAY_MS: '0',
      RESPONSE_CACHE_BYTES: String(options.cacheBytes),
      MEDIA_CACHE_DIR: `${copy}-media`,
    },
    `http://127.0.0.1:${port}/ready`,
  );
  return {
    base: `http://127.0.0.1:${port}`,
    key: onPostgres?.database.key ?? database.key,
    stop: async () => {
      await stopped(child);
      for (const suffix of ['', '-wal', '-shm', '-media'])
        rmSync(`${copy}${suffix}`, { recursive: true, force: true });
      await onPostgres?.drop();
    },
  };
}
