import { and, eq, inArray, lt, sql } from 'drizzle-orm';
import type { ContentStateRepository } from '../../db/content-state.js';
import { writeTransaction } from '../../db/helpers.js';
import type { Db } from '../../db/index.js';
import { articles, comments } from '../../db/schema.js';
import { articleWriteKeys } from '../../lib/cache-keys.js';
import { DomainError } from '../../lib/errors.js';
import type { EventsRepository } from '../events/repository.js';
import type { Announcements } from './announcements.js';
import type { Article } from './schemas.js';

interface TrashDependencies {
  db: Db;
  events: EventsRepository;
  announcements: Announcements;
  contentState: ContentStateRepository;
  /** The article for a write (If-Match checked), trashed ones included. */
  current: (idOrSlug: string | number, context: TrashContext) => Article;
  /** Stores a revision of the article as it now is. */
  recordRevision: (id: number, actor: string, at: string) => void;
  adminView: (id: number, at: string) => Article;
}

export interface TrashContext {
  audience: { seesUnpublished: boolean; now: string };
  actor: string;
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

type StoredStatus = (typeof articles.status.enumValues)[number];

/**
 * The trash: DELETE moves an article there (gone for the public, its slug still reserved so a
 * restore brings back the same URL), restore brings it back as it was, `permanent` purges it,
 * and the dispatcher purges what has been there longer than TRASH_RETENTION_DAYS.
 */
export function createTrash(dependencies: TrashDependencies) {
  const { db, events, announcements, contentState } = dependencies;
  const wasPublic = (article: Article) => article.status === 'published';
  /** Before a purge: the logs keep only tombstones of the articles and of their comments. */
  const forgetArticles = (ids: number[]) => {
    if (ids.length === 0) return;
    const commentIds = db
      .select({ id: comments.id })
      .from(comments)
      .where(inArray(comments.articleId, ids))
      .all()
      .map((row) => row.id);
    events.forget('comment', commentIds);
    events.forget('article', ids);
  };

  /** Into or out of the trash: a new version and revision, and the event that says so. */
  const move = (
    article: Article,
    context: TrashContext,
    changes: Partial<typeof articles.$inferInsert>,
    event: { type: 'article.deleted' | 'article.restored'; data: () => unknown },
  ) => {
    const at = context.audience.now;
    db.update(articles)
      .set({ ...changes, version: sql`${articles.version} + 1`, updatedAt: at })
      .where(eq(articles.id, article.id))
      .run();
    dependencies.recordRevision(article.id, context.actor, at);
    events.record({ ...event, resource: 'article', id: article.id, slug: article.slug, at });
  };

  return {
    trash(idOrSlug: string | number, context: TrashContext): void {
      writeTransaction(db, () => {
        const article = dependencies.current(idOrSlug, { ...context, allowTrashed: true });
        const at = context.audience.now;
        move(article, context, intoTrash(article, at), {
          type: 'article.deleted',
          data: () => ({ id: article.id, slug: article.slug }),
        });
        if (wasPublic(article)) contentState.touchPublic(at, articleWriteKeys(article.id, article));
      });
    },

    restore(idOrSlug: string | number, context: TrashContext): Article {
      return writeTransaction(db, () => {
        const article = dependencies.current(idOrSlug, { ...context, allowTrashed: true });
        assertTrashed(article);
        const at = context.audience.now;
        const from = db
          .select({ from: articles.trashedFrom })
          .from(articles)
          .where(eq(articles.id, article.id))
          .get()?.from;
        move(article, context, outOfTrash(from), {
          type: 'article.restored',
          data: () => dependencies.adminView(article.id, at),
        });
        announcements.sync(article.id, at);
        const restored = dependencies.adminView(article.id, at);
        if (wasPublic(restored)) contentState.touchPublic(at, articleWriteKeys(article.id, restored));
        return restored;
      });
    },

    /** Deletes the article for good: comments, tags links and revisions go with it. */
    purge(idOrSlug: string | number, context: TrashContext): void {
      writeTransaction(db, () => {
        const article = dependencies.current(idOrSlug, { ...context, allowTrashed: true });
        forgetArticles([article.id]);
        db.delete(articles).where(eq(articles.id, article.id)).run();
        // Trashing already told subscribers; a live article purged at once tells them now.
        if (article.status !== 'trashed') {
          events.record({
            type: 'article.deleted',
            resource: 'article',
            id: article.id,
            slug: article.slug,
            at: context.audience.now,
            data: () => ({ id: article.id, slug: article.slug }),
          });
        }
        if (wasPublic(article))
          contentState.touchPublic(context.audience.now, articleWriteKeys(article.id, article));
      });
    },

    /** Purges articles trashed before `before`; returns how many. */
    purgeTrashedBefore(before: string): number {
      return writeTransaction(db, () => {
        const expired = and(eq(articles.status, 'trashed'), lt(articles.trashedAt, before));
        forgetArticles(
          db
            .select({ id: articles.id })
            .from(articles)
            .where(expired)
            .all()
            .map((row) => row.id),
        );
        return db.delete(articles).where(expired).run().changes;
      });
    },
  };
}
