import { and, asc, eq, gt, lte } from 'drizzle-orm';
import type { Database } from '../../db/database.js';
import type { EventActor } from '../../lib/audience.js';
import { articleWriteKeys } from '../../lib/cache-keys.js';
import type { ContentStateRepository } from '../content-state/repository.js';
import type { EventsRepository } from '../events/repository.js';
import type { Article } from './schemas.js';

export interface Announcements {
  /** After a write: announce the article going live or leaving the public. Call inside its transaction. */
  sync(id: number, at: string, by?: EventActor | null): Promise<void>;
  /** Announces every scheduled article whose instant has come; returns how many. */
  announceDue(at: string): Promise<number>;
  /** The next scheduled instant not yet announced, if any: when the background jobs should wake. */
  nextInstant(at: string): Promise<string | undefined>;
}

/**
 * `article.published` and `article.unpublished`: when an article starts or stops being live.
 * Writes announce what they change at once; a scheduled article's instant comes with no write,
 * so the background jobs call `announceDue` when it comes (it asks `nextInstant` when to wake).
 * Every process's background jobs may ask at once: the write lock makes one of them announce, and
 * the others find nothing left due.
 */
export function createAnnouncements(
  db: Database,
  events: EventsRepository,
  adminView: (id: number, at: string) => Promise<Article>,
  contentState: ContentStateRepository,
): Announcements {
  const { articles } = db.tables;
  const unannounced = and(eq(articles.status, 'published'), eq(articles.announced, false));
  const due = (at: string) =>
    db
      .query()
      .select({ id: articles.id, slug: articles.slug })
      .from(articles)
      .where(and(unannounced, lte(articles.publishedAt, at)))
      .orderBy(asc(articles.publishedAt), asc(articles.id))
      .limit(500);

  const announce = async (id: number, slug: string, live: boolean, at: string, by?: EventActor | null) => {
    await db.query().update(articles).set({ announced: live }).where(eq(articles.id, id));
    await events.record({
      type: live ? 'article.published' : 'article.unpublished',
      resource: 'article',
      id,
      slug,
      at,
      data: () => (live ? adminView(id, at) : { id, slug }),
      by,
    });
  };

  return {
    async sync(id, at, by) {
      const [row] = await db
        .query()
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
      if (live !== row.announced) await announce(id, row.slug, live, at, by);
    },

    async announceDue(at) {
      if ((await due(at)).length === 0) return 0;
      return db.write(async () => {
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
      const [row] = await db
        .query()
        .select({ at: articles.publishedAt })
        .from(articles)
        .where(and(unannounced, gt(articles.publishedAt, at)))
        .orderBy(asc(articles.publishedAt))
        .limit(1);
      return row?.at ?? undefined;
    },
  };
}
