import { asc, eq, sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/node-postgres';
import type pg from 'pg';
import { touchPublic } from '../../db/postgres/content-state.js';
import type { PgDb } from '../../db/postgres/index.js';
import * as schema from '../../db/postgres/schema.js';
import { cacheKeys } from '../../lib/cache-keys.js';
import { RENDER_VERSION, renderMarkdown } from '../../lib/markdown.js';
import { type ArticleItem, articleItem, type Item, type NdjsonSource, type NdjsonTarget } from './ndjson.js';

const { articleBodies, articleRevisions, articles, articleTags, comments, sections, tags } = schema;

/** NDJSON export from PostgreSQL: the same lines, byte for byte, as from SQLite. */
export function postgresNdjsonSource(db: PgDb): NdjsonSource {
  return {
    sections: () => db.select().from(sections),
    tags: () => db.select().from(tags),
    articleIds: async () => (await db.select({ id: articles.id }).from(articles)).map((row) => row.id),
    article: async (id) => {
      const [row] = await db.select().from(articles).where(eq(articles.id, id));
      if (!row) return undefined;
      const [body] = await db
        .select({ body: articleBodies.body })
        .from(articleBodies)
        .where(eq(articleBodies.articleId, id));
      const links = await db
        .select({ id: articleTags.tagId })
        .from(articleTags)
        .where(eq(articleTags.articleId, id))
        .orderBy(asc(articleTags.position));
      const revisions = await db
        .select()
        .from(articleRevisions)
        .where(eq(articleRevisions.articleId, id))
        .orderBy(asc(articleRevisions.number));
      return articleItem(
        row,
        body?.body ?? '',
        links.map((link) => link.id),
        revisions,
      );
    },
    comments: async () => (await db.select().from(comments)).map(({ clientHash: _private, ...row }) => row),
  };
}

/** Writes one item exactly as exported, under its id: inserted, or overwritten when it differs. */
async function restore(db: PgDb, line: Item): Promise<'created' | 'updated' | 'unchanged'> {
  const upsert = async <T extends Record<string, unknown>>(
    table: typeof sections | typeof tags | typeof comments,
    row: T,
  ) => {
    const [existing] = (await db
      .select()
      .from(table)
      .where(eq(table.id, row.id as number))) as Record<string, unknown>[];
    if (!existing) {
      await db.insert(table).values(row as never);
      return 'created' as const;
    }
    const same = Object.entries(row).every(
      ([key, value]) => JSON.stringify(existing[key]) === JSON.stringify(value),
    );
    if (same) return 'unchanged' as const;
    await db
      .update(table)
      .set(row as never)
      .where(eq(table.id, row.id as number));
    return 'updated' as const;
  };
  const { kind, ...row } = line;
  if (kind === 'section') return upsert(sections, row);
  if (kind === 'tag') return upsert(tags, row);
  if (kind === 'comment') return upsert(comments, row);
  return restoreArticle(db, line as ArticleItem);
}

async function restoreArticle(db: PgDb, line: ArticleItem): Promise<'created' | 'updated' | 'unchanged'> {
  const { kind: _kind, body, tagIds, revisions, ...row } = line;
  const [existing] = await db.select().from(articles).where(eq(articles.id, row.id));
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
    await db
      .update(articles)
      .set({ ...row, ...rendered })
      .where(eq(articles.id, row.id));
    await db.update(articleBodies).set(bodyRow).where(eq(articleBodies.articleId, row.id));
    await db.delete(articleTags).where(eq(articleTags.articleId, row.id));
    await db.delete(articleRevisions).where(eq(articleRevisions.articleId, row.id));
  } else {
    await db.insert(articles).values({ ...row, ...rendered });
    await db.insert(articleBodies).values({ articleId: row.id, ...bodyRow });
  }
  if (tagIds.length > 0) {
    await db
      .insert(articleTags)
      .values(tagIds.map((tagId, position) => ({ articleId: row.id, tagId, position })));
  }
  if (revisions.length > 0) {
    await db
      .insert(articleRevisions)
      .values(revisions.map((revision) => ({ articleId: row.id, ...revision })));
  }
  return existing ? 'updated' : 'created';
}

/** Tables whose ids an import sets itself: their identity sequences must move past them. */
const IDENTITIES = ['sections', 'tags', 'articles', 'article_revisions', 'comments'];

/**
 * NDJSON import into PostgreSQL on one connection: a batch is one transaction, each line a
 * savepoint. A dry run keeps the whole import in one transaction and rolls it back.
 */
export async function postgresNdjsonTarget(
  pool: pg.Pool,
  now: () => Date,
  options: { dryRun: boolean },
): Promise<NdjsonTarget> {
  const client = await pool.connect();
  const db = drizzle(client, { schema });
  if (options.dryRun) await client.query('begin');
  return {
    async restoreBatch(items, settle) {
      if (!options.dryRun) await client.query('begin');
      try {
        for (const item of items) {
          await client.query('savepoint item');
          try {
            const outcome = await restore(db, item);
            // Restored rows can be of any kind: every cached response depends on this key.
            if (outcome !== 'unchanged') await touchPublic(db, now().toISOString(), [cacheKeys.everything]);
            await client.query('release savepoint item');
            settle(item, outcome);
          } catch (error) {
            await client.query('rollback to savepoint item');
            // Drizzle wraps the server's error in one quoting the query and its parameters
            // (e-mail addresses among them): the report gives the server's reason only.
            settle(item, ((error as Error).cause as Error | undefined) ?? (error as Error));
          }
        }
        if (!options.dryRun) await client.query('commit');
      } catch (error) {
        await client.query('rollback');
        throw error;
      }
    },
    async finish() {
      try {
        for (const table of IDENTITIES) {
          await db.execute(
            sql`select setval(pg_get_serial_sequence(${table}, 'id'), coalesce(max(id), 1), max(id) is not null) from ${sql.identifier(table)}`,
          );
        }
        if (options.dryRun) await client.query('rollback');
      } finally {
        client.release();
      }
    },
  };
}
