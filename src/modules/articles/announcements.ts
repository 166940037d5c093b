import { and, asc, eq, gt, isNull, lte, or } from 'drizzle-orm';
import type { Database } from '../../db/database.js';
import type { EventActor } from '../../lib/audience.js';
import { articleWriteKeys } from '../../lib/cache-keys.js';
import type { ContentStateRepository } from '../content-state/repository.js';
import type { EventsRepository } from '../events/repository.js';
import type { Article } from './schemas.js';

/** Whether an article is live at `at` (published, its instant reached, not expired), or expiring. */
export function livenessAt(
  article: { status: string; publishedAt: string | null; expiresAt: string | null },
  at: string,
) {
  const reached = article.status === 'published' && article.publishedAt !== null && article.publishedAt <= at;
  const expiring = reached && article.expiresAt !== null && article.expiresAt <= at;
  return { live: reached && !expiring, expiring };
}

export interface Announcements {
  /** After a write: announce the article going live or leaving the public. Call inside its transaction. */
  sync(id: number, at: string, by?: EventActor | null): Promise<void>;
  /**
   * After a create, whose row was inserted `announced` as livenessAt says: announces it going
   * live when it is (no update of the row, which would rewrite every index it is in).
   */
  created(
    article: { id: number; slug: string },
    live: boolean,
    at: string,
    by: EventActor | null,
  ): Promise<void>;
  /** Announces every scheduled article whose instant has come, and every expiry reached; returns how many. */
  announceDue(at: string): Promise<number>;
  /** The next publication or expiry not yet announced, if any: when the background jobs should wake. */
  nextInstant(at: string): Promise<string | undefined>;
}

/**
 * `article.published`, `article.unpublished` and `article.expired`: when an article starts or
 * stops being live. Writes announce what they change at once; a scheduled article's instant,
 * or an expiry, comes with no write,
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
  const announced = and(eq(articles.status, 'published'), eq(articles.announced, true));
  const unexpired = (at: string) => or(isNull(articles.expiresAt), gt(articles.expiresAt, at));
  // Going live: announced not yet, its instant reached, not already expired.
  const due = (at: string) =>
    db
      .query()
      .select({ id: articles.id, slug: articles.slug })
      .from(articles)
      .where(and(unannounced, lte(articles.publishedAt, at), unexpired(at)))
      .orderBy(asc(articles.publishedAt), asc(articles.id))
      .limit(500);
  // Leaving: announced live, and its expiry reached.
  const expired = (at: string) =>
    db
      .query()
      .select({ id: articles.id, slug: articles.slug })
      .from(articles)
      .where(and(announced, lte(articles.expiresAt, at)))
      .orderBy(asc(articles.expiresAt), asc(articles.id))
      .limit(500);

  /** Marks the article announced as it now is (unless its row already says so) and records the event. */
  const announce = async (
    { id, slug }: { id: number; slug: string },
    { live, expiring }: ReturnType<typeof livenessAt>,
    at: string,
    by?: EventActor | null,
    stored = false,
  ) => {
    if (!stored) await db.query().update(articles).set({ announced: live }).where(eq(articles.id, id));
    await events.record({
      type: live ? 'article.published' : expiring ? 'article.expired' : 'article.unpublished',
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
          expiresAt: articles.expiresAt,
          announced: articles.announced,
        })
        .from(articles)
        .where(eq(articles.id, id));
      if (!row) return;
      const liveness = livenessAt(row, at);
      if (liveness.live !== row.announced) await announce({ id, slug: row.slug }, liveness, at, by);
    },

    async created(article, live, at, by) {
      if (live) await announce(article, { live, expiring: false }, at, by, true);
    },

    async announceDue(at) {
      if ((await due(at)).length === 0 && (await expired(at)).length === 0) return 0;
      return db.write(async () => {
        const going = await due(at);
        const leaving = await expired(at);
        for (const row of going) await announce(row, { live: true, expiring: false }, at);
        for (const row of leaving) await announce(row, { live: false, expiring: true }, at);
        // Gone live or expired with no write: the lists they joined or left are modified now.
        const placements = await Promise.all([...going, ...leaving].map((row) => adminView(row.id, at)));
        await contentState.touchPublic(
          at,
          placements.flatMap((article) => articleWriteKeys(article.id, article)),
        );
        return going.length + leaving.length;
      });
    },

    async nextInstant(at) {
      const [live] = await db
        .query()
        .select({ at: articles.publishedAt })
        .from(articles)
        .where(and(unannounced, gt(articles.publishedAt, at)))
        .orderBy(asc(articles.publishedAt))
        .limit(1);
      const [expiry] = await db
        .query()
        .select({ at: articles.expiresAt })
        .from(articles)
        .where(and(announced, gt(articles.expiresAt, at)))
        .orderBy(asc(articles.expiresAt))
        .limit(1);
      return [live?.at, expiry?.at].filter((instant): instant is string => !!instant).sort()[0];
    },
  };
}
