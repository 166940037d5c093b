import { randomBytes } from 'node:crypto';
import { and, asc, desc, eq, gt, sql } from 'drizzle-orm';
import { publishedBy } from '../modules/articles/visibility.js';
import type { Db } from './index.js';
import { articles, cacheKeyVersions, contentState } from './schema.js';
import { persistentSetting } from './settings.js';

export interface ContentState {
  /** Moves on every write to content or keys (triggers, see migrations 0004 and 0009). */
  generation: number;
  changedAt: string;
  /** Moves only on writes the public can see (touchPublic, called by the repositories). */
  publicGeneration: number;
  publicChangedAt: string;
  /** The latest publishedAt already reached: moves when a scheduled article goes live. */
  latestPublishedAt: string;
}

/**
 * What every cached representation depends on. Two generations: keyed callers' validators
 * follow every write, the public's only writes it can see, so editing a draft, a pending
 * comment or a key never changes what a public cache holds.
 */
/** The content state from its row (none before the first write) and the latest publication reached. */
export function stateOf(
  row:
    | { generation: number; changedAt: string; publicGeneration: number; publicChangedAt: string }
    | undefined,
  latestPublishedAt: string,
): ContentState {
  const epoch = new Date(0).toISOString();
  return {
    generation: row?.generation ?? 0,
    changedAt: row?.changedAt ?? epoch,
    publicGeneration: row?.publicGeneration ?? 0,
    publicChangedAt: row?.publicChangedAt ?? epoch,
    latestPublishedAt,
  };
}

export function createContentStateRepository(db: Db) {
  const state = db.select().from(contentState).where(eq(contentState.id, 1)).prepare();
  // Newest first down the (status, published_at) index: one step, however many articles.
  const latest = db
    .select({ at: articles.publishedAt })
    .from(articles)
    .where(publishedBy(sql.placeholder('now')))
    .orderBy(desc(articles.publishedAt))
    .limit(1)
    .prepare();
  // ...and the next scheduled instant, up the same index: until then, the latest cannot move.
  const next = db
    .select({ at: articles.publishedAt })
    .from(articles)
    .where(
      and(
        eq(articles.status, 'published'),
        gt(articles.publishedAt, sql.placeholder('now') as unknown as string),
      ),
    )
    .orderBy(asc(articles.publishedAt))
    .limit(1)
    .prepare();
  /**
   * The latest publication reached changes only with a write (any write: scheduling one is
   * not public) or when the next scheduled instant passes, so it is asked again only then:
   * a read costs one row.
   */
  let publication: { generation: number; at: string; latest: string; until: string | null } | undefined;
  const latestPublishedAt = (generation: number, now: string) => {
    if (
      !publication ||
      publication.generation !== generation ||
      now < publication.at ||
      (publication.until !== null && now >= publication.until)
    ) {
      publication = {
        generation,
        at: now,
        latest: latest.get({ now })?.at ?? '',
        until: next.get({ now })?.at ?? null,
      };
    }
    return publication.latest;
  };
  const touch = db
    .update(contentState)
    .set({
      publicGeneration: sql`${contentState.publicGeneration} + 1`,
      publicChangedAt: sql.placeholder('at') as unknown as string,
    })
    .where(eq(contentState.id, 1))
    .prepare();
  const movedAt = sql.placeholder('at') as unknown as string;
  const bump = db
    .insert(cacheKeyVersions)
    .values({ key: sql.placeholder('key') as unknown as string, version: 1, changedAt: movedAt })
    .onConflictDoUpdate({
      target: cacheKeyVersions.key,
      set: { version: sql`${cacheKeyVersions.version} + 1`, changedAt: movedAt },
    })
    .prepare();
  const lastMoved = db
    .select({ at: sql<string | null>`max(${cacheKeyVersions.changedAt})` })
    .from(cacheKeyVersions)
    .where(sql`${cacheKeyVersions.key} in (select value from json_each(${sql.placeholder('keys')}))`)
    .prepare();
  // Keys not moved since they were first tracked changed no later than this (migration 0018).
  const keyTimesSince = persistentSetting(db, 'key_times_since', () => '');
  // One statement for any number of keys: they travel as one JSON array.
  const versions = db
    .select({ key: cacheKeyVersions.key, version: cacheKeyVersions.version })
    .from(cacheKeyVersions)
    .where(sql`${cacheKeyVersions.key} in (select value from json_each(${sql.placeholder('keys')}))`)
    .prepare();
  return {
    read(now: string): ContentState {
      const row = state.get();
      return stateOf(row, latestPublishedAt(row?.generation ?? 0, now));
    },

    /**
     * Marks a change the public can see, and moves the version of each cache key it changes
     * (see `cacheKeys`); call inside the writing transaction.
     */
    touchPublic(at: string, keys: Iterable<string>): void {
      touch.run({ at });
      for (const key of new Set(keys)) bump.run({ key, at });
    },

    /** The current version of each key (0 for a key never written), in the order asked. */
    versionsOf(keys: readonly string[]): number[] {
      const found = new Map(
        versions.all({ keys: JSON.stringify(keys) }).map((row) => [row.key, row.version]),
      );
      return keys.map((key) => found.get(key) ?? 0);
    },

    /** When a public write last moved any of these keys: the Last-Modified of what names them. */
    changedAtOf(keys: readonly string[]): string {
      const moved = lastMoved.get({ keys: JSON.stringify(keys) })?.at ?? '';
      return moved > keyTimesSince ? moved : keyTimesSince;
    },

    /** The key validators are signed with, so they reveal nothing about the counters behind them. */
    validatorSecret: persistentSetting(db, 'validator_secret', () => randomBytes(32).toString('hex')),
  };
}

export type ContentStateRepository = ReturnType<typeof createContentStateRepository>;
