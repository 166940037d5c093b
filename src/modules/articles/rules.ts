import type { Actor } from '../../lib/audience.js';
import { DomainError } from '../../lib/errors.js';
import { RENDER_VERSION, type Rendering } from '../../lib/markdown.js';
import { toInstant } from '../../lib/time.js';
import type { ArticleStatus, Heavy } from './listing.js';
import type { ArticleSnapshot } from './revision-schemas.js';
import type { Article, ArticlePatch } from './schemas.js';
import type { Audience } from './visibility.js';

// The rules every article write follows, whichever store keeps it.

export const ALL: Heavy = { body: true, bodyHtml: true, toc: true };

/** Who makes a write, and the version they last saw (If-Match), when they said. */
export interface WriteContext {
  audience: Audience;
  actor: Actor;
  expectedVersion?: number;
}

/** What a rendering changes on the article's own row (rendered before the write transaction starts). */
export const renderedColumns = (rendering: Rendering) => ({
  wordCount: rendering.wordCount,
  autoExcerpt: rendering.excerpt,
  renderVersion: RENDER_VERSION,
});

/** ...and in its article_bodies row, beside the body. */
export const renderedBody = (rendering: Rendering) => ({
  bodyHtml: rendering.html,
  toc: rendering.toc,
  bodyText: rendering.text,
});

/** The editorial state a revision stores (`excerpt` as stored: null when derived). */
export function snapshotOf(article: Article, excerpt: string | null): ArticleSnapshot {
  return {
    title: article.title,
    slug: article.slug,
    subtitle: article.subtitle,
    excerpt,
    body: article.body ?? '',
    status: article.status,
    section: article.section,
    tags: article.tags,
    authors: article.authors.map(({ id, slug, name }) => ({ id, slug, name })),
    featuredImage: article.featuredImage?.id ?? null,
    publishedAt: article.publishedAt,
    expiresAt: article.expiresAt,
    commentsEnabled: article.commentsEnabled,
  };
}

/** An expiry must come after publication (422 otherwise). */
export function assertExpiryAfterPublication(publishedAt: string | null, expiresAt: string | null) {
  if (expiresAt !== null && publishedAt !== null && expiresAt <= publishedAt) {
    throw new DomainError(
      'unprocessable',
      'expires-before-publication',
      `expiresAt (${expiresAt}) must come after publishedAt (${publishedAt})`,
    );
  }
}

/** A write needs an article out of the trash (unless it says otherwise) at the version the caller saw. */
export function assertWritable(article: Article, context: WriteContext & { allowTrashed?: boolean }): void {
  if (article.status === 'trashed' && !context.allowTrashed) {
    throw new DomainError(
      'conflict',
      'article-trashed',
      `Article "${article.slug}" is in the trash: restore it first (POST /v1/articles/${article.id}/restore)`,
    );
  }
  if (context.expectedVersion !== undefined && context.expectedVersion !== article.version) {
    throw new DomainError(
      'precondition-failed',
      'stale-version',
      `The article is at version ${article.version}, not ${context.expectedVersion}: fetch it again and reapply your change`,
      { currentVersion: article.version },
    );
  }
}

/** Stored status and publishedAt for a requested status, by the publishing rules. */
export function publication(status: ArticleStatus, publishedAt: string | null, at: string) {
  if (status === 'scheduled') {
    if (publishedAt === null || publishedAt <= at) {
      throw new DomainError(
        'unprocessable',
        'schedule-in-past',
        'A scheduled article needs a publishedAt in the future; publish it instead',
      );
    }
    return { status: 'published' as const, publishedAt };
  }
  if (status === 'published') return { status, publishedAt: publishedAt ?? at };
  return { status, publishedAt };
}

export const normaliseTime = (value: string | null | undefined) =>
  value === undefined || value === null ? value : toInstant(value);

/** Whether the public sees the article (so a change to it changes public responses). */
export const publiclyVisible = (article: Pick<Article, 'status'>) => article.status === 'published';

/** An unknown section named by an article is a 422. */
export function knownSection(ref: string | number, id: number | undefined): number {
  if (id === undefined) {
    throw new DomainError('unprocessable', 'unknown-section', `No section "${ref}" (by id, slug or name)`);
  }
  return id;
}

/** The content a revision brings back (slug, status and publication stay as they are). */
export const restoredContent = (old: ArticleSnapshot): ArticlePatch => ({
  title: old.title,
  subtitle: old.subtitle,
  excerpt: old.excerpt,
  body: old.body,
  section: old.section?.id ?? null,
  tags: old.tags.map((tag) => tag.name),
  // Revisions from before authors existed kept the byline as text.
  authors: old.authors?.map((author) => author.name) ?? (old.author ? [old.author] : []),
  // Revisions from before featured images leave the article's as it is.
  ...(old.featuredImage !== undefined ? { featuredImage: old.featuredImage } : {}),
});

/** What an article's validators derive from, as one string. */
/**
 * Linked tags or authors (JSON rows of id, slug, name, as each store's query spells them) as
 * validators sign them: the same text on both stores, and as before they were read as JSON.
 */
const linkedText = (json: string) =>
  (JSON.parse(json) as [number, string, string][]).map((ref) => ref.join('/')).join('|');

export const validatorOf = (row: {
  id: number;
  version: number;
  section: string;
  tagRefs: string;
  authorRefs: string;
  image: string;
  bodyImages: string;
  correctionChanges: number;
  commentCount: number;
  live: number | boolean | null;
  expiresAt: string | null;
  rendered: number;
}) => ({
  prefix: `a${row.id}.v${row.version}`,
  basis: `${row.version}|${row.section}|${linkedText(row.tagRefs)}|${linkedText(row.authorRefs)}|${row.image}|${row.bodyImages}|${row.correctionChanges}|${row.commentCount}|${Number(row.live ?? 0)}|${row.expiresAt ?? ''}|${row.rendered}`,
  version: row.version,
});
