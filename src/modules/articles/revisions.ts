import { and, desc, eq, type SQL } from 'drizzle-orm';
import type { Database } from '../../db/database.js';
import { withPagination } from '../../db/helpers.js';
import type { Actor } from '../../lib/audience.js';
import { notFound } from '../../lib/errors.js';
import type { ArticleSnapshot, FieldChange, Revision } from './revision-schemas.js';

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
  keyId: number | null;
  authorId: number | null;
  authorSlug: string | null;
  authorName: string | null;
  snapshot: unknown;
  changes: unknown;
}): Revision => ({
  number: row.number,
  createdAt: row.createdAt,
  keyName: row.keyName,
  by: {
    keyId: row.keyId,
    keyName: row.keyName,
    author:
      row.authorId === null
        ? null
        : { id: row.authorId, slug: row.authorSlug ?? '', name: row.authorName ?? '' },
  },
  snapshot: row.snapshot as ArticleSnapshot,
  changes: row.changes as FieldChange[],
});

export interface RevisionsRepository {
  /**
   * Stores the next revision when the snapshot differs from the last one. `first`: the article
   * was created in this write, so there is no last one to read.
   */
  record(
    articleId: number,
    actor: Actor,
    snapshot: ArticleSnapshot,
    options?: { first?: boolean },
  ): Promise<void>;
  list(articleId: number, page: number, perPage: number): Promise<{ items: Revision[]; total: number }>;
  get(articleId: number, number: number): Promise<Revision>;
}

/** Every stored state of every article: written only inside the article's own write transaction. */
export function createRevisionsRepository(db: Database, now: () => Date): RevisionsRepository {
  const { articleRevisions, authors } = db.tables;
  /** Revisions with the author who made each, when their key acts for one. */
  const withAuthors = (where: SQL | undefined) =>
    db
      .query()
      .select({
        number: articleRevisions.number,
        createdAt: articleRevisions.createdAt,
        keyName: articleRevisions.keyName,
        keyId: articleRevisions.keyId,
        authorId: articleRevisions.authorId,
        authorSlug: authors.slug,
        authorName: authors.name,
        snapshot: articleRevisions.snapshot,
        changes: articleRevisions.changes,
      })
      .from(articleRevisions)
      .leftJoin(authors, eq(authors.id, articleRevisions.authorId))
      .where(where)
      .$dynamic();
  return {
    async record(articleId, actor, snapshot, { first = false } = {}) {
      const [previous] = first
        ? []
        : await db
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
          keyName: actor.keyName,
          keyId: actor.keyId,
          authorId: actor.authorId,
          snapshot,
          changes: previous ? changes : [],
        });
    },

    async list(articleId, page, perPage) {
      const where = eq(articleRevisions.articleId, articleId);
      const rows = await withPagination(
        withAuthors(where).orderBy(desc(articleRevisions.number)),
        page,
        perPage,
      );
      const total = await db.query().$count(articleRevisions, where);
      return { items: rows.map(toRevision), total };
    },

    async get(articleId, number) {
      const [row] = await withAuthors(
        and(eq(articleRevisions.articleId, articleId), eq(articleRevisions.number, number)),
      );
      if (!row) throw notFound('revision', number);
      return toRevision(row);
    },
  };
}
