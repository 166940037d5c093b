import { and, count, desc, eq, or, type SQL, sql } from 'drizzle-orm';
import type { Asynchronous } from '../../db/asynchronous.js';
import type { ContentStateRepository } from '../../db/content-state.js';
import { qualified } from '../../db/helpers.js';
import type { PgDb } from '../../db/postgres/index.js';
import { articles, comments } from '../../db/postgres/schema.js';
import { executor, writeTransaction } from '../../db/postgres/transaction.js';
import { cacheKeys } from '../../lib/cache-keys.js';
import { DomainError, notFound } from '../../lib/errors.js';
import { type Audience, publishedBy, visibleArticles } from '../articles/visibility.js';
import type { EventsRepository } from '../events/repository.js';
import {
  assertNotRepeated,
  assertReplyable,
  asThreadItem,
  type CommentsRepository,
  pathOf,
  publiclyShown,
  type Row,
} from './repository.js';
import { MAX_COMMENT_DEPTH } from './schemas.js';

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

function onVisibleArticles(audience: Audience): SQL | undefined {
  const visible = visibleArticles(audience, articles);
  return visible
    ? sql`exists (select 1 from ${articles} where ${qualified(articles.id)} = ${qualified(comments.articleId)} and ${visible})`
    : undefined;
}

/** Comments on PostgreSQL (see ./repository.ts for the rules). */
export function createPostgresCommentsRepository(
  db: PgDb,
  contentState: Asynchronous<ContentStateRepository>,
  events: Asynchronous<EventsRepository, 'onRecorded'>,
): Asynchronous<CommentsRepository> {
  const find = async (id: number, audience?: Audience) => {
    const [row] = await executor(db)
      .select(columns)
      .from(comments)
      .where(and(eq(comments.id, id), audience ? onVisibleArticles(audience) : undefined));
    return row;
  };
  const get = async (id: number, audience?: Audience) => {
    const row = await find(id, audience);
    if (!row) throw notFound('comment', id);
    return row;
  };
  const row = async (id: number): Promise<Row | undefined> => {
    const [found] = await executor(db).select().from(comments).where(eq(comments.id, id));
    return found;
  };
  const touchIfPublic = async (articleId: number, shown: boolean, at: string) => {
    if (!shown) return;
    const [live] = await executor(db)
      .select({ id: articles.id })
      .from(articles)
      .where(and(eq(articles.id, articleId), publishedBy(at, articles)));
    if (live) await contentState.touchPublic(at, [cacheKeys.article(articleId)]);
  };
  const idOfSource = async (sourceId: string) => {
    const [found] = await executor(db)
      .select({ id: comments.id })
      .from(comments)
      .where(eq(comments.sourceId, sourceId));
    return found?.id;
  };
  const insert = async (values: typeof comments.$inferInsert, parent: Row | undefined) => {
    const [created] = await executor(db).insert(comments).values(values).returning({ id: comments.id });
    const id = created?.id as number;
    await executor(db)
      .update(comments)
      .set({ path: pathOf(id, parent) })
      .where(eq(comments.id, id));
    return id;
  };
  const page = async (where: SQL | undefined, order: SQL[], pageNumber: number, perPage: number) => {
    const items = await executor(db)
      .select(columns)
      .from(comments)
      .where(where)
      .orderBy(...order)
      .limit(perPage)
      .offset((pageNumber - 1) * perPage);
    const [total] = await executor(db).select({ n: count() }).from(comments).where(where);
    return { items, total: total?.n ?? 0 };
  };

  return {
    find,
    get,
    idOfSource,

    async importComment(item) {
      const existingId = await idOfSource(item.sourceId);
      if (existingId !== undefined) {
        const current = await get(existingId);
        if (current.body === item.body && current.status === item.status) return 'unchanged';
        await executor(db)
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
    },

    async thread(articleId, pageNumber, perPage) {
      const where = and(
        eq(comments.articleId, articleId),
        or(eq(comments.status, 'approved'), eq(comments.deleted, true)),
      );
      // Paths are digits and slashes: compared byte by byte whatever the collation.
      const { items, total } = await page(where, [sql`${comments.path} collate "C"`], pageNumber, perPage);
      return { items: items.map(asThreadItem), total };
    },

    queue(options, audience) {
      const where = and(
        onVisibleArticles(audience),
        options.status ? eq(comments.status, options.status) : undefined,
        options.articleId !== undefined ? eq(comments.articleId, options.articleId) : undefined,
      );
      return page(where, [desc(comments.createdAt), desc(comments.id)], options.page, options.perPage);
    },

    submit: (submission) =>
      writeTransaction(db, async () => {
        const { input, articleId } = submission;
        if (!submission.commentsEnabled) {
          throw new DomainError('conflict', 'comments-closed', 'Comments are closed on this article');
        }
        let parent: Row | undefined;
        if (input.parentId !== undefined) {
          parent = await row(input.parentId);
          assertReplyable(parent, submission);
        }
        const [last] = await executor(db)
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
      writeTransaction(db, async () => {
        const current = await get(id, audience);
        if (current.deleted)
          throw new DomainError('conflict', 'comment-deleted', 'A deleted comment cannot be edited');
        await executor(db)
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
      writeTransaction(db, async () => {
        const current = await get(id, audience);
        const [reply] = await executor(db)
          .select({ id: comments.id })
          .from(comments)
          .where(eq(comments.parentId, id))
          .limit(1);
        if (reply) {
          await executor(db)
            .update(comments)
            .set({ deleted: true, body: '', authorName: '', authorEmail: '', updatedAt: audience.now })
            .where(eq(comments.id, id));
        } else {
          await executor(db).delete(comments).where(eq(comments.id, id));
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
