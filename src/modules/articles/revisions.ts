import { and, count, desc, eq } from 'drizzle-orm';
import type { Db } from '../../db/index.js';
import { articleRevisions } from '../../db/schema.js';
import { notFound } from '../../lib/errors.js';
import type { ArticleSnapshot, FieldChange, Revision } from './schemas.js';

/** Field-level differences between two snapshots, in snapshot field order. */
export function diffSnapshots(before: ArticleSnapshot | undefined, after: ArticleSnapshot): FieldChange[] {
  const changes: FieldChange[] = [];
  for (const field of Object.keys(after) as (keyof ArticleSnapshot)[]) {
    const from = before ? before[field] : null;
    const to = after[field];
    if (JSON.stringify(from) !== JSON.stringify(to)) changes.push({ field, from, to });
  }
  return changes;
}

/** A stored revision as served. */
export const toRevision = (row: {
  number: number;
  createdAt: string;
  keyName: string;
  snapshot: unknown;
  changes: unknown;
}): Revision => ({
  number: row.number,
  createdAt: row.createdAt,
  keyName: row.keyName,
  snapshot: row.snapshot as ArticleSnapshot,
  changes: row.changes as FieldChange[],
});

/** Every stored state of every article: written only inside the article's own write transaction. */
export function createRevisionsRepository(db: Db, now: () => Date) {
  const latest = (articleId: number) =>
    db
      .select()
      .from(articleRevisions)
      .where(eq(articleRevisions.articleId, articleId))
      .orderBy(desc(articleRevisions.number))
      .limit(1)
      .get();

  return {
    /** Stores the next revision when the snapshot differs from the last one. */
    record(articleId: number, keyName: string, snapshot: ArticleSnapshot): void {
      const previous = latest(articleId);
      const changes = diffSnapshots(previous?.snapshot as ArticleSnapshot | undefined, snapshot);
      if (previous && changes.length === 0) return;
      db.insert(articleRevisions)
        .values({
          articleId,
          number: (previous?.number ?? 0) + 1,
          createdAt: now().toISOString(),
          keyName,
          snapshot,
          changes: previous ? changes : [],
        })
        .run();
    },

    list(articleId: number, page: number, perPage: number): { items: Revision[]; total: number } {
      const where = eq(articleRevisions.articleId, articleId);
      const rows = db
        .select()
        .from(articleRevisions)
        .where(where)
        .orderBy(desc(articleRevisions.number))
        .limit(perPage)
        .offset((page - 1) * perPage)
        .all();
      const total = db.select({ n: count() }).from(articleRevisions).where(where).get()?.n ?? 0;
      return { items: rows.map(toRevision), total };
    },

    get(articleId: number, number: number): Revision {
      const row = db
        .select()
        .from(articleRevisions)
        .where(and(eq(articleRevisions.articleId, articleId), eq(articleRevisions.number, number)))
        .get();
      if (!row) throw notFound('revision', number);
      return toRevision(row);
    },
  };
}

export type RevisionsRepository = ReturnType<typeof createRevisionsRepository>;
