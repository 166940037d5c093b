import { lt, sql } from 'drizzle-orm';
import type { Asynchronous } from '../../db/asynchronous.js';
import type { PgDb } from '../../db/postgres/index.js';
import { rateLimits } from '../../db/postgres/schema.js';
import { executor } from '../../db/postgres/transaction.js';
import { KEEP_MS, type RateLimitsRepository } from './repository.js';

/** Shared rate-limit windows on PostgreSQL (see ./repository.ts): one upsert per hit. */
export function createPostgresRateLimitsRepository(db: PgDb): Asynchronous<RateLimitsRepository> {
  return {
    async hit(key, windowMs, nowMs) {
      const ended = sql`${rateLimits.windowStarted} + ${windowMs} <= excluded.window_started`;
      const [row] = await executor(db)
        .insert(rateLimits)
        .values({ key, windowStarted: nowMs, hits: 1 })
        .onConflictDoUpdate({
          target: rateLimits.key,
          set: {
            hits: sql`case when ${ended} then 1 else ${rateLimits.hits} + 1 end`,
            windowStarted: sql`case when ${ended} then excluded.window_started else ${rateLimits.windowStarted} end`,
          },
        })
        .returning({ hits: rateLimits.hits, windowStarted: rateLimits.windowStarted });
      if (!row) throw new Error('rate limit counter not written');
      return { hits: row.hits, resetInMs: Math.max(0, row.windowStarted + windowMs - nowMs) };
    },

    async expire(nowMs) {
      const gone = await executor(db)
        .delete(rateLimits)
        .where(lt(rateLimits.windowStarted, nowMs - KEEP_MS))
        .returning({ key: rateLimits.key });
      return gone.length;
    },
  };
}
