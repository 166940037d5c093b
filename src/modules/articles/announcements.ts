import { and, asc, eq, gt, lte, sql } from 'drizzle-orm';
import type { ContentStateRepository } from '../../db/content-state.js';
import { writeTransaction } from '../../db/helpers.js';
import type { Db } from '../../db/index.js';
import { articles } from '../../db/schema.js';
import { articleWriteKeys } from '../../lib/cache-keys.js';
import type { EventsRepository } from '../events/repository.js';
import type { Article } from './schemas.js';

/**
 * `article.published` and `article.unpublished`: when an article starts or stops being live.
 * Writes announce what they change at once; a scheduled article's instant comes with no write,
 * so the dispatcher calls `announceDue` when it comes (it asks `nextInstant` when to wake).
 */
export function createAnnouncements(
  db: Db,
  events: EventsRepository,
  adminView: (id: number, at: string) => Article,
  contentState: ContentStateRepository,
) {
  const unannounced = and(eq(articles.status, 'published'), eq(articles.announced, false));
  const due = db
    .select({ id: articles.id, slug: articles.slug })
    .from(articles)
    .where(and(unannounced, lte(articles.publishedAt, sql.placeholder('now') as unknown as string)))
    .orderBy(asc(articles.publishedAt), asc(articles.id))
    .limit(500)
    .prepare();
  const next = db
    .select({ at: articles.publishedAt })
    .from(articles)
    .where(and(unannounced, gt(articles.publishedAt, sql.placeholder('now') as unknown as string)))
    .orderBy(asc(articles.publishedAt))
    .limit(1)
    .prepare();

  const announce = (id: number, slug: string, live: boolean, at: string) => {
    db.update(articles).set({ announced: live }).where(eq(articles.id, id)).run();
    events.record({
      type: live ? 'article.published' : 'article.unpublished',
      resource: 'article',
      id,
      slug,
      at,
      data: () => (live ? adminView(id, at) : { id, slug }),
    });
  };

  return {
    /** After a write: announce the article going live or leaving the public. Call inside its transaction. */
    sync(id: number, at: string): void {
      const row = db
        .select({
          slug: articles.slug,
          status: articles.status,
          publishedAt: articles.publishedAt,
          announced: articles.announced,
        })
        .from(articles)
        .where(eq(articles.id, id))
        .get();
      if (!row) return;
      const live = row.status === 'published' && row.publishedAt !== null && row.publishedAt <= at;
      if (live !== row.announced) announce(id, row.slug, live, at);
    },

    /** Announces every scheduled article whose instant has come; returns how many. */
    announceDue(at: string): number {
      // Looked for first without the write lock: the dispatcher asks every second.
      if (due.all({ now: at }).length === 0) return 0;
      return writeTransaction(db, () => {
        const rows = due.all({ now: at });
        for (const row of rows) announce(row.id, row.slug, true, at);
        // Gone live with no write: the lists it joined are modified now (their Last-Modified).
        contentState.touchPublic(
          at,
          rows.flatMap((row) => {
            const article = adminView(row.id, at);
            return articleWriteKeys(article.id, article);
          }),
        );
        return rows.length;
      });
    },

    /** The next scheduled instant not yet announced, if any: when the dispatcher should wake. */
    nextInstant(at: string): string | undefined {
      return next.get({ now: at })?.at ?? undefined;
    },
  };
}

export type Announcements = ReturnType<typeof createAnnouncements>;
