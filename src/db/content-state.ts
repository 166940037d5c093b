import { desc, eq, sql } from 'drizzle-orm';
import { publishedBy } from '../modules/articles/visibility.js';
import type { Db } from './index.js';
import { articles, contentState } from './schema.js';

export interface ContentState {
  /** Moves on every content write (triggers, see migration 0004). */
  generation: number;
  changedAt: string;
  /** The latest publishedAt already reached: moves when a scheduled article goes live. */
  latestPublishedAt: string;
}

/** Reads what every cached representation depends on: two prepared, indexed lookups. */
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
  return {
    read(now: string): ContentState {
      const row = state.get();
      return {
        generation: row?.generation ?? 0,
        changedAt: row?.changedAt ?? new Date(0).toISOString(),
        latestPublishedAt: latest.get({ now })?.at ?? '',
      };
    },
  };
}

export type ContentStateRepository = ReturnType<typeof createContentStateRepository>;
