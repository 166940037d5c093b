import { and, eq, inArray, lt, sql } from 'drizzle-orm';
import type { Database, Tables } from '../../db/database.js';
import type { Actor, EventActor } from '../../lib/audience.js';
import { articleWriteKeys } from '../../lib/cache-keys.js';
import { DomainError } from '../../lib/errors.js';
import type { ContentStateRepository } from '../content-state/repository.js';
import type { EventsRepository } from '../events/repository.js';
import type { Announcements } from './announcements.js';
import type { Article } from './schemas.js';

interface TrashDependencies {
  db: Database;
  events: EventsRepository;
  announcements: Announcements;
  contentState: ContentStateRepository;
  current: (idOrSlug: string | number, context: TrashContext) => Promise<Article>;
  recordRevision: (id: number, actor: Actor, at: string) => Promise<void>;
  /** Who made a change, as events tell it. */
  eventActor: (actor: Actor) => Promise<EventActor | null>;
  adminView: (id: number, at: string) => Promise<Article>;
}

export interface TrashContext {
  audience: { seesUnpublished: boolean; now: string };
  actor: Actor;
  expectedVersion?: number;
  allowTrashed?: boolean;
}

/** What trashing changes on the article's row; an article already there is a 409. */
export function intoTrash(article: Pick<Article, 'slug' | 'status'>, at: string) {
  if (article.status === 'trashed') {
    throw new DomainError(
      'conflict',
      'already-trashed',
      `Article "${article.slug}" is already in the trash: restore it, or purge it with ?permanent=true`,
    );
  }
  const stored = article.status === 'scheduled' ? 'published' : article.status;
  // Deleted is what subscribers hear; restoring a live article announces it again.
  return { status: 'trashed' as const, trashedFrom: stored, trashedAt: at, announced: false };
}

export function assertTrashed(article: Pick<Article, 'slug' | 'status'>): void {
  if (article.status !== 'trashed') {
    throw new DomainError('conflict', 'not-trashed', `Article "${article.slug}" is not in the trash`);
  }
}

/** What restoring changes: back to the status it was trashed from. */
export const outOfTrash = (from: StoredStatus | null | undefined) => ({
  status: from && from !== 'trashed' ? from : ('draft' as const),
  trashedFrom: null,
  trashedAt: null,
});

type StoredStatus = Tables['articles']['$inferSelect']['status'];

/**
 * The trash: DELETE moves an article there (gone for the public, its slug still reserved so a
 * restore brings back the same URL), restore brings it back as it was, `permanent` purges it,
 * and the background jobs purge what has been there longer than TRASH_RETENTION_DAYS.
 */
export function createTrash(dependencies: TrashDependencies) {
  const { db, events, announcements, contentState } = dependencies;
  const { articles, comments } = db.tables;
  const wasPublic = (article: Article) => article.status === 'published';
  /** Before a purge: the logs keep only tombstones of the articles and of their comments. */
  const forgetArticles = async (ids: number[]) => {
    if (ids.length === 0) return;
    const commentRows = await db
      .query()
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
    changes: Partial<Tables['articles']['$inferInsert']>,
    event: { type: 'article.deleted' | 'article.restored'; data: () => unknown },
  ) => {
    const at = context.audience.now;
    await db
      .query()
      .update(articles)
      .set({ ...changes, version: sql`${articles.version} + 1`, updatedAt: at })
      .where(eq(articles.id, article.id));
    await dependencies.recordRevision(article.id, context.actor, at);
    const by = await dependencies.eventActor(context.actor);
    await events.record({ ...event, resource: 'article', id: article.id, slug: article.slug, at, by });
    return by;
  };

  return {
    trash: (idOrSlug: string | number, context: TrashContext): Promise<void> =>
      db.write(async () => {
        const article = await dependencies.current(idOrSlug, { ...context, allowTrashed: true });
        const at = context.audience.now;
        await move(article, context, intoTrash(article, at), {
          type: 'article.deleted',
          data: () => ({ id: article.id, slug: article.slug }),
        });
        if (wasPublic(article)) await contentState.touchPublic(at, articleWriteKeys(article.id, article));
      }),

    restore: (idOrSlug: string | number, context: TrashContext): Promise<Article> =>
      db.write(async () => {
        const article = await dependencies.current(idOrSlug, { ...context, allowTrashed: true });
        assertTrashed(article);
        const at = context.audience.now;
        const [row] = await db
          .query()
          .select({ from: articles.trashedFrom })
          .from(articles)
          .where(eq(articles.id, article.id));
        const by = await move(article, context, outOfTrash(row?.from), {
          type: 'article.restored',
          data: () => dependencies.adminView(article.id, at),
        });
        await announcements.sync(article.id, at, by);
        const restored = await dependencies.adminView(article.id, at);
        if (wasPublic(restored)) await contentState.touchPublic(at, articleWriteKeys(article.id, restored));
        return restored;
      }),

    purge: (idOrSlug: string | number, context: TrashContext): Promise<void> =>
      db.write(async () => {
        const article = await dependencies.current(idOrSlug, { ...context, allowTrashed: true });
        await forgetArticles([article.id]);
        await db.query().delete(articles).where(eq(articles.id, article.id));
        if (article.status !== 'trashed') {
          await events.record({
            type: 'article.deleted',
            resource: 'article',
            id: article.id,
            slug: article.slug,
            at: context.audience.now,
            data: () => ({ id: article.id, slug: article.slug }),
            by: await dependencies.eventActor(context.actor),
          });
        }
        if (wasPublic(article))
          await contentState.touchPublic(context.audience.now, articleWriteKeys(article.id, article));
      }),

    purgeTrashedBefore: (before: string): Promise<number> =>
      db.write(async () => {
        const expired = and(eq(articles.status, 'trashed'), lt(articles.trashedAt, before));
        const ids = await db.query().select({ id: articles.id }).from(articles).where(expired);
        await forgetArticles(ids.map((row) => row.id));
        const purged = await db.query().delete(articles).where(expired).returning({ id: articles.id });
        return purged.length;
      }),
  };
}
