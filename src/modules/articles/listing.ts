import { and, count, eq, inArray, type SQL, sql } from 'drizzle-orm';
import type { Database, SearchQuery } from '../../db/database.js';
import { bylineOf } from '../../lib/byline.js';
import type { CursorPosition } from '../../lib/cursor.js';
import { readingTimeMinutes } from '../../lib/markdown.js';
import { buildSnippet, type SearchTerm, SNIPPET_SCAN_CHARACTERS } from '../../lib/snippet.js';
import type { SortKey } from '../../lib/sort.js';
import type { ContentStateRepository } from '../content-state/repository.js';
import type { Correction } from '../corrections/schemas.js';
import { placeholderIds, resolveInlineMedia } from '../media/inline.js';
import type { Media } from '../media/schemas.js';
import type { LinkedRef } from './article-links.js';
import {
  type ArticleFilters,
  type ArticleSortField,
  type ArticleStatus,
  after,
  columnsFor,
  filterConditions,
  type Heavy,
  isNullable,
  type ListingSql,
  listingSql,
  type StoredStatus,
} from './list-sql.js';
import { createPlainLists, isPlain } from './plain-lists.js';
import { readRanked } from './ranked-rows.js';
import { createTotals } from './totals.js';

export type { ArticleFilters, ArticleSortField, ArticleStatus, Heavy };

import type { ArticleSummary } from './schemas.js';
import type { Audience } from './visibility.js';

/**
 * Relevance ranks at most this many matches by default, the newest (by id): a query matching
 * most of the archive then costs what one matching a few thousand does, instead of scoring
 * every match (SEARCH_RANK_WINDOW).
 */
export const RANK_WINDOW = 2000;

export interface ListRequest {
  perPage: number;
  /** Page mode; otherwise `after` (cursor mode) or the first page. */
  page?: number;
  after?: CursorPosition;
  sort: SortKey<ArticleSortField>[];
  filters: ArticleFilters;
  /** A full-text query (FTS5 for SQLite, tsquery for PostgreSQL: lib/search-query) and how to mark matches. */
  search?: SearchQuery & {
    terms: SearchTerm[];
    highlightTag: string | null;
  };
  include: Heavy;
}

export type ArticleHit = ArticleSummary & { snippet?: string; score?: number };

export interface ListResult {
  items: ArticleHit[];
  total: number;
  /** Where the next page starts, when there is one. */
  next?: CursorPosition;
}

export interface Row {
  id: number;
  slug: string;
  title: string;
  subtitle: string | null;
  excerpt: string | null;
  autoExcerpt: string;
  wordCount: number;
  status: StoredStatus;
  sectionId: number | null;
  sectionSlug: string | null;
  sectionName: string | null;
  featuredImageId: number | null;
  correctionChanges: number;
  publishedAt: string | null;
  expiresAt: string | null;
  commentsEnabled: boolean;
  commentCount: number;
  /** Its tags and authors in order: JSON rows of [id, slug, name]. */
  tagRefs: string;
  authorRefs: string;
  version: number;
  createdAt: string;
  updatedAt: string;
  body?: string;
  bodyHtml?: string;
  toc?: ArticleSummary['toc'];
}

/** The status a reader sees: a published article whose time has not come is still scheduled. */
export function effectiveStatus(
  stored: StoredStatus,
  publishedAt: string | null,
  now: string,
): ArticleStatus {
  return stored === 'published' && publishedAt !== null && publishedAt > now ? 'scheduled' : stored;
}

/** What an article links to: its tags and its authors, in order, and the images it shows. */
export interface ArticleLinks {
  tags: LinkedRef[];
  authors: LinkedRef[];
  featuredImage: Media | null;
  /** The images its body shows, by id: resolved into `bodyHtml` as it is read. */
  bodyImages: Map<number, Media>;
  corrections: Correction[];
}

/** The images and corrections of articles, a query each for any number of them. */
export interface LinkReader {
  media: { presented(ids: number[]): Promise<Map<number, Media>> };
  corrections: { forArticles(ids: number[]): Promise<Map<number, Correction[]>> };
}

/** Tags or authors from the JSON an article's query built. */
const refsOf = (json: string | undefined): LinkedRef[] =>
  (JSON.parse(json ?? '[]') as [number, string, string][]).map(([id, slug, name]) => ({ id, slug, name }));

export async function linksOf(
  reader: LinkReader,
  rows: Pick<Row, 'id' | 'featuredImageId' | 'correctionChanges' | 'bodyHtml' | 'tagRefs' | 'authorRefs'>[],
): Promise<(id: number) => ArticleLinks> {
  const imageIds = new Set<number>();
  for (const row of rows) {
    if (row.featuredImageId !== null) imageIds.add(row.featuredImageId);
    for (const id of placeholderIds(row.bodyHtml ?? '')) imageIds.add(id);
  }
  // Most articles were never corrected: their log is not asked for.
  const corrected = rows.filter((row) => row.correctionChanges > 0).map((row) => row.id);
  const [images, corrections] = await Promise.all([
    imageIds.size > 0 ? reader.media.presented([...imageIds]) : new Map<number, Media>(),
    corrected.length > 0 ? reader.corrections.forArticles(corrected) : new Map<number, Correction[]>(),
  ]);
  const byId = new Map(rows.map((row) => [row.id, row]));
  return (id) => ({
    tags: refsOf(byId.get(id)?.tagRefs),
    authors: refsOf(byId.get(id)?.authorRefs),
    featuredImage: images.get(byId.get(id)?.featuredImageId ?? 0) ?? null,
    bodyImages: images,
    corrections: corrections.get(id) ?? [],
  });
}

export function toArticle(row: Row, links: ArticleLinks, now: string): ArticleSummary {
  const byline = bylineOf(links.authors.map((author) => author.name));
  // Built field by field: a rest pattern (`{ a, ...rest }`) copies through a slow runtime path,
  // and lists make twenty of these per request.
  const article: ArticleSummary = {
    id: row.id,
    slug: row.slug,
    title: row.title,
    subtitle: row.subtitle,
    excerpt: row.excerpt ?? row.autoExcerpt,
    wordCount: row.wordCount,
    readingTimeMinutes: readingTimeMinutes(row.wordCount),
    status: effectiveStatus(row.status, row.publishedAt, now),
    section:
      row.sectionId !== null
        ? { id: row.sectionId, slug: row.sectionSlug ?? '', name: row.sectionName ?? '' }
        : null,
    tags: links.tags,
    authors: links.authors,
    featuredImage: links.featuredImage,
    corrections: links.corrections,
    byline,
    author: byline,
    publishedAt: row.publishedAt,
    expiresAt: row.expiresAt,
    commentsEnabled: row.commentsEnabled,
    commentCount: row.commentCount,
    version: row.version,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
  if (row.body !== undefined) article.body = row.body;
  if (row.bodyHtml !== undefined) article.bodyHtml = resolveInlineMedia(row.bodyHtml, links.bodyImages);
  if (row.toc !== undefined) article.toc = row.toc;
  return article;
}

/** What a search snippet is cut from: a bounded prefix of the body, and the short fields. */
interface SnippetSource {
  id: number;
  body: string;
  excerpt: string;
  subtitle: string;
  title: string;
}

/**
 * The answer to a list request from the rows read (one more than a page: it says whether there
 * is a next one, and the cursor points at the page's last row).
 */
export function assembleList(
  request: ListRequest,
  rows: (Row & Record<string, unknown>)[],
  parts: {
    linksOf: (id: number) => ArticleLinks;
    texts: SnippetSource[];
    total: number;
    now: string;
  },
): ListResult {
  const page = rows.slice(0, request.perPage);
  const last = page.at(-1);
  const snippets = new Map<number, string>();
  for (const row of parts.texts) {
    if (!request.search) break;
    const fields = [row.body, row.excerpt, row.subtitle, row.title];
    snippets.set(row.id, buildSnippet(fields, request.search.terms, request.search.highlightTag));
  }
  const items = page.map((row): ArticleHit => {
    // toArticle takes only the article's own fields: the sort values and score stay behind.
    const article: ArticleHit = toArticle(row, parts.linksOf(row.id), parts.now);
    if (request.search) {
      article.snippet = snippets.get(row.id) ?? '';
      article.score = Math.round(-Number(row.score) * 1000) / 1000;
    }
    return article;
  });
  const next =
    rows.length > request.perPage && last
      ? {
          values: request.sort.map((_, index) => last[`sort${index}`] as string | number | null),
          id: last.id,
        }
      : undefined;
  return { items, total: parts.total, next };
}

/** Lists, filters and searches articles: page or keyset paging, a page (with its tags and authors) in one query. */
export function createArticleListing(
  db: Database,
  related: LinkReader,
  contentState: ContentStateRepository,
  rankWindow: number,
) {
  const { articles, articleBodies, sections } = db.tables;
  const fullText = db.dialect.search;
  const totals = createTotals();

  const plainLists = createPlainLists(db);

  /** The page's rows in the request's order, plus the sort values a cursor is made of. */
  const readRows = async (
    request: ListRequest,
    listing: ListingSql,
    conditions: SQL | undefined,
    audience: Audience,
  ) => {
    const sortValues = Object.fromEntries(
      request.sort.map((key, index) => [`sort${index}`, listing.sortExpression(key.field)]),
    );
    // Only keyed callers meet a NULL (a draft's publishedAt); ids never are.
    const order = request.sort.map((key) =>
      db.dialect.ordered(
        listing.sortExpression(key.field),
        key.descending,
        audience.seesUnpublished && isNullable(key.field),
      ),
    );
    order.push(db.dialect.ordered(articles.id, request.sort[0]?.descending ?? false, false));
    const limit = request.perPage + 1;
    const offset = request.page ? (request.page - 1) * request.perPage : 0;
    const query = db.query();
    const plain =
      isPlain(request) && !db.inWrite() && plainLists.statement(request, audience, { order, sortValues });
    if (plain) {
      const rows = await plain.execute({ now: audience.now, limit, offset });
      return { rows: rows as (Row & Record<string, unknown>)[] };
    }
    if (!request.search) {
      const rows = await query
        .select({ ...columnsFor(db, request.include), ...sortValues })
        .from(articles)
        .leftJoin(sections, eq(sections.id, articles.sectionId))
        // SQLite omits this join when no body column is selected (lists without `include`).
        .leftJoin(articleBodies, eq(articleBodies.articleId, articles.id))
        .where(conditions)
        .orderBy(...order)
        .limit(limit)
        .offset(offset);
      return { rows: rows as (Row & Record<string, unknown>)[] };
    }
    return { rows: await readRanked(db, request, listing, conditions, { order, limit, offset }) };
  };

  /**
   * How many rows the whole list has, remembered per content state (createTotals), counted "up
   * to the latest publication reached", which counts what "up to now" does.
   */
  const countRows = async (request: ListRequest, listing: ListingSql, audience: Audience) => {
    const state = await contentState.read(audience.now);
    const filters = filterConditions(listing, request.filters, { ...audience, now: state.latestPublishedAt });
    const query = db.query();
    const counter = () =>
      request.search
        ? query
            .select({ n: count() })
            .from(fullText.index)
            .crossJoin(articles)
            .where(and(fullText.joinsArticle(articles.id), fullText.matches(request.search), filters))
        : query.select({ n: count() }).from(articles).where(filters);
    const counted = async () => (await counter())[0]?.n ?? 0;
    // A plain list counts what its audience sees: known without building its query.
    if (isPlain(request)) return totals.remember(state, `plain ${audience.seesUnpublished}`, counted);
    const { sql: text, params } = counter().toSQL();
    return totals.remember(state, `${text}|${JSON.stringify(params)}`, counted);
  };

  /** Snippets for the page only, from a bounded prefix of each field (FTS5's snippet() is quadratic). */
  const snippetSources = async (request: ListRequest, ids: number[]): Promise<SnippetSource[]> => {
    if (!request.search || ids.length === 0) return [];
    return db
      .query()
      .select({
        id: articles.id,
        body: sql<string>`coalesce(substr(${articleBodies.bodyText}, 1, ${SNIPPET_SCAN_CHARACTERS}), '')`,
        excerpt: sql<string>`coalesce(${articles.excerpt}, ${articles.autoExcerpt})`,
        subtitle: sql<string>`coalesce(${articles.subtitle}, '')`,
        title: articles.title,
      })
      .from(articles)
      .leftJoin(articleBodies, eq(articleBodies.articleId, articles.id))
      .where(inArray(articles.id, ids));
  };

  return async (request: ListRequest, audience: Audience): Promise<ListResult> => {
    const { search } = request;
    const listing = listingSql(db, search);
    const conditions = and(
      filterConditions(listing, request.filters, audience),
      search ? fullText.matches(search) : undefined,
      search && request.sort[0]?.field === 'relevance' ? fullText.rankWindow(search, rankWindow) : undefined,
      request.after ? after(listing, request.sort, request.after, audience.seesUnpublished) : undefined,
    );
    const { rows } = await readRows(request, listing, conditions, audience);
    const total = await countRows(request, listing, audience);
    const ids = rows.slice(0, request.perPage).map((row) => row.id);
    const links = await linksOf(related, rows.slice(0, request.perPage));
    const texts = await snippetSources(request, ids);
    return assembleList(request, rows, { linksOf: links, texts, total, now: audience.now });
  };
}
