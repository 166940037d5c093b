import { lt, sql } from 'drizzle-orm';
import type { Database } from '../../db/database.js';
import type { SharedCounters } from '../../http/rate-limit.js';

/** How long a window's row is kept after it started: far longer than any window. */
export const KEEP_MS = 86_400_000;

export interface RateLimitsRepository extends SharedCounters {
  /** Forgets windows that ended long ago (maintenance calls it); how many. */
  expire(nowMs: number): Promise<number>;
}

/**
 * Fixed-window counters in the database, for limits that must hold however many processes
 * serve (comment submissions: each process counting on its own would multiply the allowance).
 */
export function createRateLimitsRepository(db: Database): RateLimitsRepository {
  const { rateLimits } = db.tables;
  return {
    async hit(key, windowMs, nowMs) {
      // One statement counts the hit, starting a new window once the last one has ended. SET
      // expressions all read the row as it was, so both columns see the same old window.
      const ended = sql`${rateLimits.windowStarted} + ${windowMs} <= excluded.window_started`;
      const [row] = await db.writeAlone((query) =>
        query
          .insert(rateLimits)
          .values({ key, windowStarted: nowMs, hits: 1 })
          .onConflictDoUpdate({
            target: rateLimits.key,
            set: {
              hits: sql`case when ${ended} then 1 else ${rateLimits.hits} + 1 end`,
              windowStarted: sql`case when ${ended} then excluded.window_started else ${rateLimits.windowStarted} end`,
            },
          })
          .returning({ hits: rateLimits.hits, windowStarted: rateLimits.windowStarted }),
      );
      if (!row) throw new Error('rate limit counter not written');
      return { hits: row.hits, resetInMs: Math.max(0, row.windowStarted + windowMs - nowMs) };
    },

    async expire(nowMs) {
      const gone = await db.writeAlone((query) =>
        query
          .delete(rateLimits)
          .where(lt(rateLimits.windowStarted, nowMs - KEEP_MS))
          .returning({ key: rateLimits.key }),
      );
      return gone.length;
    },
  };
}
