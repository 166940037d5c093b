import { and, asc, count, desc, eq, or } from 'drizzle-orm';
import { writeTransaction } from '../../db/helpers.js';
import type { Db } from '../../db/index.js';
import { comments } from '../../db/schema.js';
import { DomainError, notFound } from '../../lib/errors.js';
import type { Comment, CommentCreate, CommentPatch } from './schemas.js';
import { MAX_COMMENT_DEPTH } from './schemas.js';

type Row = typeof comments.$inferSelect;

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
export function present(row: Omit<Row, 'path' | 'clientHash'>, showEmail: boolean): Comment {
  const { authorEmail, ...rest } = row;
  return showEmail ? { ...rest, authorEmail } : rest;
}

const pathSegment = (id: number) => String(id).padStart(12, '0');

export interface Submission {
  articleId: number;
  commentsEnabled: boolean;
  input: CommentCreate;
  /** A hash of the submitting client, to refuse the same body twice in a row. */
  clientHash: string;
  /** Status to store: pending for the public, or what a moderator chose. */
  status: Row['status'];
}

export function createCommentsRepository(db: Db, now: () => Date) {
  const find = (id: number) => db.select(columns).from(comments).where(eq(comments.id, id)).get();
  const get = (id: number) => {
    const row = find(id);
    if (!row) throw notFound('comment', id);
    return row;
  };
  const hasReplies = (id: number) =>
    db.select({ id: comments.id }).from(comments).where(eq(comments.parentId, id)).limit(1).get() !==
    undefined;

  return {
    find,
    get,

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
      return { items, total };
    },

    /** The moderation queue across articles, newest first. */
    queue(options: { status?: Row['status']; articleId?: number; page: number; perPage: number }) {
      const where = and(
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
          // A reply needs a visible parent on the same article; anything else reads as unknown.
          if (
            !parent ||
            parent.articleId !== articleId ||
            (parent.status !== 'approved' && submission.status === 'pending')
          ) {
            throw new DomainError(
              'unprocessable',
              'unknown-parent',
              `No comment ${input.parentId} on this article to reply to`,
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
        const last = db
          .select({ body: comments.body })
          .from(comments)
          .where(eq(comments.clientHash, submission.clientHash))
          .orderBy(desc(comments.id))
          .limit(1)
          .get();
        if (last?.body === input.body) {
          throw new DomainError('conflict', 'duplicate-comment', 'You already posted this comment');
        }
        const at = now().toISOString();
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
        const path = parent ? `${parent.path}/${pathSegment(id)}` : pathSegment(id);
        db.update(comments).set({ path }).where(eq(comments.id, id)).run();
        return get(id);
      });
    },

    update(id: number, patch: CommentPatch) {
      return writeTransaction(db, () => {
        const current = get(id);
        if (current.deleted)
          throw new DomainError('conflict', 'comment-deleted', 'A deleted comment cannot be edited');
        db.update(comments)
          .set({ status: patch.status, body: patch.body, updatedAt: now().toISOString() })
          .where(eq(comments.id, id))
          .run();
        return get(id);
      });
    },

    /**
     * Deletes a comment. One with replies becomes a tombstone (emptied, `deleted: true`) so its
     * thread still reads; one without replies is removed.
     */
    delete(id: number): void {
      writeTransaction(db, () => {
        get(id);
        if (hasReplies(id)) {
          db.update(comments)
            .set({ deleted: true, body: '', authorName: '', authorEmail: '', updatedAt: now().toISOString() })
            .where(eq(comments.id, id))
            .run();
        } else {
          db.delete(comments).where(eq(comments.id, id)).run();
        }
      });
    },
  };
}

export type CommentsRepository = ReturnType<typeof createCommentsRepository>;
