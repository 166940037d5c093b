import { createHash } from 'node:crypto';
import { asc, eq } from 'drizzle-orm';
import type { Database, Tables } from '../../db/database.js';
import { cacheKeys } from '../../lib/cache-keys.js';
import { RENDER_VERSION, renderMarkdown } from '../../lib/markdown.js';
import type { ContentStateRepository } from '../content-state/repository.js';
import { placeholderIds } from '../media/inline.js';
import { recordBodyImages } from '../media/repository.js';
import { type ArticleItem, articleItem, type Item, type NdjsonSource, type NdjsonTarget } from './ndjson.js';

// NDJSON rows read from and written to a store: the same lines, byte for byte, from either.

/** NDJSON export. */
export function ndjsonSource(db: Database): NdjsonSource {
  const {
    articleBodies,
    articleRevisions,
    articleCorrections,
    articles,
    articleTags,
    articleAuthors,
    authors,
    comments,
    media,
    mediaOriginals,
    sections,
    tags,
  } = db.tables;
  const query = db.query();
  return {
    sections: () => query.select().from(sections),
    tags: () => query.select().from(tags),
    // bio_html is the bio rendered: derived again on import, like article bodies.
    authors: async () => (await query.select().from(authors)).map(({ bioHtml: _derived, ...row }) => row),
    mediaIds: async () => (await query.select({ id: media.id }).from(media)).map((row) => row.id),
    media: async (id) => {
      const [row] = await query.select().from(media).where(eq(media.id, id));
      const [original] = await query.select().from(mediaOriginals).where(eq(mediaOriginals.mediaId, id));
      return row && original && { ...row, data: Buffer.from(original.data).toString('base64') };
    },
    articleIds: async () => (await query.select({ id: articles.id }).from(articles)).map((row) => row.id),
    article: async (id) => {
      const [row] = await query.select().from(articles).where(eq(articles.id, id));
      if (!row) return undefined;
      const [body] = await query
        .select({ body: articleBodies.body })
        .from(articleBodies)
        .where(eq(articleBodies.articleId, id));
      const tagLinks = await query
        .select({ id: articleTags.tagId })
        .from(articleTags)
        .where(eq(articleTags.articleId, id))
        .orderBy(asc(articleTags.position));
      const authorLinks = await query
        .select({ id: articleAuthors.authorId })
        .from(articleAuthors)
        .where(eq(articleAuthors.articleId, id))
        .orderBy(asc(articleAuthors.position));
      const revisions = await query
        .select()
        .from(articleRevisions)
        .where(eq(articleRevisions.articleId, id))
        .orderBy(asc(articleRevisions.number));
      const corrections = await query
        .select()
        .from(articleCorrections)
        .where(eq(articleCorrections.articleId, id))
        .orderBy(asc(articleCorrections.id));
      return articleItem(
        row,
        body?.body ?? '',
        { tagIds: tagLinks.map((link) => link.id), authorIds: authorLinks.map((link) => link.id) },
        { revisions, corrections },
      );
    },
    comments: async () =>
      (await query.select().from(comments)).map(({ clientHash: _private, ...row }) => row),
  };
}

type Outcome = 'created' | 'updated' | 'unchanged';

/** Inserts a row under its id, or overwrites the row there when it differs. */
async function upsert(
  db: Database,
  table: Tables['sections' | 'tags' | 'authors' | 'media' | 'comments'],
  row: { id: number },
) {
  const query = db.query();
  const [existing] = (await query.select().from(table).where(eq(table.id, row.id))) as Record<
    string,
    unknown
  >[];
  if (!existing) {
    await query.insert(table).values(row as never);
    return 'created' as const;
  }
  const same = Object.entries(row).every(
    ([key, value]) => JSON.stringify(existing[key]) === JSON.stringify(value),
  );
  if (same) return 'unchanged' as const;
  await query
    .update(table)
    .set(row as never)
    .where(eq(table.id, row.id));
  return 'updated' as const;
}

/** Writes one item exactly as exported, under its id: inserted, or overwritten when it differs. */
function restore(db: Database, line: Item): Promise<Outcome> {
  const { kind, ...row } = line;
  if (kind === 'section') return upsert(db, db.tables.sections, row);
  if (kind === 'tag') return upsert(db, db.tables.tags, row);
  if (kind === 'media') return restoreMedia(db, line as MediaItem);
  if (kind === 'author') {
    const { bio } = row as { bio: string | null };
    return upsert(db, db.tables.authors, {
      ...row,
      bioHtml: bio === null ? '' : renderMarkdown(bio).html,
    } as never);
  }
  if (kind === 'comment') return upsert(db, db.tables.comments, row);
  return restoreArticle(db, line as ArticleItem);
}

type MediaItem = Extract<Item, { kind: 'media' }>;

/** An image and its file, byte for byte: a file whose hash is not its contentHash is refused. */
async function restoreMedia(db: Database, line: MediaItem): Promise<Outcome> {
  const { media, mediaOriginals } = db.tables;
  const { kind: _kind, data, ...row } = line;
  const bytes = Buffer.from(data, 'base64');
  if (createHash('sha256').update(bytes).digest('hex') !== row.contentHash) {
    throw new Error('the file does not match its contentHash (damaged or edited)');
  }
  const outcome = await upsert(db, media, row);
  await db
    .query()
    .insert(mediaOriginals)
    .values({ mediaId: row.id, data: bytes })
    .onConflictDoUpdate({ target: mediaOriginals.mediaId, set: { data: bytes } });
  return outcome;
}

async function restoreArticle(db: Database, line: ArticleItem): Promise<Outcome> {
  const { articleBodies, articleRevisions, articleCorrections, articles, articleTags, articleAuthors } =
    db.tables;
  const query = db.query();
  const { kind: _kind, body, tagIds, authorIds = [], revisions, corrections = [], ...row } = line;
  const [existing] = await query.select().from(articles).where(eq(articles.id, row.id));
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
    await query
      .update(articles)
      .set({ ...row, ...rendered })
      .where(eq(articles.id, row.id));
    await query.update(articleBodies).set(bodyRow).where(eq(articleBodies.articleId, row.id));
    await query.delete(articleTags).where(eq(articleTags.articleId, row.id));
    await query.delete(articleAuthors).where(eq(articleAuthors.articleId, row.id));
    await query.delete(articleRevisions).where(eq(articleRevisions.articleId, row.id));
    await query.delete(articleCorrections).where(eq(articleCorrections.articleId, row.id));
  } else {
    await query.insert(articles).values({ ...row, ...rendered });
  }
  // Tags before the body: each tag link rewrites the article's full-text row, cheap while
  // the body is not in it yet (the body's own trigger indexes it once).
  if (tagIds.length > 0) {
    await query
      .insert(articleTags)
      .values(tagIds.map((tagId, position) => ({ articleId: row.id, tagId, position })));
  }
  if (authorIds.length > 0) {
    await query
      .insert(articleAuthors)
      .values(authorIds.map((authorId, position) => ({ articleId: row.id, authorId, position })));
  }
  if (!existing) await query.insert(articleBodies).values({ articleId: row.id, ...bodyRow });
  // The media lines came first: an image the body shows and the file lacks fails the line.
  await recordBodyImages(db, row.id, placeholderIds(rendering.html));
  if (corrections.length > 0) {
    await query.insert(articleCorrections).values(
      corrections.map((entry) => ({
        articleId: row.id,
        ...entry,
        textHtml: renderMarkdown(entry.text).html,
      })),
    );
  }
  if (revisions.length > 0) {
    await query
      .insert(articleRevisions)
      .values(revisions.map((revision) => ({ articleId: row.id, ...revision })));
  }
  return existing ? 'updated' : 'created';
}

/** Tables whose ids an import sets itself: the store's id sequences must move past them. */
const EXPLICIT_IDS = [
  'sections',
  'tags',
  'authors',
  'media',
  'articles',
  'article_revisions',
  'article_corrections',
  'comments',
];

/**
 * NDJSON import: a batch is one write transaction, each line a savepoint (a bad line undoes only
 * itself). A dry run runs the whole import inside a transaction it then rolls back.
 */
export function ndjsonTarget(
  db: Database,
  contentState: ContentStateRepository,
  now: () => Date,
  /** After the last line: an export from before authors carries bylines as text, to adopt. */
  afterImport: () => Promise<unknown>,
): NdjsonTarget {
  return {
    restoreBatch: (items, settle) =>
      db.write(async () => {
        for (const item of items) {
          try {
            const outcome = await db.write(async () => {
              const result = await restore(db, item);
              // Restored rows can be of any kind: every cached response depends on this key.
              if (result !== 'unchanged')
                await contentState.touchPublic(now().toISOString(), [cacheKeys.everything]);
              return result;
            });
            settle(item, outcome);
          } catch (error) {
            // Drizzle wraps the database's error in one quoting the query and its parameters
            // (e-mail addresses among them): the report gives the database's reason only.
            settle(item, ((error as Error).cause as Error | undefined) ?? (error as Error));
          }
        }
      }),
    finish: async () => {
      await db.write(() => db.dialect.afterExplicitIds(db.query(), EXPLICIT_IDS));
      await afterImport();
    },
  };
}
