import { and, asc, count, desc, eq, or, sql } from 'drizzle-orm';
import type { ContentStateRepository } from '../../db/content-state.js';
import { qualified, writeTransaction } from '../../db/helpers.js';
import type { Db } from '../../db/index.js';
import { articles, comments } from '../../db/schema.js';
import { cacheKeys } from '../../lib/cache-keys.js';
import { DomainError, notFound } from '../../lib/errors.js';
import { type Audience, publishedBy, visibleArticles } from '../articles/visibility.js';
import type { EventsRepository } from '../events/repository.js';
import type { Comment, CommentCreate, CommentPatch } from './schemas.js';
import { MAX_COMMENT_DEPTH } from './schemas.js';

export type Row = typeof comments.$inferSelect;

const columns = {
  id: comments.id,
  articleId: comments.articleId,
  parentId: comments.parentId,
  depth: comments.depth,
  authorName: comments.authorName,
  authorEmail: comments.authorEmail,
  body: comments.body,
  status: comments.status,
  deleted: comments.deleted,
  createdAt: comments.createdAt,
  updatedAt: comments.updatedAt,
};

/** Comments as served: the email only for moderators. */
export function present(row: Omit<Row, 'path' | 'clientHash' | 'sourceId'>, showEmail: boolean): Comment {
  const { authorEmail, ...rest } = row;
  return showEmail ? { ...rest, authorEmail } : rest;
}

/** A comment's place in its thread: its ancestors' ids and its own, so sorting reads in order. */
export const pathOf = (id: number, parent: { path: string } | undefined) => {
  const segment = String(id).padStart(12, '0');
  return parent ? `${parent.path}/${segment}` : segment;
};

/** Whether the public thread shows the comment (approved, or a tombstone). */
export const publiclyShown = (row: { status: Row['status']; deleted: boolean }) =>
  row.status === 'approved' || row.deleted;

/** A thread's row as served: a tombstone says only that it was removed, never why (spam, trash...). */
export const asThreadItem = <T extends { deleted: boolean; status: Row['status'] }>(row: T): T =>
  row.deleted ? { ...row, status: 'trash' as const } : row;

/** A reply needs a visible parent on the same article, not deleted, not nested too deep. */
export function assertReplyable(parent: Row | undefined, submission: Submission): void {
  const { parentId } = submission.input;
  if (
    !parent ||
    parent.articleId !== submission.articleId ||
    (parent.status !== 'approved' && submission.status === 'pending')
  ) {
    throw new DomainError(
      'unprocessable',
      'unknown-parent',
      `No comment ${parentId} on this article to reply to`,
    );
  }
  if (parent.deleted)
    throw new DomainError('unprocessable', 'parent-deleted', 'Cannot reply to a deleted comment');
  if (parent.depth >= MAX_COMMENT_DEPTH) {
    throw new DomainError(
      'unprocessable',
      'too-deep',
      `Replies nest at most ${MAX_COMMENT_DEPTH} levels deep`,
    );
  }
}

/** Refuses the same body twice in a row from one client. */
export function assertNotRepeated(last: { body: string } | undefined, body: string): void {
  if (last?.body === body)
    throw new DomainError('conflict', 'duplicate-comment', 'You already posted this comment');
}

export interface Submission {
  articleId: number;
  commentsEnabled: boolean;
  input: CommentCreate;
  /** A hash of the submitting client, to refuse the same body twice in a row. */
  clientHash: string;
  /** Status to store: pending for the public, or what a moderator chose. */
  status: Row['status'];
  /** The request's instant. */
  at: string;
}

/** Comments of articles this audience sees: a moderator without `content:read` sees no draft's. */
function onVisibleArticles(audience: Audience) {
  const visible = visibleArticles(audience);
  return visible
    ? sql`exists (select 1 from ${articles} where ${qualified(articles.id)} = ${qualified(comments.articleId)} and ${visible})`
    : undefined;
}

export function createCommentsRepository(
  db: Db,
  contentState: ContentStateRepository,
  events: EventsRepository,
) {
  const find = (id: number, audience?: Audience) =>
    db
      .select(columns)
      .from(comments)
      .where(and(eq(comments.id, id), audience ? onVisibleArticles(audience) : undefined))
      .get();
  const get = (id: number, audience?: Audience) => {
    const row = find(id, audience);
    if (!row) throw notFound('comment', id);
    return row;
  };
  /**
   * Marks a public change when the public thread of a live article shows (or showed) the comment.
   */
  const touchIfPublic = (articleId: number, shown: boolean, at: string) => {
    if (!shown) return;
    const live = db
      .select({ id: articles.id })
      .from(articles)
      .where(and(eq(articles.id, articleId), publishedBy(at)))
      .get();
    // The thread and the article's comment count: the article's own key (lists embed it too).
    if (live) contentState.touchPublic(at, [cacheKeys.article(articleId)]);
  };
  const idOfSource = (sourceId: string): number | undefined =>
    db.select({ id: comments.id }).from(comments).where(eq(comments.sourceId, sourceId)).get()?.id;
  const hasReplies = (id: number) =>
    db.select({ id: comments.id }).from(comments).where(eq(comments.parentId, id)).limit(1).get() !==
    undefined;

  return {
    find,
    get,

    /** The comment an import made from this source, if any. */
    idOfSource,

    /**
     * A comment from an archive, as it was: its author, date and status, under `parentId`
     * (deeper than replies may nest, it joins the deepest allowed ancestor). Created, or
     * updated when its body or status changed; returns which. Call inside a transaction.
     */
    importComment(item: {
      articleId: number;
      parentId: number | null;
      authorName: string;
      authorEmail: string;
      body: string;
      status: Row['status'];
      at: string;
      sourceId: string;
    }): 'created' | 'updated' | 'unchanged' {
      const existingId = idOfSource(item.sourceId);
      if (existingId !== undefined) {
        const current = get(existingId);
        if (current.body === item.body && current.status === item.status) return 'unchanged';
        db.update(comments)
          .set({ body: item.body, status: item.status })
          .where(eq(comments.id, existingId))
          .run();
        touchIfPublic(item.articleId, true, item.at);
        return 'updated';
      }
      let parent =
        item.parentId === null
          ? undefined
          : db.select().from(comments).where(eq(comments.id, item.parentId)).get();
      while (parent && parent.depth >= MAX_COMMENT_DEPTH && parent.parentId !== null) {
        parent = db.select().from(comments).where(eq(comments.id, parent.parentId)).get();
      }
      const { id } = db
        .insert(comments)
        .values({
          articleId: item.articleId,
          parentId: parent?.id ?? null,
          depth: parent ? parent.depth + 1 : 0,
          authorName: item.authorName,
          authorEmail: item.authorEmail,
          body: item.body,
          status: item.status,
          sourceId: item.sourceId,
          createdAt: item.at,
          updatedAt: item.at,
        })
        .returning({ id: comments.id })
        .get();
      db.update(comments)
        .set({ path: pathOf(id, parent) })
        .where(eq(comments.id, id))
        .run();
      touchIfPublic(item.articleId, item.status === 'approved', item.at);
      events.record({
        type: 'comment.created',
        resource: 'comment',
        id,
        slug: null,
        at: item.at,
        data: () => get(id),
      });
      return 'created';
    },

    /** An article's public thread: approved comments and tombstones, in reading order. */
    thread(articleId: number, page: number, perPage: number) {
      const where = and(
        eq(comments.articleId, articleId),
        or(eq(comments.status, 'approved'), eq(comments.deleted, true)),
      );
      const items = db
        .select(columns)
        .from(comments)
        .where(where)
        .orderBy(asc(comments.path))
        .limit(perPage)
        .offset((page - 1) * perPage)
        .all();
      const total = db.select({ n: count() }).from(comments).where(where).get()?.n ?? 0;
      return { items: items.map(asThreadItem), total };
    },

    /** The moderation queue across articles, newest first, over the articles the audience sees. */
    queue(
      options: { status?: Row['status']; articleId?: number; page: number; perPage: number },
      audience: Audience,
    ) {
      const where = and(
        onVisibleArticles(audience),
        options.status ? eq(comments.status, options.status) : undefined,
        options.articleId !== undefined ? eq(comments.articleId, options.articleId) : undefined,
      );
      const items = db
        .select(columns)
        .from(comments)
        .where(where)
        .orderBy(desc(comments.createdAt), desc(comments.id))
        .limit(options.perPage)
        .offset((options.page - 1) * options.perPage)
        .all();
      const total = db.select({ n: count() }).from(comments).where(where).get()?.n ?? 0;
      return { items, total };
    },

    submit(submission: Submission) {
      return writeTransaction(db, () => {
        const { input, articleId } = submission;
        if (!submission.commentsEnabled) {
          throw new DomainError('conflict', 'comments-closed', 'Comments are closed on this article');
        }
        let parent: Row | undefined;
        if (input.parentId !== undefined) {
          parent = db.select().from(comments).where(eq(comments.id, input.parentId)).get();
          assertReplyable(parent, submission);
        }
        const last = db
          .select({ body: comments.body })
          .from(comments)
          .where(eq(comments.clientHash, submission.clientHash))
          .orderBy(desc(comments.id))
          .limit(1)
          .get();
        assertNotRepeated(last, input.body);
        const at = submission.at;
        const { id } = db
          .insert(comments)
          .values({
            articleId,
            parentId: parent?.id ?? null,
            depth: parent ? parent.depth + 1 : 0,
            authorName: input.authorName.trim(),
            authorEmail: input.authorEmail,
            body: input.body,
            status: submission.status,
            clientHash: submission.clientHash,
            createdAt: at,
            updatedAt: at,
          })
          .returning({ id: comments.id })
          .get();
        db.update(comments)
          .set({ path: pathOf(id, parent) })
          .where(eq(comments.id, id))
          .run();
        touchIfPublic(articleId, submission.status === 'approved', at);
        const created = get(id);
        events.record({
          type: 'comment.created',
          resource: 'comment',
          id,
          slug: null,
          at,
          data: () => created,
        });
        if (created.status === 'approved') {
          events.record({
            type: 'comment.approved',
            resource: 'comment',
            id,
            slug: null,
            at,
            data: () => created,
          });
        }
        return created;
      });
    },

    update(id: number, patch: CommentPatch, audience: Audience) {
      return writeTransaction(db, () => {
        const current = get(id, audience);
        if (current.deleted)
          throw new DomainError('conflict', 'comment-deleted', 'A deleted comment cannot be edited');
        db.update(comments)
          .set({ status: patch.status, body: patch.body, updatedAt: audience.now })
          .where(eq(comments.id, id))
          .run();
        const updated = get(id);
        touchIfPublic(current.articleId, publiclyShown(current) || publiclyShown(updated), audience.now);
        if (updated.status === 'approved' && current.status !== 'approved') {
          events.record({
            type: 'comment.approved',
            resource: 'comment',
            id,
            slug: null,
            at: audience.now,
            data: () => updated,
          });
        }
        return updated;
      });
    },

    /**
     * Deletes a comment. One with replies becomes a tombstone (emptied, `deleted: true`) so its
     * thread still reads; one without replies is removed.
     */
    delete(id: number, audience: Audience): void {
      writeTransaction(db, () => {
        const current = get(id, audience);
        if (hasReplies(id)) {
          db.update(comments)
            .set({ deleted: true, body: '', authorName: '', authorEmail: '', updatedAt: audience.now })
            .where(eq(comments.id, id))
            .run();
        } else {
          db.delete(comments).where(eq(comments.id, id)).run();
        }
        touchIfPublic(current.articleId, publiclyShown(current), audience.now);
        events.forget('comment', [id]);
        events.record({
          type: 'comment.deleted',
          resource: 'comment',
          id,
          slug: null,
          at: audience.now,
          data: () => ({ id, articleId: current.articleId }),
        });
      });
    },
  };
}

export type CommentsRepository = ReturnType<typeof createCommentsRepository>;
