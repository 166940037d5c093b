/**
 * Load from wrk (C, from Debian), pinned to core 1 while the server under test has core 0: a
 * generator that drives Fastify's hello world far past any server here, so ratios are not
 * compressed by the generator's own ceiling (autocannon, in Node, topped out near 4,000 req/s
 * against the reference and reported it as the reference's speed).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const script = fileURLToPath(new URL('./wrk/scenario.lua', import.meta.url));

export interface Load {
  /** Server root, e.g. http://127.0.0.1:3000 */
  base: string;
  /** Each request takes one of these at random. */
  paths: readonly string[];
  connections: number;
  seconds: number;
  method?: 'GET' | 'POST';
  /** JSON body; `{n}` becomes a number unique to the request. */
  body?: string;
  /** Sent as `Authorization: Bearer <key>`. */
  key?: string;
}

export interface Measured {
  requestsPerSecond: number;
  p50: number;
  p99: number;
  max: number;
  non2xx: number;
  socketErrors: number;
}

export function wrk(load: Load): Promise<Measured> {
  const directory = mkdtempSync(join(tmpdir(), 'bench-wrk-'));
  const pathsFile = join(directory, 'paths');
  const bodyFile = join(directory, 'body');
  writeFileSync(pathsFile, `${load.paths.join('\n')}\n`);
  if (load.body) writeFileSync(bodyFile, load.body);
  const args = [
    '-c',
    '1',
    'wrk',
    '-t1',
    `-c${load.connections}`,
    `-d${load.seconds}s`,
    '--timeout',
    '30s',
    '-s',
    script,
    load.base,
    '--',
    pathsFile,
    load.method ?? 'GET',
    load.body ? bodyFile : '',
    load.key ?? '',
  ];
  return new Promise((resolve, reject) => {
    execFile('taskset', args, { encoding: 'utf8' }, (error, stdout) => {
      rmSync(directory, { recursive: true, force: true });
      if (error) return reject(error);
      const line = stdout.trim().split('\n').at(-1) ?? '';
      const raw = JSON.parse(line) as {
        requests: number;
        durationUs: number;
        p50Us: number;
        p99Us: number;
        maxUs: number;
        non2xx: number;
        socketErrors: number;
      };
      const ms = (us: number) => Math.round(us / 100) / 10;
      resolve({
        // Only successful answers count: a fast 4xx or 5xx is no throughput.
        requestsPerSecond: Math.round(((raw.requests - raw.non2xx) * 1e6) / raw.durationUs),
        p50: ms(raw.p50Us),
        p99: ms(raw.p99Us),
        max: ms(raw.maxUs),
        non2xx: raw.non2xx,
        socketErrors: raw.socketErrors,
      });
    });
  });
}

/**
 * The same POST load through bench/closed-loop.ts (also on core 1), a client that serves its
 * connections in turn: beside wrk's p99 for writes, where wrk's uneven turns at saturation
 * inflate the tail (see that file).
 */
export function closedLoop(load: Load & { method: 'POST' }): Promise<Measured> {
  const client = fileURLToPath(new URL('./closed-loop.ts', import.meta.url));
  const args = [
    '-c',
    '1',
    'node',
    '--import',
    'tsx',
    client,
    load.base,
    load.paths[0] ?? '/',
    load.body ?? '{}',
  ];
  args.push(load.key ?? '', String(load.connections), String(load.seconds));
  return new Promise((resolve, reject) => {
    execFile('taskset', args, { encoding: 'utf8' }, (error, stdout) => {
      if (error) return reject(error);
      const measured = JSON.parse(stdout.trim().split('\n').at(-1) ?? '') as Omit<Measured, 'socketErrors'>;
      resolve({ ...measured, socketErrors: 0 });
    });
  });
}
