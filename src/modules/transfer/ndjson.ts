import { once } from 'node:events';
import { createReadStream, createWriteStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { type Static, Type } from 'typebox';
import { Compile } from 'typebox/compile';
import { ARTICLE_STATUSES, COMMENT_STATUSES } from '../../db/schema.js';
import { CORRECTION_KINDS } from '../../db/schema-newsroom.js';
import type { ImportReport, Outcome } from './report.js';

// The NDJSON format and what both stores share: the export's order, line checks, batching.
// Each store reads and writes rows in its own module (ndjson-sqlite.ts, ndjson-postgres.ts).

export const NDJSON_FORMAT = 'broadsheet.ndjson/1';

const nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) =>
  Type.Union([schema, Type.Null()]);
const slug = Type.String({ pattern: '^[a-z0-9]+(-[a-z0-9]+)*$', maxLength: 200 });
const instant = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?Z$' });
const id = Type.Integer({ minimum: 1 });
/** What sections and tags lines share. */
const term = {
  id,
  slug,
  name: Type.String({ minLength: 1, maxLength: 100 }),
  description: nullable(Type.String()),
  sourceId: nullable(Type.String()),
  createdAt: instant,
  updatedAt: instant,
};

/** One line per item, typed by `kind`, in an order that imports in one pass (parents first). */
const Line = Type.Union([
  Type.Object(
    { kind: Type.Literal('broadsheet'), format: Type.Literal(NDJSON_FORMAT) },
    { additionalProperties: false },
  ),
  Type.Object(
    { kind: Type.Literal('section'), ...term, parentId: nullable(id), position: Type.Integer() },
    { additionalProperties: false },
  ),
  Type.Object({ kind: Type.Literal('tag'), ...term }, { additionalProperties: false }),
  Type.Object(
    {
      kind: Type.Literal('author'),
      id,
      slug,
      name: Type.String({ minLength: 1, maxLength: 200 }),
      bio: nullable(Type.String()),
      jobTitle: nullable(Type.String()),
      website: nullable(Type.String()),
      avatarId: Type.Optional(nullable(id)),
      email: nullable(Type.String()),
      sourceId: nullable(Type.String()),
      createdAt: instant,
      updatedAt: instant,
    },
    { additionalProperties: false },
  ),
  Type.Object(
    {
      kind: Type.Literal('media'),
      id,
      filename: Type.String({ minLength: 1 }),
      mimeType: Type.String({ pattern: '^image/' }),
      bytes: Type.Integer({ minimum: 0 }),
      width: Type.Integer({ minimum: 1 }),
      height: Type.Integer({ minimum: 1 }),
      alt: Type.String(),
      caption: nullable(Type.String()),
      credit: nullable(Type.String()),
      focalX: Type.Number({ minimum: 0, maximum: 1 }),
      focalY: Type.Number({ minimum: 0, maximum: 1 }),
      placeholder: Type.String(),
      contentHash: Type.String({ pattern: '^[0-9a-f]{64}$' }),
      sourceId: nullable(Type.String()),
      createdAt: instant,
      updatedAt: instant,
      /** The uploaded file, base64: restored byte for byte (checked against contentHash). */
      data: Type.String({ contentEncoding: 'base64' }),
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
      featuredImageId: Type.Optional(nullable(id)),
      tagIds: Type.Array(id),
      /** The byline in order; files from before authors have none (their `author` is text). */
      authorIds: Type.Optional(Type.Array(id)),
      author: nullable(Type.String()),
      publishedAt: nullable(instant),
      expiresAt: Type.Optional(nullable(instant)),
      commentsEnabled: Type.Boolean(),
      version: Type.Integer({ minimum: 1 }),
      announced: Type.Boolean(),
      sourceId: nullable(Type.String()),
      createdAt: instant,
      updatedAt: instant,
      /** Counts changes to the correction log (what reads check before asking for it). */
      correctionChanges: Type.Optional(Type.Integer({ minimum: 0 })),
      /** The correction log, removed notices included (their HTML is derived again on import). */
      corrections: Type.Optional(
        Type.Array(
          Type.Object(
            {
              id,
              kind: Type.Enum([...CORRECTION_KINDS]),
              text: Type.String({ minLength: 1 }),
              at: instant,
              byKeyName: Type.String(),
              removedAt: nullable(instant),
              removedByKeyName: nullable(Type.String()),
              removalReason: nullable(Type.String()),
            },
            { additionalProperties: false },
          ),
        ),
      ),
      revisions: Type.Array(
        Type.Object(
          {
            number: Type.Integer({ minimum: 1 }),
            createdAt: instant,
            keyName: Type.String(),
            keyId: Type.Optional(nullable(Type.Integer())),
            authorId: Type.Optional(nullable(id)),
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

/** An item of the file: every line but the header. */
export type Item = Exclude<LineType, { kind: 'broadsheet' }>;
export type ArticleItem = Extract<Item, { kind: 'article' }>;
type Unkinded<K extends Item['kind']> = Omit<Extract<Item, { kind: K }>, 'kind'>;

/** Where an export reads from: rows as the store keeps them, in any order. */
export interface NdjsonSource {
  sections(): Promise<Unkinded<'section'>[]>;
  tags(): Promise<Unkinded<'tag'>[]>;
  authors(): Promise<Unkinded<'author'>[]>;
  mediaIds(): Promise<number[]>;
  /** One image with its file: read one at a time, so an export never holds the library in memory. */
  media(id: number): Promise<Unkinded<'media'> | undefined>;
  articleIds(): Promise<number[]>;
  article(id: number): Promise<Unkinded<'article'> | undefined>;
  /** Without clientHash, which never leaves the server. */
  comments(): Promise<Unkinded<'comment'>[]>;
}

/** Where an import writes: each item in a savepoint of its own, a batch in one transaction. */
export interface NdjsonTarget {
  restoreBatch(items: Item[], settle: (item: Item, outcome: Outcome | Error) => void): Promise<void>;
  /** After the last batch (PostgreSQL moves its id sequences past the restored ids). */
  finish(): Promise<void>;
}

/** The columns of an article line, from its row and what sits beside it. */
export function articleItem(
  row: Omit<Unkinded<'article'>, 'body' | 'tagIds' | 'authorIds' | 'revisions' | 'corrections'>,
  body: string,
  links: { tagIds: number[]; authorIds: number[] },
  logs: {
    revisions: Unkinded<'article'>['revisions'];
    corrections: NonNullable<Unkinded<'article'>['corrections']>;
  },
): Unkinded<'article'> {
  const { revisions, corrections } = logs;
  return {
    id: row.id,
    slug: row.slug,
    title: row.title,
    subtitle: row.subtitle,
    excerpt: row.excerpt,
    body,
    status: row.status,
    trashedFrom: row.trashedFrom,
    trashedAt: row.trashedAt,
    sectionId: row.sectionId,
    featuredImageId: row.featuredImageId,
    tagIds: links.tagIds,
    authorIds: links.authorIds,
    author: row.author,
    publishedAt: row.publishedAt,
    ...(row.expiresAt ? { expiresAt: row.expiresAt } : {}),
    commentsEnabled: row.commentsEnabled,
    version: row.version,
    announced: row.announced,
    sourceId: row.sourceId,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    // Only articles ever corrected carry these: other lines stay as they were before corrections.
    ...(row.correctionChanges ? { correctionChanges: row.correctionChanges } : {}),
    ...(corrections.length > 0
      ? {
          corrections: corrections.map(
            ({ id, kind, text, at, byKeyName, removedAt, removedByKeyName, removalReason }) => ({
              id,
              kind,
              text,
              at,
              byKeyName,
              removedAt,
              removedByKeyName,
              removalReason,
            }),
          ),
        }
      : {}),
    revisions: revisions.map(({ number, createdAt, keyName, keyId, authorId, snapshot, changes }) => ({
      number,
      createdAt,
      keyName,
      keyId,
      authorId,
      snapshot,
      changes,
    })),
  };
}

/** Parents before their children, then by id: an import then finds every parent in place. */
function parentsFirst<T extends { id: number; parentId: number | null }>(items: T[]): T[] {
  const byId = new Map(items.map((item) => [item.id, item]));
  const depth = (item: T): number => {
    let levels = 0;
    for (let parent = item.parentId; parent !== null && levels <= items.length; levels++)
      parent = byId.get(parent)?.parentId ?? null;
    return levels;
  };
  const depths = new Map(items.map((item) => [item.id, depth(item)]));
  return [...items].sort((a, b) => (depths.get(a.id) ?? 0) - (depths.get(b.id) ?? 0) || a.id - b.id);
}

const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Writes everything needed to rebuild the site (API keys and webhooks excluded) as NDJSON:
 * sections parents first, tags, media with their files, authors, articles with their revisions,
 * comments parents first. The
 * output depends on the data only, so exporting a re-imported database gives the same bytes,
 * whichever store it came from.
 */
export async function exportNdjson(source: NdjsonSource, file: string): Promise<Record<string, number>> {
  const out = createWriteStream(file);
  const counts: Record<string, number> = { section: 0, tag: 0, media: 0, author: 0, article: 0, comment: 0 };
  const write = async (line: LineType) => {
    if (line.kind !== 'broadsheet') counts[line.kind] = (counts[line.kind] ?? 0) + 1;
    if (!out.write(`${JSON.stringify(line)}\n`)) await once(out, 'drain');
  };
  await write({ kind: 'broadsheet', format: NDJSON_FORMAT });
  for (const row of parentsFirst(await source.sections())) await write({ kind: 'section', ...row });
  for (const row of (await source.tags()).sort((a, b) => a.id - b.id)) await write({ kind: 'tag', ...row });
  for (const id of (await source.mediaIds()).sort((a, b) => a - b)) {
    const image = await source.media(id);
    if (image) await write({ kind: 'media', ...image });
  }
  // After the images: an author's avatar is one.
  for (const row of (await source.authors()).sort((a, b) => a.id - b.id))
    await write({ kind: 'author', ...row });
  for (const id of (await source.articleIds()).sort((a, b) => a - b)) {
    const article = await source.article(id);
    if (article) await write({ kind: 'article', ...article });
  }
  // Within an article, comment paths sort parents first (code points, the same on both stores).
  const threads = (await source.comments()).sort(
    (a, b) => a.articleId - b.articleId || byText(a.path, b.path),
  );
  for (const row of threads) await write({ kind: 'comment', ...row });
  out.end();
  await once(out, 'finish');
  return counts;
}

/** A batch commits this many lines at once: one commit per line made 10,000 articles take minutes. */
const BATCH = 500;

/**
 * Restores an NDJSON export, each item under its own id and exactly as exported (dates,
 * versions, revisions, statuses), into an empty database or over the one it came from; items
 * already identical are left alone. Every line is checked against its schema and written in
 * its own savepoint (foreign keys checked), so a bad line is reported and skips only itself.
 */
export async function importNdjson(target: NdjsonTarget, file: string, report: ImportReport): Promise<void> {
  const readLines = () =>
    createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Number.POSITIVE_INFINITY });
  let total = 0;
  for await (const _ of readLines()) total++;
  report.start(total, 'ndjson');
  const sources = new Map<Item, string>();
  let batch: Item[] = [];
  const flush = async () => {
    await target.restoreBatch(batch, (item, outcome) => {
      if (outcome instanceof Error) report.fail(item.kind, sources.get(item) ?? '', outcome.message);
      else report.count(item.kind, outcome);
    });
    batch = [];
    sources.clear();
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
    sources.set(line as Item, source);
    batch.push(line as Item);
    if (batch.length >= BATCH) await flush();
  }
  await flush();
  await target.finish();
  report.stop();
}
