import { randomBytes } from 'node:crypto';
import { and, asc, desc, eq, gt, inArray, lte, type SQL, sql } from 'drizzle-orm';
import type { Database, Query } from '../../db/database.js';
import { persistentSetting } from '../../db/settings.js';
import { type ContentState, stateOf } from '../../lib/content-state.js';
import { publishedBy } from '../articles/visibility.js';

export type { ContentState };

/**
 * What every cached representation depends on. Two generations: keyed callers' validators
 * follow every write, the public's only writes it can see, so editing a draft, a pending
 * comment or a key never changes what a public cache holds.
 */
export interface ContentStateRepository {
  read(now: string): Promise<ContentState>;
  /**
   * Marks a change the public can see, and moves the version of each cache key it changes
   * (see `cacheKeys`); call inside the writing transaction.
   */
  touchPublic(at: string, keys: Iterable<string>): Promise<void>;
  /**
   * The current version of each key (0 for a key never written), in the order asked. With the
   * public generation the caller read, the answer is remembered until that generation moves.
   */
  versionsOf(keys: readonly string[], publicGeneration?: number): Promise<number[]>;
  /** When a public write last moved any of these keys: the Last-Modified of what names them. */
  changedAtOf(keys: readonly string[], publicGeneration?: number): Promise<string>;
  /** The key validators are signed with, so they reveal nothing about the counters behind them. */
  validatorSecret: string;
}

/**
 * The latest instant reached at which time alone changed what the public sees: an article's
 * publication or its expiry. It changes only with a write (any write: scheduling one is not
 * public) or when the next such instant passes, so it is asked again only then: a read costs
 * nothing. What was found holds for every instant from it up to the next, so requests
 * answered out of order (as awaits interleave them) agree on it, and what the public sees at
 * it is what it sees now.
 */
function createLatestPublication(db: Database) {
  const { articles } = db.tables;
  const published = eq(articles.status, 'published');
  const instants = (on: Query, now: string | ReturnType<typeof sql.placeholder>) => {
    const at = now as unknown as string;
    const edge = (
      column: typeof articles.publishedAt | typeof articles.expiresAt,
      where: SQL | undefined,
      newest: boolean,
    ) =>
      on
        .select({ at: column })
        .from(articles)
        .where(where)
        .orderBy(newest ? desc(column) : asc(column))
        .limit(1);
    return [
      // Newest first down the (status, published_at) index: one step, however many articles...
      edge(articles.publishedAt, publishedBy(now, articles), true),
      // ...the latest expiry reached, down (status, expires_at)...
      edge(articles.expiresAt, and(published, lte(articles.expiresAt, at)), true),
      // ...and the next of each: until then, the latest cannot move.
      edge(articles.publishedAt, and(published, gt(articles.publishedAt, at)), false),
      edge(articles.expiresAt, and(published, gt(articles.expiresAt, at)), false),
    ] as const;
  };
  const prepared = instants(db.readers, sql.placeholder('now')).map((query, index) =>
    query.prepare(`visibility_instant_${index}`),
  );
  const find = async (at: string) => {
    const rows = await Promise.all(
      db.inWrite() ? instants(db.query(), at) : prepared.map((query) => query.execute({ now: at })),
    );
    const [latestPublished, latestExpired, nextPublished, nextExpired] = rows.map(
      (found) => (found as { at: string | null }[])[0]?.at ?? null,
    );
    const latest = [latestPublished ?? '', latestExpired ?? ''].sort().at(-1) ?? '';
    const next = [nextPublished, nextExpired].filter((instant): instant is string => instant !== null).sort();
    return { latest, until: next[0] ?? null };
  };
  let publication: { generation: number; latest: string; until: string | null } | undefined;
  return async (generation: number, at: string) => {
    const known = publication;
    if (
      known &&
      known.generation === generation &&
      at >= known.latest &&
      (known.until === null || at < known.until)
    )
      return known.latest;
    const found = { generation, ...(await find(at)) };
    publication = found;
    return found.latest;
  };
}

/**
 * Answers about keys, remembered for one public generation: keys move only with it, so what was
 * read at (or after) it holds until it moves. Reads of cold responses then cost no query for
 * their keys while nothing public is written.
 */
function createGenerationMemo<T>(limit = 5000) {
  let generation: number | undefined;
  const answers = new Map<string, T>();
  return async (at: number | undefined, keys: readonly string[], ask: () => Promise<T>): Promise<T> => {
    if (at === undefined) return ask();
    const key = keys.join(' ');
    if (generation === at) {
      const known = answers.get(key);
      if (known !== undefined) return known;
    }
    // Asked after the caller read its generation: never older than it.
    const answer = await ask();
    if (generation !== at) {
      if (generation !== undefined && at < generation) return answer;
      generation = at;
      answers.clear();
    }
    if (answers.size < limit) answers.set(key, answer);
    return answer;
  };
}

export async function createContentStateRepository(db: Database): Promise<ContentStateRepository> {
  const { contentState, cacheKeyVersions } = db.tables;
  const validatorSecret = await persistentSetting(db, 'validator_secret', () =>
    randomBytes(32).toString('hex'),
  );
  // Keys not moved since they were first tracked changed no later than this (migration 0018).
  const keyTimesSince = await persistentSetting(db, 'key_times_since', () => '');
  const latestPublishedAt = createLatestPublication(db);
  // Every request reads it: prepared for the readers, but inside a write it must see the write.
  const stateRead = db.readers
    .select()
    .from(contentState)
    .where(eq(contentState.id, 1))
    .prepare('content_state');
  // Every cached response asks both, for any number of keys: prepared for the readers (the keys
  // travel as one parameter), built anew only inside a write, which must see its own changes.
  const versions = (on: Query, keys: SQL) =>
    on
      .select({ key: cacheKeyVersions.key, version: cacheKeyVersions.version })
      .from(cacheKeyVersions)
      .where(keys);
  const lastMoved = (on: Query, keys: SQL) =>
    on
      .select({ at: sql<string | null>`max(${cacheKeyVersions.changedAt})` })
      .from(cacheKeyVersions)
      .where(keys);
  const listed = db.dialect.inList(cacheKeyVersions.key, sql.placeholder('keys'));
  const versionsPrepared = versions(db.readers, listed).prepare('cache_key_versions');
  const lastMovedPrepared = lastMoved(db.readers, listed).prepare('cache_keys_changed_at');
  const knownVersions = createGenerationMemo<number[]>();
  const knownMoves = createGenerationMemo<string>();
  const versionsIn = (keys: readonly string[], rows: { key: string; version: number }[]) => {
    const found = new Map(rows.map((row) => [row.key, row.version]));
    return keys.map((key) => found.get(key) ?? 0);
  };
  const latestMove = ([row]: { at: string | null }[]) => {
    const moved = row?.at ?? '';
    // biome-ignore lint/complexity/useMathMinMax: ISO instants, compared as text
    return moved > keyTimesSince ? moved : keyTimesSince;
  };
  // The row as last read outside a write, and the data version it was read at (SQLite).
  type StateRow = Awaited<ReturnType<typeof stateRead.execute>>[number];
  let lastRead: { version: number; row: StateRow | undefined } | undefined;
  // Elsewhere (PostgreSQL), requests that arrive while a read is on its way share it, unless
  // this process finished a write since it was sent: one round trip serves a burst of hits.
  let shared: { writes: number; row: Promise<StateRow | undefined> } | undefined;
  const committedRow = async () => {
    const version = db.dataVersion?.();
    if (version !== undefined) {
      if (lastRead?.version === version) return lastRead.row;
      const [row] = await stateRead.execute();
      lastRead = { version, row };
      return row;
    }
    const writes = db.committedWrites();
    if (shared?.writes === writes) return shared.row;
    const entry = { writes, row: stateRead.execute().then(([row]) => row) };
    shared = entry;
    const done = () => {
      if (shared === entry) shared = undefined;
    };
    entry.row.then(done, done);
    return entry.row;
  };
  return {
    async read(now) {
      const row = db.inWrite()
        ? (await db.query().select().from(contentState).where(eq(contentState.id, 1)))[0]
        : await committedRow();
      return stateOf(row, await latestPublishedAt(row?.generation ?? 0, now));
    },
    async touchPublic(at, keys) {
      const query = db.query();
      await query
        .update(contentState)
        .set({ publicGeneration: sql`${contentState.publicGeneration} + 1`, publicChangedAt: at })
        .where(eq(contentState.id, 1));
      // One statement for every key (a write moves up to a dozen), in a fixed order.
      const moved = [...new Set(keys)].sort();
      if (moved.length === 0) return;
      await query
        .insert(cacheKeyVersions)
        .values(moved.map((key) => ({ key, version: 1, changedAt: at })))
        .onConflictDoUpdate({
          target: cacheKeyVersions.key,
          set: { version: sql`${cacheKeyVersions.version} + 1`, changedAt: at },
        });
    },
    async changedAtOf(keys, publicGeneration) {
      if (keys.length === 0) return keyTimesSince;
      if (db.inWrite())
        return latestMove(await lastMoved(db.query(), inArray(cacheKeyVersions.key, [...keys])));
      return knownMoves(publicGeneration, keys, async () =>
        latestMove(await lastMovedPrepared.execute({ keys: db.dialect.listValue(keys) })),
      );
    },
    async versionsOf(keys, publicGeneration) {
      if (keys.length === 0) return [];
      if (db.inWrite())
        return versionsIn(keys, await versions(db.query(), inArray(cacheKeyVersions.key, [...keys])));
      return knownVersions(publicGeneration, keys, async () =>
        versionsIn(keys, await versionsPrepared.execute({ keys: db.dialect.listValue(keys) })),
      );
    },
    validatorSecret,
  };
}
