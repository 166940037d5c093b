import type { Tables } from '../../db/database.js';
import { DomainError } from '../../lib/errors.js';
import type { Comment, CommentCreate } from './schemas.js';
import { MAX_COMMENT_DEPTH } from './schemas.js';

// The rules comments follow, whichever store keeps them.

export type Row = Tables['comments']['$inferSelect'];
/** A comment as read: everything but its thread path, client hash and source. */
export type CommentRow = Omit<Row, 'path' | 'clientHash' | 'sourceId'>;

/** Comments as served: the email only for moderators. */
export function present(row: CommentRow, showEmail: boolean): Comment {
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
