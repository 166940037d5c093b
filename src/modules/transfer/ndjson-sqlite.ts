import { asc, eq } from 'drizzle-orm';
import type { ContentStateRepository } from '../../db/content-state.js';
import { writeTransaction } from '../../db/helpers.js';
import type { DatabaseHandle, Db } from '../../db/index.js';
import {
  articleBodies,
  articleRevisions,
  articles,
  articleTags,
  comments,
  sections,
  tags,
} from '../../db/schema.js';
import { cacheKeys } from '../../lib/cache-keys.js';
import { RENDER_VERSION, renderMarkdown } from '../../lib/markdown.js';
import { type ArticleItem, articleItem, type Item, type NdjsonSource, type NdjsonTarget } from './ndjson.js';

/** NDJSON export from SQLite. */
export function sqliteNdjsonSource(db: Db): NdjsonSource {
  return {
    sections: async () => db.select().from(sections).all(),
    tags: async () => db.select().from(tags).all(),
    articleIds: async () =>
      db
        .select({ id: articles.id })
        .from(articles)
        .all()
        .map((row) => row.id),
    article: async (id) => {
      const row = db.select().from(articles).where(eq(articles.id, id)).get();
      if (!row) return undefined;
      const body = db
        .select({ body: articleBodies.body })
        .from(articleBodies)
        .where(eq(articleBodies.articleId, id))
        .get();
      const tagIds = db
        .select({ id: articleTags.tagId })
        .from(articleTags)
        .where(eq(articleTags.articleId, id))
        .orderBy(asc(articleTags.position))
        .all()
        .map((link) => link.id);
      const revisions = db
        .select()
        .from(articleRevisions)
        .where(eq(articleRevisions.articleId, id))
        .orderBy(asc(articleRevisions.number))
        .all();
      return articleItem(row, body?.body ?? '', tagIds, revisions);
    },
    comments: async () =>
      db
        .select()
        .from(comments)
        .all()
        .map(({ clientHash: _private, ...row }) => row),
  };
}

/** Writes one item exactly as exported, under its id: inserted, or overwritten when it differs. */
function restore(db: Db, line: Item): 'created' | 'updated' | 'unchanged' {
  const upsert = <T extends Record<string, unknown>>(
    table: typeof sections | typeof tags | typeof comments,
    row: T,
    existing: Record<string, unknown> | undefined,
  ) => {
    if (!existing) {
      db.insert(table)
        .values(row as never)
        .run();
      return 'created' as const;
    }
    const same = Object.entries(row).every(
      ([key, value]) => JSON.stringify(existing[key]) === JSON.stringify(value),
    );
    if (same) return 'unchanged' as const;
    db.update(table)
      .set(row as never)
      .where(eq(table.id, row.id as number))
      .run();
    return 'updated' as const;
  };
  if (line.kind === 'section') {
    const { kind: _kind, ...row } = line;
    return upsert(sections, row, db.select().from(sections).where(eq(sections.id, row.id)).get());
  }
  if (line.kind === 'tag') {
    const { kind: _kind, ...row } = line;
    return upsert(tags, row, db.select().from(tags).where(eq(tags.id, row.id)).get());
  }
  if (line.kind === 'comment') {
    const { kind: _kind, ...row } = line;
    return upsert(comments, row, db.select().from(comments).where(eq(comments.id, row.id)).get());
  }
  return restoreArticle(db, line);
}

function restoreArticle(db: Db, line: ArticleItem): 'created' | 'updated' | 'unchanged' {
  const { kind: _kind, body, tagIds, revisions, ...row } = line;
  const existing = db.select().from(articles).where(eq(articles.id, row.id)).get();
  if (existing && existing.version === row.version && existing.updatedAt === row.updatedAt)
    return 'unchanged';
  const rendering = renderMarkdown(body);
  const rendered = {
    wordCount: rendering.wordCount,
    autoExcerpt: rendering.excerpt,
    renderVersion: RENDER_VERSION,
  };
  const bodyRow = { body, bodyHtml: rendering.html, toc: rendering.toc, bodyText: rendering.text };
  if (existing) {
    db.update(articles)
      .set({ ...row, ...rendered })
      .where(eq(articles.id, row.id))
      .run();
    db.update(articleBodies).set(bodyRow).where(eq(articleBodies.articleId, row.id)).run();
    db.delete(articleTags).where(eq(articleTags.articleId, row.id)).run();
    db.delete(articleRevisions).where(eq(articleRevisions.articleId, row.id)).run();
  } else {
    db.insert(articles)
      .values({ ...row, ...rendered })
      .run();
  }
  // Tags before the body: each tag link rewrites the article's full-text row, cheap while
  // the body is not in it yet (the body's own trigger indexes it once).
  if (tagIds.length > 0) {
    db.insert(articleTags)
      .values(tagIds.map((tagId, position) => ({ articleId: row.id, tagId, position })))
      .run();
  }
  if (!existing) {
    db.insert(articleBodies)
      .values({ articleId: row.id, ...bodyRow })
      .run();
  }
  if (revisions.length > 0) {
    db.insert(articleRevisions)
      .values(revisions.map((revision) => ({ articleId: row.id, ...revision })))
      .run();
  }
  return existing ? 'updated' : 'created';
}

/**
 * NDJSON import into SQLite: a batch is one BEGIN IMMEDIATE ... COMMIT, each line a savepoint.
 * A dry run is already inside the transaction it will roll back, so it never commits.
 */
export function sqliteNdjsonTarget(
  { db, sqlite: client }: DatabaseHandle,
  contentState: ContentStateRepository,
  now: () => Date,
): NdjsonTarget {
  const batching = !client.inTransaction;
  return {
    async restoreBatch(items, settle) {
      if (batching) client.exec('BEGIN IMMEDIATE');
      for (const item of items) {
        try {
          const outcome = writeTransaction(db, () => {
            const result = restore(db, item);
            // Restored rows can be of any kind: every cached response depends on this key.
            if (result !== 'unchanged') contentState.touchPublic(now().toISOString(), [cacheKeys.everything]);
            return result;
          });
          settle(item, outcome);
        } catch (error) {
          settle(item, error as Error);
        }
      }
      if (batching) client.exec('COMMIT');
    },
    async finish() {},
  };
}
