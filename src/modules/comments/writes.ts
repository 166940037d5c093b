import { desc, eq } from 'drizzle-orm';
import type { Database, Tables } from '../../db/database.js';
import { DomainError } from '../../lib/errors.js';
import type { Audience } from '../articles/visibility.js';
import type { EventsRepository } from '../events/repository.js';
import type { CommentsRepository } from './repository.js';
import { assertNotRepeated, assertReplyable, type CommentRow, publiclyShown, type Row } from './rules.js';
import { MAX_COMMENT_DEPTH } from './schemas.js';

/** What the writes share with the reads of comments (./repository.ts). */
export interface CommentParts {
  events: EventsRepository;
  get(id: number, audience?: Audience): Promise<CommentRow>;
  row(id: number): Promise<Row | undefined>;
  insert(values: Tables['comments']['$inferInsert'], parent: Row | undefined): Promise<number>;
  /** Marks a public change when the public thread of a live article shows (or showed) the comment. */
  touchIfPublic(articleId: number, shown: boolean, at: string): Promise<void>;
  idOfSource(sourceId: string): Promise<number | undefined>;
}

/** Submitting, moderating, deleting and importing comments, each in one write. */
export function createCommentWrites(
  db: Database,
  parts: CommentParts,
): Pick<CommentsRepository, 'importComment' | 'submit' | 'update' | 'delete'> {
  const { comments } = db.tables;
  const { events, get, row, insert, touchIfPublic } = parts;
  return {
    importComment: (item) => importComment(db, parts, item),

    submit: (submission) =>
      db.write(async () => {
        const { input, articleId } = submission;
        if (!submission.commentsEnabled) {
          throw new DomainError('conflict', 'comments-closed', 'Comments are closed on this article');
        }
        let parent: Row | undefined;
        if (input.parentId !== undefined) {
          parent = await row(input.parentId);
          assertReplyable(parent, submission);
        }
        const [last] = await db
          .query()
          .select({ body: comments.body })
          .from(comments)
          .where(eq(comments.clientHash, submission.clientHash))
          .orderBy(desc(comments.id))
          .limit(1);
        assertNotRepeated(last, input.body);
        const at = submission.at;
        const id = await insert(
          {
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
          },
          parent,
        );
        await touchIfPublic(articleId, submission.status === 'approved', at);
        const created = await get(id);
        const recorded = { resource: 'comment', id, slug: null, at, data: () => created } as const;
        await events.record({ type: 'comment.created', ...recorded });
        if (created.status === 'approved') await events.record({ type: 'comment.approved', ...recorded });
        return created;
      }),

    update: (id, patch, audience) =>
      db.write(async () => {
        const current = await get(id, audience);
        if (current.deleted)
          throw new DomainError('conflict', 'comment-deleted', 'A deleted comment cannot be edited');
        await db
          .query()
          .update(comments)
          .set({ status: patch.status, body: patch.body, updatedAt: audience.now })
          .where(eq(comments.id, id));
        const updated = await get(id);
        await touchIfPublic(
          current.articleId,
          publiclyShown(current) || publiclyShown(updated),
          audience.now,
        );
        if (updated.status === 'approved' && current.status !== 'approved') {
          await events.record({
            type: 'comment.approved',
            resource: 'comment',
            id,
            slug: null,
            at: audience.now,
            data: () => updated,
          });
        }
        return updated;
      }),

    delete: (id, audience) =>
      db.write(async () => {
        const current = await get(id, audience);
        const [reply] = await db
          .query()
          .select({ id: comments.id })
          .from(comments)
          .where(eq(comments.parentId, id))
          .limit(1);
        if (reply) {
          await db
            .query()
            .update(comments)
            .set({ deleted: true, body: '', authorName: '', authorEmail: '', updatedAt: audience.now })
            .where(eq(comments.id, id));
        } else {
          await db.query().delete(comments).where(eq(comments.id, id));
        }
        await touchIfPublic(current.articleId, publiclyShown(current), audience.now);
        await events.forget('comment', [id]);
        await events.record({
          type: 'comment.deleted',
          resource: 'comment',
          id,
          slug: null,
          at: audience.now,
          data: () => ({ id, articleId: current.articleId }),
        });
      }),
  };
}

/** A comment from an archive, as it was (see CommentsRepository.importComment). */
function importComment(
  db: Database,
  { events, get, row, insert, touchIfPublic, idOfSource }: CommentParts,
  item: Parameters<CommentsRepository['importComment']>[0],
): Promise<'created' | 'updated' | 'unchanged'> {
  const { comments } = db.tables;
  return db.write(async () => {
    const existingId = await idOfSource(item.sourceId);
    if (existingId !== undefined) {
      const current = await get(existingId);
      if (current.body === item.body && current.status === item.status) return 'unchanged';
      await db
        .query()
        .update(comments)
        .set({ body: item.body, status: item.status })
        .where(eq(comments.id, existingId));
      await touchIfPublic(item.articleId, true, item.at);
      return 'updated';
    }
    let parent = item.parentId === null ? undefined : await row(item.parentId);
    while (parent && parent.depth >= MAX_COMMENT_DEPTH && parent.parentId !== null) {
      parent = await row(parent.parentId);
    }
    const id = await insert(
      {
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
      },
      parent,
    );
    await touchIfPublic(item.articleId, item.status === 'approved', item.at);
    await events.record({
      type: 'comment.created',
      resource: 'comment',
      id,
      slug: null,
      at: item.at,
      data: () => get(id),
    });
    return 'created';
  });
}
