import { and, count, desc, eq } from 'drizzle-orm';
import type { Asynchronous } from '../../db/asynchronous.js';
import type { PgDb } from '../../db/postgres/index.js';
import { articleRevisions } from '../../db/postgres/schema.js';
import { executor } from '../../db/postgres/transaction.js';
import { notFound } from '../../lib/errors.js';
import { diffSnapshots, type RevisionsRepository, toRevision } from './revisions.js';
import type { ArticleSnapshot } from './schemas.js';

/** Revisions on PostgreSQL (see ./revisions.ts). */
export function createPostgresRevisionsRepository(
  db: PgDb,
  now: () => Date,
): Asynchronous<RevisionsRepository> {
  return {
    async record(articleId, keyName, snapshot) {
      const [previous] = await executor(db)
        .select()
        .from(articleRevisions)
        .where(eq(articleRevisions.articleId, articleId))
        .orderBy(desc(articleRevisions.number))
        .limit(1);
      const changes = diffSnapshots(previous?.snapshot as ArticleSnapshot | undefined, snapshot);
      if (previous && changes.length === 0) return;
      await executor(db)
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
      const rows = await executor(db)
        .select()
        .from(articleRevisions)
        .where(where)
        .orderBy(desc(articleRevisions.number))
        .limit(perPage)
        .offset((page - 1) * perPage);
      const [total] = await executor(db).select({ n: count() }).from(articleRevisions).where(where);
      return { items: rows.map(toRevision), total: total?.n ?? 0 };
    },

    async get(articleId, number) {
      const [row] = await executor(db)
        .select()
        .from(articleRevisions)
        .where(and(eq(articleRevisions.articleId, articleId), eq(articleRevisions.number, number)));
      if (!row) throw notFound('revision', number);
      return toRevision(row);
    },
  };
}
