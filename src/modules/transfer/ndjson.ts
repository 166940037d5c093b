import { once } from 'node:events';
import { createReadStream, createWriteStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { asc, eq, sql } from 'drizzle-orm';
import { type Static, Type } from 'typebox';
import { Compile } from 'typebox/compile';
import type { ContentStateRepository } from '../../db/content-state.js';
import { writeTransaction } from '../../db/helpers.js';
import type { DatabaseHandle, Db } from '../../db/index.js';
import {
  ARTICLE_STATUSES,
  articleBodies,
  articleRevisions,
  articles,
  articleTags,
  COMMENT_STATUSES,
  comments,
  sections,
  tags,
} from '../../db/schema.js';
import { cacheKeys } from '../../lib/cache-keys.js';
import { RENDER_VERSION, renderMarkdown } from '../../lib/markdown.js';
import type { ImportReport } from './report.js';

export const NDJSON_FORMAT = 'broadsheet.ndjson/1';

const nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) =>
  Type.Union([schema, Type.Null()]);
const slug = Type.String({ pattern: '^[a-z0-9]+(-[a-z0-9]+)*$', maxLength: 200 });
const instant = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?Z$' });
const id = Type.Integer({ minimum: 1 });

/** One line per item, typed by `kind`, in an order that imports in one pass (parents first). */
const Line = Type.Union([
  Type.Object(
    { kind: Type.Literal('broadsheet'), format: Type.Literal(NDJSON_FORMAT) },
    { additionalProperties: false },
  ),
  Type.Object(
    {
      kind: Type.Literal('section'),
      id,
      slug,
      name: Type.String({ minLength: 1, maxLength: 100 }),
      description: nullable(Type.String()),
      parentId: nullable(id),
      position: Type.Integer(),
      sourceId: nullable(Type.String()),
      createdAt: instant,
      updatedAt: instant,
    },
    { additionalProperties: false },
  ),
  Type.Object(
    {
      kind: Type.Literal('tag'),
      id,
      slug,
      name: Type.String({ minLength: 1, maxLength: 100 }),
      description: nullable(Type.String()),
      sourceId: nullable(Type.String()),
      createdAt: instant,
      updatedAt: instant,
    },
    { additionalProperties: false },
  ),
  Type.Object(
    {
      kind: Type.Literal('article'),
      id,
      slug,
      title: Type.String({ minLength: 1 }),
      subtitle: nullable(Type.String()),
      excerpt: nullable(Type.String()),
      body: Type.String(),
      status: Type.Enum([...ARTICLE_STATUSES]),
      trashedFrom: nullable(Type.Enum([...ARTICLE_STATUSES])),
      trashedAt: nullable(instant),
      sectionId: nullable(id),
      tagIds: Type.Array(id),
      author: nullable(Type.String()),
      publishedAt: nullable(instant),
      commentsEnabled: Type.Boolean(),
      version: Type.Integer({ minimum: 1 }),
      announced: Type.Boolean(),
      sourceId: nullable(Type.String()),
      createdAt: instant,
      updatedAt: instant,
      revisions: Type.Array(
        Type.Object(
          {
            number: Type.Integer({ minimum: 1 }),
            createdAt: instant,
            keyName: Type.String(),
            snapshot: Type.Record(Type.String(), Type.Unknown()),
            changes: Type.Array(
              Type.Object({ field: Type.String(), from: Type.Unknown(), to: Type.Unknown() }),
            ),
          },
          { additionalProperties: false },
        ),
      ),
    },
    { additionalProperties: false },
  ),
  Type.Object(
    {
      kind: Type.Literal('comment'),
      id,
      articleId: id,
      parentId: nullable(id),
      depth: Type.Integer({ minimum: 0 }),
      path: Type.String(),
      authorName: Type.String(),
      authorEmail: Type.String(),
      body: Type.String(),
      status: Type.Enum([...COMMENT_STATUSES]),
      deleted: Type.Boolean(),
      sourceId: nullable(Type.String()),
      createdAt: instant,
      updatedAt: instant,
    },
    { additionalProperties: false },
  ),
]);
type LineType = Static<typeof Line>;
/** One validator per kind, so a bad line's error is about its own kind's fields. */
const checkers = new Map(
  Line.anyOf.map((schema) => [String(schema.properties.kind.const), Compile(schema)] as const),
);

/**
 * Writes everything needed to rebuild the site (API keys and webhooks excluded) as NDJSON:
 * sections parents first, tags, articles with their revisions, comments parents first. The
 * output depends on the data only, so exporting a re-imported database gives the same bytes.
 */
export async function exportNdjson(db: Db, file: string): Promise<Record<string, number>> {
  const out = createWriteStream(file);
  const counts: Record<string, number> = { section: 0, tag: 0, article: 0, comment: 0 };
  const write = async (line: LineType) => {
    if (line.kind !== 'broadsheet') counts[line.kind] = (counts[line.kind] ?? 0) + 1;
    if (!out.write(`${JSON.stringify(line)}\n`)) await once(out, 'drain');
  };
  await write({ kind: 'broadsheet', format: NDJSON_FORMAT });
  const tree = db.all<{ id: number }>(sql`with recursive tree(id, depth) as (
      select id, 0 from ${sections} where parent_id is null
      union all select s.id, tree.depth + 1 from ${sections} s join tree on s.parent_id = tree.id)
    select id from tree order by depth, id`);
  for (const { id: sectionId } of tree) {
    const { sourceId, ...row } =
      db.select().from(sections).where(eq(sections.id, sectionId)).get() ?? ({} as never);
    await write({ kind: 'section', ...row, sourceId });
  }
  for (const row of db.select().from(tags).orderBy(asc(tags.id)).all()) await write({ kind: 'tag', ...row });
  const articleIds = db.select({ id: articles.id }).from(articles).orderBy(asc(articles.id)).all();
  for (const { id: articleId } of articleIds) {
    const row = db.select().from(articles).where(eq(articles.id, articleId)).get();
    if (!row) continue;
    const body = db
      .select({ body: articleBodies.body })
      .from(articleBodies)
      .where(eq(articleBodies.articleId, articleId))
      .get();
    const tagIds = db
      .select({ id: articleTags.tagId })
      .from(articleTags)
      .where(eq(articleTags.articleId, articleId))
      .orderBy(asc(articleTags.position))
      .all()
      .map((link) => link.id);
    const revisions = db
      .select()
      .from(articleRevisions)
      .where(eq(articleRevisions.articleId, articleId))
      .orderBy(asc(articleRevisions.number))
      .all()
      .map(({ number, createdAt, keyName, snapshot, changes }) => ({
        number,
        createdAt,
        keyName,
        snapshot,
        changes,
      }));
    await write({
      kind: 'article',
      id: row.id,
      slug: row.slug,
      title: row.title,
      subtitle: row.subtitle,
      excerpt: row.excerpt,
      body: body?.body ?? '',
      status: row.status,
      trashedFrom: row.trashedFrom,
      trashedAt: row.trashedAt,
      sectionId: row.sectionId,
      tagIds,
      author: row.author,
      publishedAt: row.publishedAt,
      commentsEnabled: row.commentsEnabled,
      version: row.version,
      announced: row.announced,
      sourceId: row.sourceId,
      createdAt: row.createdAt,
      updatedAt: row.updatedAt,
      revisions,
    });
  }
  for (const row of db.select().from(comments).orderBy(asc(comments.articleId), asc(comments.path)).all()) {
    const { clientHash: _private, ...rest } = row;
    await write({ kind: 'comment', ...rest });
  }
  out.end();
  await once(out, 'finish');
  return counts;
}

/** Writes one item exactly as exported, under its id: inserted, or overwritten when it differs. */
function restore(
  db: Db,
  line: Exclude<LineType, { kind: 'broadsheet' }>,
): 'created' | 'updated' | 'unchanged' {
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
 * Restores an NDJSON export, each item under its own id and exactly as exported (dates,
 * versions, revisions, statuses), into an empty database or over the one it came from; items
 * already identical are left alone. Every line is checked against its schema and written in
 * its own transaction (foreign keys checked), so a bad line is reported and skips only itself.
 */
export async function importNdjson(
  { db, sqlite: client }: DatabaseHandle,
  contentState: ContentStateRepository,
  file: string,
  report: ImportReport,
  now: () => Date,
): Promise<void> {
  const readLines = () =>
    createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Number.POSITIVE_INFINITY });
  let total = 0;
  for await (const _ of readLines()) total++;
  report.start(total, 'ndjson');
  // Lines are committed 500 at a time (each its own savepoint, so a bad one undoes only
  // itself): one fsync per line made 10,000 articles take minutes. A dry run is already
  // inside the transaction it will roll back.
  const batching = !client.inTransaction;
  let pending = 0;
  const commit = () => {
    if (batching && client.inTransaction) client.exec('COMMIT');
    pending = 0;
  };
  let number = 0;
  for await (const text of readLines()) {
    number++;
    report.tick();
    if (text.trim() === '') continue;
    let line: unknown;
    try {
      line = JSON.parse(text);
    } catch {
      report.fail('line', `line ${number}`, 'not JSON');
      continue;
    }
    const kind = String((line as { kind?: unknown })?.kind ?? 'line');
    const source = `line ${number} (${kind} ${String((line as { id?: unknown })?.id ?? '')})`.replace(
      ' )',
      ')',
    );
    const checker = checkers.get(kind);
    if (!checker) {
      report.fail(kind, source, `unknown kind "${kind}" (${[...checkers.keys()].join(', ')})`);
      continue;
    }
    if (!checker.Check(line)) {
      const first = [...checker.Errors(line)][0];
      report.fail(kind, source, `${first?.instancePath || '/'} ${first?.message ?? 'invalid'}`);
      continue;
    }
    if (kind === 'broadsheet') continue;
    if (batching && !client.inTransaction) client.exec('BEGIN IMMEDIATE');
    try {
      const outcome = writeTransaction(db, () => {
        const result = restore(db, line as Exclude<LineType, { kind: 'broadsheet' }>);
        // Restored rows can be of any kind: every cached response depends on this key.
        if (result !== 'unchanged') contentState.touchPublic(now().toISOString(), [cacheKeys.everything]);
        return result;
      });
      report.count(kind, outcome);
    } catch (error) {
      report.fail(kind, source, (error as Error).message);
    }
    if (++pending >= 500) commit();
  }
  commit();
  report.stop();
}
