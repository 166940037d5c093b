import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Test } from 'tap';
import { freshPostgresDatabase, postgresUrl } from './postgres.js';

/**
 * A DATABASE_URL for server processes to share, as the nodes of one deployment do: a SQLite
 * file, or with TEST_DATABASE_URL a fresh PostgreSQL database. Removed once they have stopped.
 */
export async function sharedDatabaseUrl(t: Test): Promise<string> {
  if (postgresUrl) return freshPostgresDatabase(t);
  const dir = mkdtempSync(join(tmpdir(), 'broadsheet-processes-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return `file:${join(dir, 'shared.db')}`;
}

export interface RunningServer {
  child: ChildProcess;
  baseUrl: string;
  output: () => string;
}

const freePort = () =>
  new Promise<number>((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

/**
 * Starts the real server (src/server.ts through tsx) on a free port and waits until /ready
 * answers. The process is killed when the test ends, whatever happened to the test.
 */
export async function startServer(t: Test, env: Record<string, string>): Promise<RunningServer> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    // Load shedding is tested in-process (test/http/hardening.test.ts); a real server started
    // for another purpose on a loaded CI machine must not answer 503 to the test.
    env: {
      ...process.env,
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      OVERLOAD_MAX_EVENT_LOOP_DELAY_MS: '0',
      ...env,
      PORT: String(port),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  t.teardown(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  let output = '';
  child.stdout?.on('data', (chunk) => {
    output += chunk;
  });
  child.stderr?.on('data', (chunk) => {
    output += chunk;
  });
  let exited = false;
  child.on('exit', () => {
    exited = true;
  });
  const baseUrl = `http://127.0.0.1:${port}`;
  for (const started = Date.now(); Date.now() - started < 30_000; ) {
    if (exited) throw new Error(`server exited:\n${output}`);
    try {
      if ((await fetch(`${baseUrl}/ready`)).ok) return { child, baseUrl, output: () => output };
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  child.kill('SIGKILL');
  throw new Error(`server did not start:\n${output}`);
}

/** Sends a signal and resolves with the exit code (null when killed by the signal). */
export function stopServer(
  running: RunningServer,
  signal: NodeJS.Signals = 'SIGTERM',
): Promise<number | null> {
  return new Promise((resolve) => {
    if (running.child.exitCode !== null || running.child.signalCode !== null)
      return resolve(running.child.exitCode);
    running.child.once('exit', (code) => resolve(code));
    running.child.kill(signal);
  });
}
