import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import t, { type Test } from 'tap';
import { eventually } from './helpers/eventually.js';
import { type RunningServer, startServer, stopServer } from './helpers/server.js';

const KEY = 'reliability-admin-key-0123456789abcdef';

// Three kill-and-restart rounds and two processes: minutes on a loaded 2-core machine.
t.setTimeout(600_000);
const headers = { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' };

function databaseIn(t: Test) {
  const dir = mkdtempSync(join(tmpdir(), 'broadsheet-reliability-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'broadsheet.db');
  return {
    file,
    env: {
      DATABASE_URL: `file:${file}`,
      BROADSHEET_ADMIN_KEY: KEY,
      LOG_LEVEL: 'warn',
      RATE_LIMIT_MAX: '1000000',
      // Drain completeness is under test, not its bound (test/server.test.ts).
      SHUTDOWN_DRAIN_MS: '60000',
    },
  };
}

interface Acknowledged {
  id: number;
  tags: string[];
}

/** Writes articles with three tags each, several at a time, until `stop()`; keeps what got a 2xx. */
function writer(server: RunningServer, prefix: string) {
  const acknowledged: Acknowledged[] = [];
  let running = true;
  let n = 0;
  const lane = async () => {
    while (running) {
      const i = n++;
      const tags = [`${prefix}-a-${i}`, `${prefix}-b-${i}`, 'shared'];
      try {
        const response = await fetch(`${server.baseUrl}/v1/articles`, {
          method: 'POST',
          headers,
          body: JSON.stringify({ title: `${prefix} ${i}`, status: 'published', tags, body: `Body ${i}` }),
        });
        if (response.ok) acknowledged.push({ id: ((await response.json()) as { id: number }).id, tags });
      } catch {
        return; // the server went away mid-request: that write may or may not have landed
      }
    }
  };
  const lanes = Array.from({ length: 8 }, lane);
  return {
    acknowledged,
    stop: async () => {
      running = false;
      await Promise.all(lanes);
    },
  };
}

const integrity = (file: string) => {
  const sqlite = new Database(file, { readonly: true });
  try {
    return sqlite.pragma('integrity_check', { simple: true });
  } finally {
    sqlite.close();
  }
};

t.test('SIGKILL mid-write loses no acknowledged write and leaves nothing half-written', async (t) => {
  const { file, env } = databaseIn(t);
  for (let round = 1; round <= 3; round++) {
    const server = await startServer(t, env);
    const load = writer(server, `round${round}`);
    // Killed mid-write once some writes are acknowledged (more each round), whatever the speed.
    await eventually(() => load.acknowledged.length >= 10 * round);
    await stopServer(server, 'SIGKILL');
    await load.stop();
    t.ok(
      load.acknowledged.length > 0,
      `round ${round}: ${load.acknowledged.length} writes acknowledged before the kill`,
    );

    const restarted = await startServer(t, env);
    for (const { id, tags } of load.acknowledged) {
      const response = await fetch(`${restarted.baseUrl}/v1/articles/${id}?fields=id,tags`, { headers });
      const article = (await response.json()) as { tags?: { name: string }[] };
      if (
        response.status !== 200 ||
        JSON.stringify(article.tags?.map((tag) => tag.name)) !== JSON.stringify(tags)
      ) {
        t.fail(`round ${round}: acknowledged article ${id} is missing or incomplete (${response.status})`);
      }
    }
    // Whatever landed, acknowledged or cut off in flight, landed whole: every article has its tags.
    const sqlite = new Database(file, { readonly: true });
    const untagged = sqlite
      .prepare(
        'select count(*) as n from articles a where not exists (select 1 from article_tags t where t.article_id = a.id)',
      )
      .get() as { n: number };
    const revisions = sqlite
      .prepare(
        'select count(*) as n from articles a where not exists (select 1 from article_revisions r where r.article_id = a.id)',
      )
      .get() as { n: number };
    sqlite.close();
    t.equal(untagged.n, 0, `round ${round}: no article without its tags`);
    t.equal(revisions.n, 0, `round ${round}: no article without its first revision`);
    t.equal(await stopServer(restarted), 0);
    t.equal(integrity(file), 'ok', `round ${round}: integrity_check`);
  }
});

t.test('two processes on one database file: mixed load, no 5xx, no SQLITE_BUSY', async (t) => {
  const { file, env } = databaseIn(t);
  const first = await startServer(t, env);
  const second = await startServer(t, env);
  const statuses = new Map<number, number>();
  const deadline = Date.now() + 3000;
  let i = 0;
  const lane = async (server: RunningServer, writes: boolean) => {
    while (Date.now() < deadline) {
      const n = i++;
      const response = writes
        ? await fetch(`${server.baseUrl}/v1/articles`, {
            method: 'POST',
            headers,
            body: JSON.stringify({
              title: `Concurrent ${n}`,
              status: 'published',
              tags: ['both', `t${n % 7}`],
            }),
          })
        : await fetch(`${server.baseUrl}/v1/articles?perPage=5&tag=both`);
      await response.arrayBuffer();
      statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
    }
  };
  await Promise.all(
    [first, second].flatMap((server) => [lane(server, true), lane(server, true), lane(server, false)]),
  );
  const summary = Object.fromEntries(statuses);
  t.notOk(
    [...statuses.keys()].some((status) => status >= 500),
    `statuses: ${JSON.stringify(summary)}`,
  );
  t.ok((statuses.get(201) ?? 0) > 10, 'both processes wrote');
  t.notMatch(first.output() + second.output(), /SQLITE_BUSY/);
  await Promise.all([stopServer(first), stopServer(second)]);
  t.equal(integrity(file), 'ok');
});

t.test('SIGTERM drains in-flight requests before exiting', async (t) => {
  const { env } = databaseIn(t);
  const server = await startServer(t, { ...env, LOG_LEVEL: 'info' });
  for (let n = 0; n < 30; n++) {
    await fetch(`${server.baseUrl}/v1/articles`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ title: `Long ${n}`, status: 'published', body: 'word '.repeat(3000) }),
    });
  }
  const url = '/v1/articles?perPage=100&include=body,bodyHtml';
  const inFlight = Array.from({ length: 20 }, () =>
    fetch(`${server.baseUrl}${url}`).then(async (response) => {
      const body = (await response.json()) as { data: unknown[] };
      return `${response.status} ${body.data.length}`;
    }),
  );
  // Signal once the server has taken every one of them in.
  const received = () => server.output().split(url).length - 1;
  await eventually(() => received() >= 20, { everyMs: 5 });
  const exit = stopServer(server, 'SIGTERM');
  const answers = await Promise.all(
    inFlight.map((request) => request.catch((error: Error) => error.message)),
  );
  t.same(
    answers,
    answers.map(() => '200 30'),
    'every request taken in was answered in full',
  );
  t.equal(await exit, 0, 'then the process exits cleanly');
});

t.test('npm run backup takes a consistent online copy while writes continue', async (t) => {
  const { file, env } = databaseIn(t);
  const server = await startServer(t, env);
  const load = writer(server, 'backup');
  await eventually(() => load.acknowledged.length >= 10);
  const copy = `${file}.backup`;
  const backup = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'backup', copy], {
    env: { ...process.env, ...env },
    encoding: 'utf8',
  });
  await load.stop();
  await stopServer(server);
  t.equal(backup.status, 0, backup.stderr);
  t.match(backup.stdout, /integrity ok/);
  t.equal(integrity(copy), 'ok');
  const sqlite = new Database(copy, { readonly: true });
  const counts = sqlite
    .prepare(
      'select (select count(*) from articles) as articles, (select count(*) from articles a where not exists (select 1 from article_tags t where t.article_id = a.id)) as untagged',
    )
    .get() as { articles: number; untagged: number };
  sqlite.close();
  t.ok(counts.articles > 0, `${counts.articles} articles in the copy`);
  t.equal(counts.untagged, 0, 'the copy holds whole transactions only');
});
