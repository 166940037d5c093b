import { and, eq, inArray, lt, sql } from 'drizzle-orm';
import type { Asynchronous } from '../../db/asynchronous.js';
import type { ContentStateRepository } from '../../db/content-state.js';
import type { PgDb } from '../../db/postgres/index.js';
import { articles, comments } from '../../db/postgres/schema.js';
import { executor, writeTransaction } from '../../db/postgres/transaction.js';
import { articleWriteKeys } from '../../lib/cache-keys.js';
import type { EventsRepository } from '../events/repository.js';
import type { Announcements } from './announcements.js';
import type { Article } from './schemas.js';
import { assertTrashed, intoTrash, outOfTrash, type TrashContext } from './trash.js';

interface TrashDependencies {
  db: PgDb;
  events: Asynchronous<EventsRepository, 'onRecorded'>;
  announcements: Asynchronous<Announcements>;
  contentState: Asynchronous<ContentStateRepository>;
  current: (idOrSlug: string | number, context: TrashContext) => Promise<Article>;
  recordRevision: (id: number, actor: string, at: string) => Promise<void>;
  adminView: (id: number, at: string) => Promise<Article>;
}

/** The trash on PostgreSQL (see ./trash.ts). */
export function createPostgresTrash(dependencies: TrashDependencies) {
  const { db, events, announcements, contentState } = dependencies;
  const wasPublic = (article: Article) => article.status === 'published';
  /** Before a purge: the logs keep only tombstones of the articles and of their comments. */
  const forgetArticles = async (ids: number[]) => {
    if (ids.length === 0) return;
    const commentRows = await executor(db)
      .select({ id: comments.id })
      .from(comments)
      .where(inArray(comments.articleId, ids));
    await events.forget(
      'comment',
      commentRows.map((row) => row.id),
    );
    await events.forget('article', ids);
  };

  const move = async (
    article: Article,
    context: TrashContext,
    changes: Partial<typeof articles.$inferInsert>,
    event: { type: 'article.deleted' | 'article.restored'; data: () => unknown },
  ) => {
    const at = context.audience.now;
    await executor(db)
      .update(articles)
      .set({ ...changes, version: sql`${articles.version} + 1`, updatedAt: at })
      .where(eq(articles.id, article.id));
    await dependencies.recordRevision(article.id, context.actor, at);
    await events.record({ ...event, resource: 'article', id: article.id, slug: article.slug, at });
  };

  return {
    trash: (idOrSlug: string | number, context: TrashContext): Promise<void> =>
      writeTransaction(db, async () => {
        const article = await dependencies.current(idOrSlug, { ...context, allowTrashed: true });
        const at = context.audience.now;
        await move(article, context, intoTrash(article, at), {
          type: 'article.deleted',
          data: () => ({ id: article.id, slug: article.slug }),
        });
        if (wasPublic(article)) await contentState.touchPublic(at, articleWriteKeys(article.id, article));
      }),

    restore: (idOrSlug: string | number, context: TrashContext): Promise<Article> =>
      writeTransaction(db, async () => {
        const article = await dependencies.current(idOrSlug, { ...context, allowTrashed: true });
        assertTrashed(article);
        const at = context.audience.now;
        const [row] = await executor(db)
          .select({ from: articles.trashedFrom })
          .from(articles)
          .where(eq(articles.id, article.id));
        await move(article, context, outOfTrash(row?.from), {
          type: 'article.restored',
          data: () => dependencies.adminView(article.id, at),
        });
        await announcements.sync(article.id, at);
        const restored = await dependencies.adminView(article.id, at);
        if (wasPublic(restored)) await contentState.touchPublic(at, articleWriteKeys(article.id, restored));
        return restored;
      }),

    purge: (idOrSlug: string | number, context: TrashContext): Promise<void> =>
      writeTransaction(db, async () => {
        const article = await dependencies.current(idOrSlug, { ...context, allowTrashed: true });
        await forgetArticles([article.id]);
        await executor(db).delete(articles).where(eq(articles.id, article.id));
        if (article.status !== 'trashed') {
          await events.record({
            type: 'article.deleted',
            resource: 'article',
            id: article.id,
            slug: article.slug,
            at: context.audience.now,
            data: () => ({ id: article.id, slug: article.slug }),
          });
        }
        if (wasPublic(article))
          await contentState.touchPublic(context.audience.now, articleWriteKeys(article.id, article));
      }),

    purgeTrashedBefore: (before: string): Promise<number> =>
      writeTransaction(db, async () => {
        const expired = and(eq(articles.status, 'trashed'), lt(articles.trashedAt, before));
        const ids = await executor(db).select({ id: articles.id }).from(articles).where(expired);
        await forgetArticles(ids.map((row) => row.id));
        const purged = await executor(db).delete(articles).where(expired).returning({ id: articles.id });
        return purged.length;
      }),
  };
}
