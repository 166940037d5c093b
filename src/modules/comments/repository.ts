import { and, desc, eq, or, type SQL, sql } from 'drizzle-orm';
import type { Database, Tables } from '../../db/database.js';
import { idWhere, qualified, withPagination } from '../../db/helpers.js';
import { cacheKeys } from '../../lib/cache-keys.js';
import { notFound } from '../../lib/errors.js';
import { type Audience, publishedBy, visibleArticles } from '../articles/visibility.js';
import type { ContentStateRepository } from '../content-state/repository.js';
import type { EventsRepository } from '../events/repository.js';
import { asThreadItem, type CommentRow, pathOf, type Row, type Submission } from './rules.js';
import type { CommentPatch } from './schemas.js';
import { createCommentWrites } from './writes.js';

export type { CommentRow, Row, Submission };

type Page<T> = { items: T[]; total: number };

export interface CommentsRepository {
  find(id: number, audience?: Audience): Promise<CommentRow | undefined>;
  get(id: number, audience?: Audience): Promise<CommentRow>;
  /** The comment an import made from this source, if any. */
  idOfSource(sourceId: string): Promise<number | undefined>;
  /**
   * A comment from an archive, as it was: its author, date and status, under `parentId`
   * (deeper than replies may nest, it joins the deepest allowed ancestor). Created, or
   * updated when its body or status changed; returns which.
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
  }): Promise<'created' | 'updated' | 'unchanged'>;
  /** An article's public thread: approved comments and tombstones, in reading order. */
  thread(articleId: number, page: number, perPage: number): Promise<Page<CommentRow>>;
  /** The moderation queue across articles, newest first, over the articles the audience sees. */
  queue(
    options: { status?: Row['status']; articleId?: number; page: number; perPage: number },
    audience: Audience,
  ): Promise<Page<CommentRow>>;
  submit(submission: Submission): Promise<CommentRow>;
  update(id: number, patch: CommentPatch, audience: Audience): Promise<CommentRow>;
  /**
   * Deletes a comment. One with replies becomes a tombstone (emptied, `deleted: true`) so its
   * thread still reads; one without replies is removed.
   */
  delete(id: number, audience: Audience): Promise<void>;
}

const columnsOf = ({ comments }: Tables) => ({
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
});

/** Comments of articles this audience sees: a moderator without `content:read` sees no draft's. */
function onVisibleArticles({ articles, comments }: Tables, audience: Audience): SQL | undefined {
  const visible = visibleArticles(audience, articles);
  return visible
    ? sql`exists (select 1 from ${articles} where ${qualified(articles.id)} = ${qualified(comments.articleId)} and ${visible})`
    : undefined;
}

/** Comments: threads up to MAX_COMMENT_DEPTH deep, moderated, over the articles each audience sees. */
export function createCommentsRepository(
  db: Database,
  contentState: ContentStateRepository,
  events: EventsRepository,
): CommentsRepository {
  const { articles, comments } = db.tables;
  const columns = columnsOf(db.tables);
  const find = async (id: number, audience?: Audience) => {
    const [row] = await db
      .query()
      .select(columns)
      .from(comments)
      .where(and(eq(comments.id, id), audience ? onVisibleArticles(db.tables, audience) : undefined));
    return row;
  };
  const get = async (id: number, audience?: Audience) => {
    const row = await find(id, audience);
    if (!row) throw notFound('comment', id);
    return row;
  };
  const row = async (id: number): Promise<Row | undefined> => {
    const [found] = await db.query().select().from(comments).where(eq(comments.id, id));
    return found;
  };
  const touchIfPublic = async (articleId: number, shown: boolean, at: string) => {
    if (!shown) return;
    const [live] = await db
      .query()
      .select({ id: articles.id })
      .from(articles)
      .where(and(eq(articles.id, articleId), publishedBy(at, articles)));
    if (live) await contentState.touchPublic(at, [cacheKeys.article(articleId)]);
  };
  const idOfSource = (sourceId: string) => idWhere(db, comments, eq(comments.sourceId, sourceId));
  const insert = async (values: Tables['comments']['$inferInsert'], parent: Row | undefined) => {
    const [created] = await db.query().insert(comments).values(values).returning({ id: comments.id });
    const id = created?.id as number;
    await db
      .query()
      .update(comments)
      .set({ path: pathOf(id, parent) })
      .where(eq(comments.id, id));
    return id;
  };
  const page = async (where: SQL | undefined, order: SQL[], pageNumber: number, perPage: number) => {
    const items = await withPagination(
      db
        .query()
        .select(columns)
        .from(comments)
        .where(where)
        .orderBy(...order)
        .$dynamic(),
      pageNumber,
      perPage,
    );
    const total = await db.query().$count(comments, where);
    return { items, total };
  };

  return {
    find,
    get,
    idOfSource,

    ...createCommentWrites(db, { events, get, row, insert, touchIfPublic, idOfSource }),

    async thread(articleId, pageNumber, perPage) {
      const where = and(
        eq(comments.articleId, articleId),
        or(eq(comments.status, 'approved'), eq(comments.deleted, true)),
      );
      // Paths are digits and slashes: compared byte by byte whatever the collation.
      const { items, total } = await page(
        where,
        [db.dialect.byCodePoint(comments.path)],
        pageNumber,
        perPage,
      );
      return { items: items.map(asThreadItem), total };
    },

    queue(options, audience) {
      const where = and(
        onVisibleArticles(db.tables, audience),
        options.status ? eq(comments.status, options.status) : undefined,
        options.articleId !== undefined ? eq(comments.articleId, options.articleId) : undefined,
      );
      return page(where, [desc(comments.createdAt), desc(comments.id)], options.page, options.perPage);
    },
  };
}
