import { sql } from 'drizzle-orm';
import {
  type AnySQLiteColumn,
  blob,
  index,
  integer,
  primaryKey,
  real,
  sqliteTable,
  text,
  uniqueIndex,
} from 'drizzle-orm/sqlite-core';
import { API_SCOPES } from '../lib/scopes.js';
import { timestamps } from './columns.js';

// Timestamps are ISO 8601 UTC text ('2026-11-26T08:41:29.123Z'): they sort as text, read the
// same in the sqlite shell and in the API, and need no conversion on the hot read path.

export const sections = sqliteTable(
  'sections',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    slug: text('slug').notNull().unique(),
    name: text('name').notNull(),
    description: text('description'),
    parentId: integer('parent_id').references((): AnySQLiteColumn => sections.id, { onDelete: 'restrict' }),
    position: integer('position').notNull().default(0),
    /** Where an imported item came from (`wp:post:12`, `md:world/story.md`): re-imports match on it. */
    sourceId: text('source_id'),
    ...timestamps,
  },
  (table) => [
    uniqueIndex('sections_source_idx').on(table.sourceId),
    index('sections_parent_idx').on(table.parentId),
    // Names are unique among siblings (WordPress's rule); slugs stay unique everywhere.
    uniqueIndex('sections_parent_name_lower_idx').on(
      // No comma in the expression: drizzle-kit splits SQLite index expressions at commas.
      sql`(case when ${table.parentId} is null then 0 else ${table.parentId} end)`,
      sql`lower(${table.name})`,
    ),
  ],
);

export const tags = sqliteTable(
  'tags',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    slug: text('slug').notNull().unique(),
    name: text('name').notNull(),
    description: text('description'),
    /** Where an imported item came from (`wp:post:12`, `md:world/story.md`): re-imports match on it. */
    sourceId: text('source_id'),
    ...timestamps,
  },
  (table) => [
    uniqueIndex('tags_name_lower_idx').on(sql`lower(${table.name})`),
    uniqueIndex('tags_source_idx').on(table.sourceId),
  ],
);

/**
 * The people bylines name: staff with a profile, and contributors with no key. Names are not
 * unique (two reporters may share one); slugs are. `email` is for the newsroom only, never
 * served to the public.
 */
export const authors = sqliteTable(
  'authors',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    slug: text('slug').notNull().unique(),
    name: text('name').notNull(),
    /** Markdown, rendered into `bio_html` on every write. */
    bio: text('bio'),
    bioHtml: text('bio_html').notNull().default(''),
    jobTitle: text('job_title'),
    /** The author's own page elsewhere (a personal site, a social profile). */
    website: text('website'),
    email: text('email'),
    /** A photo of them (a media id); it cannot be deleted while here. */
    avatarId: integer('avatar_id').references((): AnySQLiteColumn => media.id, { onDelete: 'restrict' }),
    /** Where an imported item came from (`wp:author:ada`): re-imports match on it. */
    sourceId: text('source_id'),
    ...timestamps,
  },
  (table) => [
    index('authors_name_lower_idx').on(sql`lower(${table.name})`),
    uniqueIndex('authors_source_idx').on(table.sourceId),
  ],
);

/**
 * Uploaded images: what the API shows of each. The file itself is in `media_originals`, apart,
 * so lists never read megabytes of blob; renditions are a cache on each node's disk.
 */
export const media = sqliteTable(
  'media',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    /** The uploaded file's name, cleaned (no path): what a download is called. */
    filename: text('filename').notNull(),
    /** Sniffed from the bytes, never the client's word: image/jpeg, image/png ... */
    mimeType: text('mime_type').notNull(),
    bytes: integer('bytes').notNull(),
    /** As displayed: EXIF orientation applied. */
    width: integer('width').notNull(),
    height: integer('height').notNull(),
    alt: text('alt').notNull().default(''),
    caption: text('caption'),
    credit: text('credit'),
    /** Where crops centre, 0-1 from the left and from the top. */
    focalX: real('focal_x').notNull().default(0.5),
    focalY: real('focal_y').notNull().default(0.5),
    /** A ThumbHash (base64) of the image, for blur-up while a rendition loads. */
    placeholder: text('placeholder').notNull(),
    /** SHA-256 of the original (hex): rendition URLs and the disk cache derive from it. */
    contentHash: text('content_hash').notNull(),
    /** Where an imported item came from (`wp:attachment:12`): re-imports match on it. */
    sourceId: text('source_id'),
    ...timestamps,
  },
  (table) => [
    uniqueIndex('media_source_idx').on(table.sourceId),
    index('media_created_idx').on(table.createdAt, table.id),
  ],
);

/** The uploaded file, byte for byte (never served as it is: public bytes are re-encoded without metadata). */
export const mediaOriginals = sqliteTable('media_originals', {
  mediaId: integer('media_id')
    .primaryKey()
    .references(() => media.id, { onDelete: 'cascade' }),
  data: blob('data', { mode: 'buffer' }).notNull(),
});

// `trashed` is stored, never requested: DELETE moves an article there, restore brings it back.
export const ARTICLE_STATUSES = ['draft', 'scheduled', 'published', 'archived', 'trashed'] as const;

export const articles = sqliteTable(
  'articles',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    slug: text('slug').notNull().unique(),
    title: text('title').notNull(),
    subtitle: text('subtitle'),
    /** The excerpt the editor wrote, or null. */
    excerpt: text('excerpt'),
    /** Derived from the body on every write; served when `excerpt` is null. */
    autoExcerpt: text('auto_excerpt').notNull().default(''),
    wordCount: integer('word_count').notNull().default(0),
    renderVersion: integer('render_version').notNull().default(0),
    /** Moves with every correction added or removed: reads fetch corrections only when it is not 0. */
    correctionChanges: integer('correction_changes').notNull().default(0),
    status: text('status', { enum: ARTICLE_STATUSES }).notNull().default('draft'),
    sectionId: integer('section_id').references(() => sections.id, { onDelete: 'restrict' }),
    /** The image shown with the article (lists, social cards, feeds); it cannot be deleted while here. */
    featuredImageId: integer('featured_image_id').references(() => media.id, { onDelete: 'restrict' }),
    /**
     * A free-text byline from before authors existed: start-up turns each into author records
     * and clears it (authors/legacy-bylines.ts). Never written otherwise.
     */
    author: text('author'),
    publishedAt: text('published_at'),
    /** When the article leaves public view (an embargo's end, a legal takedown): no job, as publishedAt. */
    expiresAt: text('expires_at'),
    commentsEnabled: integer('comments_enabled', { mode: 'boolean' }).notNull().default(true),
    version: integer('version').notNull().default(1),
    /**
     * Whether `article.published` was announced (webhooks, change feed) for its current live
     * period: a scheduled article is announced when its instant comes, by the background jobs.
     */
    announced: integer('announced', { mode: 'boolean' }).notNull().default(false),
    /** In the trash since; purged TRASH_RETENTION_DAYS later. */
    trashedAt: text('trashed_at'),
    /** The status to restore from the trash. */
    trashedFrom: text('trashed_from', { enum: ARTICLE_STATUSES }),
    /** Where an imported item came from (`wp:post:12`, `md:world/story.md`): re-imports match on it. */
    sourceId: text('source_id'),
    ...timestamps,
  },
  (table) => [
    uniqueIndex('articles_source_idx').on(table.sourceId),
    // Every list order ends with id so keyset paging and page boundaries are stable.
    // Also covers what a sitemap shows (slug, section, dates): a sitemap file of 50,000 URLs
    // reads this index and never the wide rows with their bodies.
    index('articles_status_published_idx').on(
      table.status,
      table.publishedAt,
      table.id,
      table.slug,
      table.sectionId,
      table.createdAt,
      table.updatedAt,
      table.expiresAt,
    ),
    index('articles_section_status_published_idx').on(
      table.sectionId,
      table.status,
      table.publishedAt,
      table.id,
      table.expiresAt,
    ),
    // Expiries reached and to come (content state, announcements).
    index('articles_status_expires_idx').on(table.status, table.expiresAt),
    index('articles_published_idx').on(table.publishedAt, table.id),
    index('articles_created_idx').on(table.createdAt, table.id),
    index('articles_updated_idx').on(table.updatedAt, table.id),
    index('articles_title_idx').on(table.title, table.id),
    index('articles_author_idx').on(table.author),
    // Start-up finds bodies rendered by an older renderer without reading the table.
    index('articles_render_version_idx').on(table.renderVersion),
    // What the background jobs ask after every write (announcements.ts): unannounced published
    // articles by instant, answered from the index alone. A partial index on those rows went
    // unused (SQLite's planner took status_published_idx and read every published row: 12 ms
    // at 10,000 articles, on each write).
    index('articles_announcement_idx').on(
      table.announced,
      table.status,
      table.publishedAt,
      table.id,
      table.slug,
      table.expiresAt,
    ),
  ],
);

/**
 * An article's body and its renderings, one row per article, apart from `articles` so that
 * lists, counts, visibility checks and sitemaps read narrow rows (a 4 KB body inline made every
 * lookup of an article's status walk its overflow pages: 30 s to sort 500 tags at 100,000
 * articles). Single reads join it; lists never do.
 */
export const articleBodies = sqliteTable('article_bodies', {
  articleId: integer('article_id')
    .primaryKey()
    .references(() => articles.id, { onDelete: 'cascade' }),
  body: text('body').notNull().default(''),
  // The rendering is cached on write (and redone at start when the renderer changes), so
  // reads never run Markdown.
  bodyHtml: text('body_html').notNull().default(''),
  toc: text('toc', { mode: 'json' })
    .$type<{ level: number; text: string; id: string }[]>()
    .notNull()
    .default([]),
  /** The body as plain text: what full-text search indexes and quotes in snippets. */
  bodyText: text('body_text').notNull().default(''),
});

export const articleTags = sqliteTable(
  'article_tags',
  {
    articleId: integer('article_id')
      .notNull()
      .references(() => articles.id, { onDelete: 'cascade' }),
    tagId: integer('tag_id')
      .notNull()
      .references(() => tags.id, { onDelete: 'cascade' }),
    position: integer('position').notNull(),
  },
  (table) => [
    primaryKey({ columns: [table.articleId, table.tagId] }),
    index('article_tags_tag_idx').on(table.tagId, table.articleId),
  ],
);

/** An article's bylines, in order. */
export const articleAuthors = sqliteTable(
  'article_authors',
  {
    articleId: integer('article_id')
      .notNull()
      .references(() => articles.id, { onDelete: 'cascade' }),
    authorId: integer('author_id')
      .notNull()
      .references(() => authors.id, { onDelete: 'restrict' }),
    position: integer('position').notNull(),
  },
  (table) => [
    primaryKey({ columns: [table.articleId, table.authorId] }),
    index('article_authors_author_idx').on(table.authorId, table.articleId),
  ],
);

/** The images an article's body shows (`![alt](media:ID)`), in the order they first appear. */
export const articleMedia = sqliteTable(
  'article_media',
  {
    articleId: integer('article_id')
      .notNull()
      .references(() => articles.id, { onDelete: 'cascade' }),
    mediaId: integer('media_id')
      .notNull()
      .references(() => media.id, { onDelete: 'restrict' }),
    position: integer('position').notNull(),
  },
  (table) => [
    primaryKey({ columns: [table.articleId, table.mediaId] }),
    index('article_media_media_idx').on(table.mediaId, table.articleId),
  ],
);

export const COMMENT_STATUSES = ['pending', 'approved', 'spam', 'trash'] as const;

export const comments = sqliteTable(
  'comments',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    articleId: integer('article_id')
      .notNull()
      .references(() => articles.id, { onDelete: 'cascade' }),
    // Cascade so deleting an article removes whole threads; the app tombstones replied-to comments itself.
    parentId: integer('parent_id').references((): AnySQLiteColumn => comments.id, { onDelete: 'cascade' }),
    depth: integer('depth').notNull().default(0),
    /** Zero-padded ids from the root down ("000000000012/000000000015"): sorting by it reads threads in order. */
    path: text('path').notNull().default(''),
    authorName: text('author_name').notNull(),
    authorEmail: text('author_email').notNull(),
    body: text('body').notNull(),
    status: text('status', { enum: COMMENT_STATUSES }).notNull().default('pending'),
    /** A deleted comment that still has replies stays as a tombstone so the thread reads on. */
    deleted: integer('deleted', { mode: 'boolean' }).notNull().default(false),
    /** Hash of the submitting client, to refuse the same body twice in a row; never served. */
    clientHash: text('client_hash'),
    /** Where an imported item came from (`wp:post:12`, `md:world/story.md`): re-imports match on it. */
    sourceId: text('source_id'),
    ...timestamps,
  },
  (table) => [
    uniqueIndex('comments_source_idx').on(table.sourceId),
    index('comments_article_status_idx').on(table.articleId, table.status, table.id),
    index('comments_article_thread_idx').on(table.articleId, table.status, table.path),
    index('comments_status_created_idx').on(table.status, table.createdAt, table.id),
    index('comments_parent_idx').on(table.parentId),
    index('comments_client_idx').on(table.clientHash, table.id),
  ],
);

export { API_SCOPES };

export const apiKeys = sqliteTable('api_keys', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  name: text('name').notNull(),
  /** The first characters of the key, shown in lists so people can tell keys apart. */
  prefix: text('prefix').notNull(),
  /** SHA-256 of the whole key: keys are 256-bit random, so a fast hash is enough. */
  hash: text('hash').notNull().unique(),
  scopes: text('scopes', { mode: 'json' }).$type<(typeof API_SCOPES)[number][]>().notNull(),
  /** The author the key writes as: articles it creates without authors get this byline. */
  authorId: integer('author_id').references(() => authors.id, { onDelete: 'set null' }),
  createdAt: text('created_at').notNull(),
  lastUsedAt: text('last_used_at'),
});

/**
 * One row that every content write moves forward (`generation` by triggers, so no write path
 * can forget; `publicGeneration` by the repositories, which know what the public sees):
 * the basis of ETags and Last-Modified, shared by every process on the same file.
 */
export const contentState = sqliteTable('content_state', {
  id: integer('id').primaryKey(),
  generation: integer('generation').notNull(),
  changedAt: text('changed_at').notNull(),
  /** Moved by the repositories (not triggers) only when a write changes what the public sees. */
  publicGeneration: integer('public_generation').notNull().default(1),
  publicChangedAt: text('public_changed_at').notNull().default('1970-01-01T00:00:00.000Z'),
});

/**
 * One row per cache key (`article-12`, `section-3`, `articles`...: the names Surrogate-Key
 * sends), moved by every public write to what the key names, in the write's transaction. A
 * cached response stays valid while the keys it depends on keep their versions, whichever
 * process wrote.
 */
export const cacheKeyVersions = sqliteTable('cache_key_versions', {
  key: text('key').primaryKey(),
  version: integer('version').notNull(),
  /** When a public write last moved the key: the Last-Modified of what names it. */
  changedAt: text('changed_at').notNull().default(''),
});

/** Small facts the server keeps about itself, such as the key that signs list cursors. */
export const settings = sqliteTable('settings', {
  name: text('name').primaryKey(),
  value: text('value').notNull(),
});

export * from './schema-operations.js';
