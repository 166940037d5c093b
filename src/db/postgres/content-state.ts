import { randomBytes } from 'node:crypto';
import { and, asc, desc, eq, gt, inArray, sql } from 'drizzle-orm';
import type { Asynchronous } from '../asynchronous.js';
import { type ContentState, type ContentStateRepository, stateOf } from '../content-state.js';
import type { PgDb } from './index.js';
import { articles, cacheKeyVersions, contentState } from './schema.js';
import { persistentSetting } from './settings.js';
import { executor, inTransaction, type PgExecutor } from './transaction.js';

/**
 * Marks a change the public can see and moves the version of each cache key it changes; call
 * inside the writing transaction (as ../content-state.ts does on SQLite).
 */
export async function touchPublic(db: PgExecutor, at: string, keys: Iterable<string>): Promise<void> {
  await db
    .update(contentState)
    .set({ publicGeneration: sql`${contentState.publicGeneration} + 1`, publicChangedAt: at })
    .where(eq(contentState.id, 1));
  for (const key of new Set(keys)) {
    await db
      .insert(cacheKeyVersions)
      .values({ key, version: 1, changedAt: at })
      .onConflictDoUpdate({
        target: cacheKeyVersions.key,
        set: { version: sql`${cacheKeyVersions.version} + 1`, changedAt: at },
      });
  }
}

/** PostgreSQL's content state: the same generations and key versions, shared by every node. */
export async function createPostgresContentState(db: PgDb): Promise<Asynchronous<ContentStateRepository>> {
  const validatorSecret = await persistentSetting(db, 'validator_secret', () =>
    randomBytes(32).toString('hex'),
  );
  const keyTimesSince = await persistentSetting(db, 'key_times_since', () => '');
  // As on SQLite: the latest publication reached is asked again only after a write or when the
  // next scheduled instant passes.
  let publication: { generation: number; at: string; latest: string; until: string | null } | undefined;
  const latestPublishedAt = async (generation: number, now: string) => {
    if (
      !publication ||
      publication.generation !== generation ||
      now < publication.at ||
      (publication.until !== null && now >= publication.until)
    ) {
      const published = and(eq(articles.status, 'published'), sql`${articles.publishedAt} <= ${now}`);
      const [latest] = await executor(db)
        .select({ at: articles.publishedAt })
        .from(articles)
        .where(published)
        .orderBy(desc(articles.publishedAt))
        .limit(1);
      const [next] = await executor(db)
        .select({ at: articles.publishedAt })
        .from(articles)
        .where(and(eq(articles.status, 'published'), gt(articles.publishedAt, now)))
        .orderBy(asc(articles.publishedAt))
        .limit(1);
      publication = { generation, at: now, latest: latest?.at ?? '', until: next?.at ?? null };
    }
    return publication.latest;
  };
  const stateRead = db.select().from(contentState).where(eq(contentState.id, 1)).prepare('content_state');
  return {
    async read(now: string): Promise<ContentState> {
      // Every request reads it: prepared on the pool, but inside a write it must see the write.
      const [row] = inTransaction()
        ? await executor(db).select().from(contentState).where(eq(contentState.id, 1))
        : await stateRead.execute();
      return stateOf(row, await latestPublishedAt(row?.generation ?? 0, now));
    },
    touchPublic: (at, keys) => touchPublic(executor(db), at, keys),
    async changedAtOf(keys) {
      if (keys.length === 0) return keyTimesSince;
      const [row] = await executor(db)
        .select({ at: sql<string | null>`max(${cacheKeyVersions.changedAt})` })
        .from(cacheKeyVersions)
        .where(inArray(cacheKeyVersions.key, [...keys]));
      const moved = row?.at ?? '';
      return moved > keyTimesSince ? moved : keyTimesSince;
    },
    async versionsOf(keys) {
      if (keys.length === 0) return [];
      const rows = await executor(db)
        .select({ key: cacheKeyVersions.key, version: cacheKeyVersions.version })
        .from(cacheKeyVersions)
        .where(inArray(cacheKeyVersions.key, [...keys]));
      const found = new Map(rows.map((row) => [row.key, row.version]));
      return keys.map((key) => found.get(key) ?? 0);
    },
    validatorSecret,
  };
}
