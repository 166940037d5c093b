import { and, eq, lte, max } from 'drizzle-orm';
import type { Db } from './index.js';
import { articles, contentState } from './schema.js';

export interface ContentState {
  /** Moves on every content write (triggers, see migration 0004). */
  generation: number;
  changedAt: string;
  /** The latest publishedAt already reached: moves when a scheduled article goes live. */
  latestPublishedAt: string;
}

/** Reads what every cached representation depends on, in two indexed lookups. */
export function createContentStateRepository(db: Db) {
  const state = db.select().from(contentState).where(eq(contentState.id, 1)).prepare();
  return {
    read(now: string): ContentState {
      const row = state.get();
      const latest = db
        .select({ at: max(articles.publishedAt) })
        .from(articles)
        .where(and(eq(articles.status, 'published'), lte(articles.publishedAt, now)))
        .get();
      return {
        generation: row?.generation ?? 0,
        changedAt: row?.changedAt ?? new Date(0).toISOString(),
        latestPublishedAt: latest?.at ?? '',
      };
    },
  };
}
