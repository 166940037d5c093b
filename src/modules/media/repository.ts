import { createHash } from 'node:crypto';
import { and, desc, eq, exists, inArray, or, sql } from 'drizzle-orm';
import type { Database, Tables } from '../../db/database.js';
import { withPagination } from '../../db/helpers.js';
import { cacheKeys } from '../../lib/cache-keys.js';
import { DomainError, notFound } from '../../lib/errors.js';
import type { ContentStateRepository } from '../content-state/repository.js';
import type { EventsRepository } from '../events/repository.js';
import type { Inspected } from './images.js';
import type { Media } from './schemas.js';
import type { ImageFacts } from './variants.js';

/** A media row as stored: what the API shows, before its URLs are worked out. */
export interface MediaRecord extends ImageFacts {
  filename: string;
  bytes: number;
  alt: string;
  caption: string | null;
  credit: string | null;
  placeholder: string;
  createdAt: string;
  updatedAt: string;
}

export interface NewMedia {
  filename: string;
  data: Buffer;
  image: Inspected;
  alt?: string;
  caption?: string | null;
  credit?: string | null;
  /** Where an import found it (`wp:attachment:12`): a second run finds it again. */
  sourceId?: string;
}

export interface MediaChanges {
  alt?: string;
  caption?: string | null;
  credit?: string | null;
  focalPoint?: { x: number; y: number };
}

export interface MediaRepository {
  get(id: number): Promise<MediaRecord>;
  find(id: number): Promise<MediaRecord | undefined>;
  /** The image an import made from this source, if any. */
  idOfSource(sourceId: string): Promise<number | undefined>;
  list(page: number, perPage: number): Promise<{ items: MediaRecord[]; total: number }>;
  create(input: NewMedia, at: string): Promise<MediaRecord>;
  update(id: number, changes: MediaChanges, at: string): Promise<MediaRecord>;
  delete(id: number, at: string): Promise<void>;
  /** Images as the API shows them, by id: what articles embed. */
  presented(ids: number[]): Promise<Map<number, Media>>;
  /** The uploaded bytes, as they came (never served as they are). */
  original(id: number): Promise<Buffer | undefined>;
  /**
   * Records the images an article's body shows, in order (call inside its write): each must
   * exist, else a 422 naming the missing ones.
   */
  shownIn(articleId: number, ids: number[]): Promise<void>;
}

const columnsOf = ({ media }: Tables) => ({
  id: media.id,
  filename: media.filename,
  mimeType: media.mimeType,
  bytes: media.bytes,
  width: media.width,
  height: media.height,
  alt: media.alt,
  caption: media.caption,
  credit: media.credit,
  focalX: media.focalX,
  focalY: media.focalY,
  placeholder: media.placeholder,
  contentHash: media.contentHash,
  createdAt: media.createdAt,
  updatedAt: media.updatedAt,
});

/** Images: their details and focal point in `media`, the uploaded file in `media_originals`. */
export function createMediaRepository(
  db: Database,
  related: { events: EventsRepository; contentState: ContentStateRepository },
  present: (record: MediaRecord) => Media,
): MediaRepository {
  const { events, contentState } = related;
  const { media, mediaOriginals } = db.tables;
  const find = async (id: number) => {
    const [row] = await db.query().select(columnsOf(db.tables)).from(media).where(eq(media.id, id));
    return row;
  };
  const get = async (id: number) => {
    const row = await find(id);
    if (!row) throw notFound('media', id);
    return row;
  };
  const record = (type: 'media.created' | 'media.updated', row: MediaRecord, at: string) =>
    events.record({ type, resource: 'media', id: row.id, slug: null, at, data: () => present(row) });

  return {
    get,
    find,
    async idOfSource(sourceId) {
      const [row] = await db.query().select({ id: media.id }).from(media).where(eq(media.sourceId, sourceId));
      return row?.id;
    },
    async list(page, perPage) {
      const items = await withPagination(
        db
          .query()
          .select(columnsOf(db.tables))
          .from(media)
          .orderBy(desc(media.createdAt), desc(media.id))
          .$dynamic(),
        page,
        perPage,
      );
      return { items, total: await db.query().$count(media) };
    },

    create: (input, at) =>
      db.write(async () => {
        const [row] = await db
          .query()
          .insert(media)
          .values({
            filename: input.filename,
            mimeType: input.image.mimeType,
            bytes: input.data.length,
            width: input.image.width,
            height: input.image.height,
            alt: input.alt ?? '',
            caption: input.caption ?? null,
            credit: input.credit ?? null,
            placeholder: input.image.placeholder,
            contentHash: createHash('sha256').update(input.data).digest('hex'),
            sourceId: input.sourceId ?? null,
            createdAt: at,
            updatedAt: at,
          })
          .returning({ id: media.id });
        const id = row?.id as number;
        await db.query().insert(mediaOriginals).values({ mediaId: id, data: input.data });
        const created = await get(id);
        await record('media.created', created, at);
        return created;
      }),

    update: (id, changes, at) =>
      db.write(async () => {
        await get(id);
        const { alt, caption, credit, focalPoint } = changes;
        await db
          .query()
          .update(media)
          .set({ alt, caption, credit, focalX: focalPoint?.x, focalY: focalPoint?.y, updatedAt: at })
          .where(eq(media.id, id));
        const updated = await get(id);
        await record('media.updated', updated, at);
        // Articles embed it (alt, caption, crops): what names its key is stale now.
        await contentState.touchPublic(at, [cacheKeys.media(id), cacheKeys.images]);
        return updated;
      }),

    delete: (id, at) =>
      db.write(async () => {
        await get(id);
        await assertUnused(db, id);
        await db.query().delete(media).where(eq(media.id, id));
        await contentState.touchPublic(at, [cacheKeys.media(id), cacheKeys.images]);
        await events.record({
          type: 'media.deleted',
          resource: 'media',
          id,
          slug: null,
          at,
          data: () => ({ id }),
        });
      }),

    async presented(ids) {
      const rows = await db.query().select(columnsOf(db.tables)).from(media).where(inArray(media.id, ids));
      return new Map(rows.map((row) => [row.id, present(row)]));
    },

    shownIn: (articleId, ids) => recordBodyImages(db, articleId, ids),

    async original(id) {
      const [row] = await db
        .query()
        .select({ data: mediaOriginals.data })
        .from(mediaOriginals)
        .where(eq(mediaOriginals.mediaId, id));
      return row?.data;
    },
  };
}

/** Records the images an article's body shows, in order: a 422 naming any that does not exist. */
export async function recordBodyImages(db: Database, articleId: number, ids: number[]) {
  const { media, articleMedia } = db.tables;
  const known =
    ids.length === 0
      ? []
      : await db.query().select({ id: media.id }).from(media).where(inArray(media.id, ids));
  const missing = ids.filter((id) => !known.some((row) => row.id === id));
  if (missing.length > 0) {
    throw new DomainError(
      'unprocessable',
      'unknown-media',
      `The body shows media that does not exist: ${missing.map((id) => `media:${id}`).join(', ')}. Upload it first (POST /v1/media)`,
      { missing },
    );
  }
  await db.query().delete(articleMedia).where(eq(articleMedia.articleId, articleId));
  if (ids.length === 0) return;
  await db
    .query()
    .insert(articleMedia)
    .values(ids.map((mediaId, position) => ({ articleId, mediaId, position })));
}

/** The articles (trashed ones included) that feature an image or show it in their body. */
const articlesShowing = (db: Database, id: number) => {
  const { articles, articleMedia } = db.tables;
  const inBody = db
    .query()
    .select({ one: sql`1` })
    .from(articleMedia)
    .where(and(eq(articleMedia.articleId, articles.id), eq(articleMedia.mediaId, id)));
  return db
    .query()
    .select({ id: articles.id, slug: articles.slug })
    .from(articles)
    .where(or(eq(articles.featuredImageId, id), exists(inBody)))
    .orderBy(articles.id)
    .limit(20);
};

/** An image an article shows or an author wears cannot go: a 409 naming them. */
async function assertUnused(db: Database, id: number) {
  const { authors } = db.tables;
  const users = await articlesShowing(db, id);
  const portrayed = await db
    .query()
    .select({ id: authors.id, slug: authors.slug })
    .from(authors)
    .where(eq(authors.avatarId, id))
    .orderBy(authors.id)
    .limit(20);
  if (users.length > 0 || portrayed.length > 0) {
    const uses = [
      ...(users.length > 0 ? [`shown by ${users.map((user) => `"${user.slug}"`).join(', ')}`] : []),
      ...(portrayed.length > 0
        ? [`the avatar of ${portrayed.map((author) => `"${author.slug}"`).join(', ')}`]
        : []),
    ];
    throw new DomainError(
      'conflict',
      'media-in-use',
      `The image is ${uses.join(' and ')}: choose another first`,
      {
        articles: users,
        authors: portrayed,
      },
    );
  }
}
