import { lt, sql } from 'drizzle-orm';
import type { Db } from '../../db/index.js';
import { rateLimits } from '../../db/schema.js';

/** How long a window's row is kept after it started: far longer than any window. */
export const KEEP_MS = 86_400_000;

/**
 * Fixed-window counters in the database, for limits that must hold however many processes
 * serve (comment submissions: each process counting on its own would multiply the allowance).
 */
export function createRateLimitsRepository(db: Db) {
  // One statement counts the hit, starting a new window once the last one has ended. SET
  // expressions all read the row as it was, so both columns see the same old window.
  const ended = sql`${rateLimits.windowStarted} + ${sql.placeholder('window')} <= excluded.window_started`;
  const hit = db
    .insert(rateLimits)
    .values({
      key: sql.placeholder('key') as unknown as string,
      windowStarted: sql.placeholder('now') as unknown as number,
      hits: 1,
    })
    .onConflictDoUpdate({
      target: rateLimits.key,
      set: {
        hits: sql`case when ${ended} then 1 else ${rateLimits.hits} + 1 end`,
        windowStarted: sql`case when ${ended} then excluded.window_started else ${rateLimits.windowStarted} end`,
      },
    })
    .returning({ hits: rateLimits.hits, windowStarted: rateLimits.windowStarted })
    .prepare();
  return {
    /** Counts a hit on `key` at `nowMs`: the hits in its window so far, and the ms until it ends. */
    hit(key: string, windowMs: number, nowMs: number): { hits: number; resetInMs: number } {
      const row = hit.get({ key, now: nowMs, window: windowMs });
      if (!row) throw new Error('rate limit counter not written');
      return { hits: row.hits, resetInMs: Math.max(0, row.windowStarted + windowMs - nowMs) };
    },

    /** Forgets windows that ended long ago (the dispatcher's maintenance calls it). */
    expire(nowMs: number): number {
      return db
        .delete(rateLimits)
        .where(lt(rateLimits.windowStarted, nowMs - KEEP_MS))
        .run().changes;
    },
  };
}

export type RateLimitsRepository = ReturnType<typeof createRateLimitsRepository>;
