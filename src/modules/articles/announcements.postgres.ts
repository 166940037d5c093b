import { and, asc, eq, gt, lte } from 'drizzle-orm';
import type { Asynchronous } from '../../db/asynchronous.js';
import type { ContentStateRepository } from '../../db/content-state.js';
import type { PgDb } from '../../db/postgres/index.js';
import { articles } from '../../db/postgres/schema.js';
import { executor, writeTransaction } from '../../db/postgres/transaction.js';
import { articleWriteKeys } from '../../lib/cache-keys.js';
import type { EventsRepository } from '../events/repository.js';
import type { Announcements } from './announcements.js';
import type { Article } from './schemas.js';

/**
 * `article.published` and `article.unpublished` on PostgreSQL (see ./announcements.ts). Every
 * node's dispatcher may ask at once: the write lock makes one of them announce, and the others
 * find nothing left due.
 */
export function createPostgresAnnouncements(
  db: PgDb,
  events: Asynchronous<EventsRepository, 'onRecorded'>,
  adminView: (id: number, at: string) => Promise<Article>,
  contentState: Asynchronous<ContentStateRepository>,
): Asynchronous<Announcements> {
  const unannounced = and(eq(articles.status, 'published'), eq(articles.announced, false));
  const due = (at: string) =>
    executor(db)
      .select({ id: articles.id, slug: articles.slug })
      .from(articles)
      .where(and(unannounced, lte(articles.publishedAt, at)))
      .orderBy(asc(articles.publishedAt), asc(articles.id))
      .limit(500);

  const announce = async (id: number, slug: string, live: boolean, at: string) => {
    await executor(db).update(articles).set({ announced: live }).where(eq(articles.id, id));
    await events.record({
      type: live ? 'article.published' : 'article.unpublished',
      resource: 'article',
      id,
      slug,
      at,
      data: () => (live ? adminView(id, at) : { id, slug }),
    });
  };

  return {
    async sync(id, at) {
      const [row] = await executor(db)
        .select({
          slug: articles.slug,
          status: articles.status,
          publishedAt: articles.publishedAt,
          announced: articles.announced,
        })
        .from(articles)
        .where(eq(articles.id, id));
      if (!row) return;
      const live = row.status === 'published' && row.publishedAt !== null && row.publishedAt <= at;
      if (live !== row.announced) await announce(id, row.slug, live, at);
    },

    async announceDue(at) {
      if ((await due(at)).length === 0) return 0;
      return writeTransaction(db, async () => {
        const rows = await due(at);
        for (const row of rows) await announce(row.id, row.slug, true, at);
        // Gone live with no write: the lists it joined are modified now (their Last-Modified).
        const placements = await Promise.all(rows.map((row) => adminView(row.id, at)));
        await contentState.touchPublic(
          at,
          placements.flatMap((article) => articleWriteKeys(article.id, article)),
        );
        return rows.length;
      });
    },

    async nextInstant(at) {
      const [row] = await executor(db)
        .select({ at: articles.publishedAt })
        .from(articles)
        .where(and(unannounced, gt(articles.publishedAt, at)))
        .orderBy(asc(articles.publishedAt))
        .limit(1);
      return row?.at ?? undefined;
    },
  };
}
