import { and, desc, eq } from 'drizzle-orm';
import type { Database } from '../../db/database.js';
import { withPagination } from '../../db/helpers.js';
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

export interface RevisionsRepository {
  /** Stores the next revision when the snapshot differs from the last one. */
  record(articleId: number, keyName: string, snapshot: ArticleSnapshot): Promise<void>;
  list(articleId: number, page: number, perPage: number): Promise<{ items: Revision[]; total: number }>;
  get(articleId: number, number: number): Promise<Revision>;
}

/** Every stored state of every article: written only inside the article's own write transaction. */
export function createRevisionsRepository(db: Database, now: () => Date): RevisionsRepository {
  const { articleRevisions } = db.tables;
  return {
    async record(articleId, keyName, snapshot) {
      const [previous] = await db
        .query()
        .select()
        .from(articleRevisions)
        .where(eq(articleRevisions.articleId, articleId))
        .orderBy(desc(articleRevisions.number))
        .limit(1);
      const changes = diffSnapshots(previous?.snapshot as ArticleSnapshot | undefined, snapshot);
      if (previous && changes.length === 0) return;
      await db
        .query()
        .insert(articleRevisions)
        .values({
          articleId,
          number: (previous?.number ?? 0) + 1,
          createdAt: now().toISOString(),
          keyName,
          snapshot,
          changes: previous ? changes : [],
        });
    },

    async list(articleId, page, perPage) {
      const where = eq(articleRevisions.articleId, articleId);
      const rows = await withPagination(
        db
          .query()
          .select()
          .from(articleRevisions)
          .where(where)
          .orderBy(desc(articleRevisions.number))
          .$dynamic(),
        page,
        perPage,
      );
      const total = await db.query().$count(articleRevisions, where);
      return { items: rows.map(toRevision), total };
    },

    async get(articleId, number) {
      const [row] = await db
        .query()
        .select()
        .from(articleRevisions)
        .where(and(eq(articleRevisions.articleId, articleId), eq(articleRevisions.number, number)));
      if (!row) throw notFound('revision', number);
      return toRevision(row);
    },
  };
}
