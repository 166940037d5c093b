import { eq, sql } from 'drizzle-orm';
import type { PgDb } from './index.js';
import { cacheKeyVersions, contentState } from './schema.js';

/**
 * PostgreSQL's `touchPublic` (see ../content-state.ts): marks a change the public can see and
 * moves the version of each cache key it changes; call inside the writing transaction.
 */
export async function touchPublic(db: PgDb, at: string, keys: Iterable<string>): Promise<void> {
  await db
    .update(contentState)
    .set({ publicGeneration: sql`${contentState.publicGeneration} + 1`, publicChangedAt: at })
    .where(eq(contentState.id, 1));
  for (const key of new Set(keys)) {
    await db
      .insert(cacheKeyVersions)
      .values({ key, version: 1 })
      .onConflictDoUpdate({
        target: cacheKeyVersions.key,
        set: { version: sql`${cacheKeyVersions.version} + 1` },
      });
  }
}
