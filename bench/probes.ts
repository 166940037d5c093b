/** The benchmark's probes that are not a steady load: revalidation, search attacks, single flight. */
import type { BenchDatabase } from './generate.js';

const pick = <T>(items: readonly T[]) => items[Math.floor(Math.random() * items.length)] as T;

/**
 * A CDN revalidating popular articles while the newsroom works: 20 clients read with the ETag
 * last seen for each URL (shared, as at a CDN), while every second one article is edited (half
 * the time a popular one: editors work on what is current) and one public comment is posted.
 * Returns the share of conditional reads answered 304.
 */
export async function revalidationReplay(
  base: string,
  key: string,
  database: BenchDatabase,
  seconds: number,
) {
  const hot = database.slugs.slice(0, 100);
  const popular = () => (Math.random() < 0.9 ? pick(hot) : pick(database.slugs));
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
    const edit = await fetch(
      `${base}/v1/articles/${Math.random() < 0.5 ? popular() : pick(database.slugs)}`,
      {
        method: 'PATCH',
        headers: { ...json, authorization: `Bearer ${key}` },
        body: JSON.stringify({ subtitle: `Updated ${counts.writes}` }),
      },
    );
    const comment = await fetch(`${base}/v1/articles/${pick(database.slugs)}/comments`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({
        authorName: 'Reader',
        authorEmail: 'reader@example.org',
        body: `Replay ${counts.writes}`,
      }),
    });
    if (edit.ok && comment.ok) counts.writes++;
    else {
      counts.failed++;
      process.stderr.write(`replay write failed: edit ${edit.status}, comment ${comment.status}\n`);
    }
  };
  // Writes still in flight when the readers stop are waited for: the server stops next.
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
 * Each attack query alone, on a server with the response cache off, while /health is asked
 * every 10 ms: how long the search takes, and the longest any /health waited meanwhile.
 */
export async function searchAttacks(base: string) {
  const rows: { query: string; status: number; ms: number; healthWorstMs: number }[] = [];
  for (const query of ATTACK_QUERIES) {
    let searching = true;
    let healthWorstMs = 0;
    const probe = (async () => {
      while (searching) {
        const started = performance.now();
        await fetch(`${base}/health`);
        healthWorstMs = Math.max(healthWorstMs, performance.now() - started);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    })();
    const started = performance.now();
    const response = await fetch(`${base}/v1/search?q=${encodeURIComponent(query)}`);
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
}

/**
 * 50 readers ask the same search nobody asked before, at once (a link shared on the front page):
 * how many are answered within `windowSeconds`, and when the last one was.
 */
export async function singleFlight(base: string, query: string, windowSeconds: number) {
  const started = performance.now();
  const answers = await Promise.all(
    Array.from({ length: 50 }, async () => {
      try {
        const response = await fetch(`${base}/v1/search?q=${encodeURIComponent(query)}`, {
          signal: AbortSignal.timeout(windowSeconds * 1000),
        });
        await response.arrayBuffer();
        return response.ok ? performance.now() - started : undefined;
      } catch {
        return undefined;
      }
    }),
  );
  const answered = answers.filter((ms) => ms !== undefined);
  return { asked: 50, answered: answered.length, lastMs: Math.round(Math.max(0, ...answered)) };
}

/** Asks each path once (eight at a time), so the measured load finds them in the response cache. */
export async function prime(base: string, paths: readonly string[]) {
  const queue = [...paths];
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      for (let path = queue.pop(); path !== undefined; path = queue.pop())
        await (await fetch(`${base}${path}`)).arrayBuffer();
    }),
  );
}
