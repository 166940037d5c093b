import {
  and,
  asc,
  type Column,
  count,
  desc,
  eq,
  gte,
  inArray,
  isNotNull,
  isNull,
  lt,
  lte,
  or,
  type SQL,
  sql,
} from 'drizzle-orm';
import type { ContentStateRepository } from '../../db/content-state.js';
import { qualified } from '../../db/helpers.js';
import type { Db } from '../../db/index.js';
import { articleBodies, articles, articleTags, comments, sections } from '../../db/schema.js';
import type { CursorPosition } from '../../lib/cursor.js';
import { readingTimeMinutes } from '../../lib/markdown.js';
import { buildSnippet, type SearchTerm, SNIPPET_SCAN_CHARACTERS } from '../../lib/snippet.js';
import type { SortKey } from '../../lib/sort.js';
import type { TagsRepository } from '../tags/repository.js';
import type { ArticleSummary } from './schemas.js';
import { ftsJoin, ftsMatch, ftsRank, ftsRankWindow, ftsTable } from './search.js';
import { type Audience, visibleArticles } from './visibility.js';

export type ArticleSortField = 'publishedAt' | 'createdAt' | 'updatedAt' | 'title' | 'relevance';
export type ArticleStatus = ArticleSummary['status'];
type StoredStatus = (typeof articles.status.enumValues)[number];

/** The heavy fields a read includes: single reads take both bodies and the toc, lists none. */
export interface Heavy {
  body?: boolean;
  bodyHtml?: boolean;
  toc?: boolean;
}

export interface ArticleFilters {
  sectionIds?: number[];
  /** Any of these tags. */
  anyTagIds?: number[];
  /** All of these tags. */
  allTagIds?: number[];
  status?: ArticleStatus;
  author?: string;
  publishedFrom?: string;
  publishedBefore?: { at: string; inclusive: boolean };
  updatedSince?: string;
}

export interface ListRequest {
  perPage: number;
  /** Page mode; otherwise `after` (cursor mode) or the first page. */
  page?: number;
  after?: CursorPosition;
  sort: SortKey<ArticleSortField>[];
  filters: ArticleFilters;
  /** A full-text query (FTS5 for SQLite, tsquery for PostgreSQL: lib/search-query) and how to mark matches. */
  search?: {
    fts: string;
    tsquery: string;
    rankTsquery: string;
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

const NULLABLE = new Set<ArticleSortField>(['publishedAt']);

/** The columns and expressions a list query is built from, in one store's tables. */
export interface ListingSql {
  articles: Record<
    'id' | 'status' | 'publishedAt' | 'createdAt' | 'updatedAt' | 'sectionId' | 'author',
    Column
  >;
  articleTags: Record<'articleId' | 'tagId', Column>;
  /** What a sort field orders by; `relevance` is the search rank, lower first. */
  sortExpression(field: ArticleSortField): SQL;
}

const sqliteSql: ListingSql = {
  articles,
  articleTags,
  sortExpression(field) {
    if (field === 'relevance') return ftsRank;
    if (field === 'title') return sql`lower(${articles.title})`;
    return sql`${articles[field]}`;
  },
};
const sortExpression = sqliteSql.sortExpression;

/**
 * Rows after `position` in the order of `keys` (ties by id), for keyset paging. NULLs sort first
 * ascending and last descending, as SQLite orders them; only callers who can see drafts meet a
 * NULL publishedAt.
 */
export function after(
  { articles, sortExpression }: ListingSql,
  keys: SortKey<ArticleSortField>[],
  position: CursorPosition,
  nullsVisible: boolean,
): SQL | undefined {
  const descending = keys[0]?.descending ?? false;
  const values = keys.map((_, index) => position.values[index] ?? null);
  // The common case, one direction and no NULL in the position: a row-value comparison, which
  // SQLite turns into a range on the index, so page 500 costs what page 1 does.
  if (keys.every((key) => key.descending === descending) && values.every((value) => value !== null)) {
    const columns = sql.join([...keys.map((key) => sortExpression(key.field)), sql`${articles.id}`], sql`, `);
    const bound = sql.join([...values.map((value) => sql`${value}`), sql`${position.id}`], sql`, `);
    const beyond = descending ? sql`(${columns}) < (${bound})` : sql`(${columns}) > (${bound})`;
    const firstNullable = NULLABLE.has(keys[0]?.field ?? 'title');
    return descending && nullsVisible && firstNullable
      ? or(beyond, isNull(sortExpression(keys[0]?.field ?? 'title')))
      : beyond;
  }
  const byId = descending ? lt(articles.id, position.id) : sql`${articles.id} > ${position.id}`;
  return keys.reduceRight<SQL | undefined>((rest, key, index) => {
    const expression = sortExpression(key.field);
    const value = values[index] ?? null;
    const nullable = nullsVisible && NULLABLE.has(key.field);
    let beyond: SQL | undefined;
    let same: SQL;
    if (value === null) {
      beyond = key.descending ? undefined : isNotNull(expression);
      same = isNull(expression);
    } else {
      beyond = key.descending
        ? or(sql`${expression} < ${value}`, nullable ? isNull(expression) : undefined)
        : sql`${expression} > ${value}`;
      same = sql`${expression} = ${value}`;
    }
    return or(beyond, and(same, rest));
  }, byId);
}

export const summaryColumns = {
  id: articles.id,
  slug: articles.slug,
  title: articles.title,
  subtitle: articles.subtitle,
  excerpt: articles.excerpt,
  autoExcerpt: articles.autoExcerpt,
  wordCount: articles.wordCount,
  status: articles.status,
  sectionId: articles.sectionId,
  sectionSlug: sections.slug,
  sectionName: sections.name,
  author: articles.author,
  publishedAt: articles.publishedAt,
  commentsEnabled: articles.commentsEnabled,
  commentCount: sql<number>`(select count(*) from ${comments} where ${comments.articleId} = ${qualified(articles.id)} and ${comments.status} = 'approved' and ${comments.deleted} = 0)`,
  version: articles.version,
  createdAt: articles.createdAt,
  updatedAt: articles.updatedAt,
};

export const columnsFor = (heavy: Heavy) => ({
  ...summaryColumns,
  ...(heavy.body ? { body: articleBodies.body } : {}),
  ...(heavy.bodyHtml ? { bodyHtml: articleBodies.bodyHtml } : {}),
  ...(heavy.toc ? { toc: articleBodies.toc } : {}),
});

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
  author: string | null;
  publishedAt: string | null;
  commentsEnabled: boolean;
  commentCount: number;
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

export function toArticle(row: Row, tags: ArticleSummary['tags'], now: string): ArticleSummary {
  const { excerpt, autoExcerpt, sectionId, sectionSlug, sectionName, wordCount, status, ...rest } = row;
  return {
    ...rest,
    excerpt: excerpt ?? autoExcerpt,
    status: effectiveStatus(status, row.publishedAt, now),
    section: sectionId !== null ? { id: sectionId, slug: sectionSlug ?? '', name: sectionName ?? '' } : null,
    tags,
    wordCount,
    readingTimeMinutes: readingTimeMinutes(wordCount),
  };
}

function statusCondition(
  articles: ListingSql['articles'],
  status: ArticleStatus,
  now: string,
): SQL | undefined {
  if (status === 'published') return and(eq(articles.status, 'published'), lte(articles.publishedAt, now));
  if (status === 'scheduled')
    return and(eq(articles.status, 'published'), sql`${articles.publishedAt} > ${now}`);
  return eq(articles.status, status);
}

const withTag = ({ articles, articleTags }: ListingSql, tagIds: number[]) =>
  inArray(
    articles.id,
    sql`(select ${articleTags.articleId} from ${articleTags} where ${inArray(articleTags.tagId, tagIds)})`,
  );

/** WHERE for a list's filters, over the articles this audience sees. */
export function filterConditions(
  tables: ListingSql,
  filters: ArticleFilters,
  audience: Audience,
): SQL | undefined {
  const { articles } = tables;
  const { publishedBefore } = filters;
  return and(
    filters.status === 'trashed' && audience.seesUnpublished
      ? undefined
      : visibleArticles(audience, articles),
    filters.sectionIds ? inArray(articles.sectionId, filters.sectionIds) : undefined,
    filters.anyTagIds ? withTag(tables, filters.anyTagIds) : undefined,
    ...(filters.allTagIds ?? []).map((tagId) => withTag(tables, [tagId])),
    filters.status ? statusCondition(articles, filters.status, audience.now) : undefined,
    filters.author !== undefined ? eq(articles.author, filters.author) : undefined,
    filters.publishedFrom ? gte(articles.publishedAt, filters.publishedFrom) : undefined,
    publishedBefore
      ? publishedBefore.inclusive
        ? lte(articles.publishedAt, publishedBefore.at)
        : lt(articles.publishedAt, publishedBefore.at)
      : undefined,
    filters.updatedSince ? gte(articles.updatedAt, filters.updatedSince) : undefined,
  );
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
    sortValues: Record<string, unknown>;
    tagsByArticle: Map<number, ArticleSummary['tags']>;
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
    const { score, ...rest } = row;
    for (const key of Object.keys(parts.sortValues)) delete rest[key];
    const article: ArticleHit = toArticle(rest as Row, parts.tagsByArticle.get(row.id) ?? [], parts.now);
    if (request.search) {
      article.snippet = snippets.get(row.id) ?? '';
      article.score = Math.round(-Number(score) * 1000) / 1000;
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

/**
 * Totals change only when content does (or a scheduled article goes live): remembered per
 * content state, so paging through a large list does not count it again on every page. The
 * count query is built for "up to the latest publication reached", which counts what "up to
 * now" does and keeps its text (so the key) the same from one request to the next.
 */
export function createTotals() {
  const totals = new Map<string, number>();
  let totalsState = '';
  return {
    remember<T extends number | Promise<number>>(
      state: { generation: number; latestPublishedAt: string },
      query: { sql: string; params: unknown[] },
      count: () => T,
    ): T | number {
      const stateKey = `${state.generation}|${state.latestPublishedAt}`;
      if (stateKey !== totalsState) {
        totals.clear();
        totalsState = stateKey;
      }
      const key = `${query.sql}|${JSON.stringify(query.params)}`;
      const known = totals.get(key);
      if (known !== undefined) return known;
      const store = (total: number) => {
        if (totals.size >= 1000) totals.delete(totals.keys().next().value as string);
        totals.set(key, total);
        return total;
      };
      const counted = count();
      return (typeof counted === 'number' ? store(counted) : counted.then(store)) as T;
    },
  };
}

/** Lists, filters and searches articles: page or keyset paging, one query for the page's tags. */
export function createArticleListing(
  db: Db,
  tags: TagsRepository,
  contentState: ContentStateRepository,
  rankWindow: number,
) {
  const totals = createTotals();
  const countOnce = (
    build: (audience: Audience) => {
      toSQL(): { sql: string; params: unknown[] };
      get(): { n: number } | undefined;
    },
    audience: Audience,
  ) => {
    const state = contentState.read(audience.now);
    const query = build({ ...audience, now: state.latestPublishedAt });
    return totals.remember(state, query.toSQL(), () => query.get()?.n ?? 0);
  };

  return (request: ListRequest, audience: Audience): ListResult => {
    const where = and(
      filterConditions(sqliteSql, request.filters, audience),
      request.search ? ftsMatch(request.search.fts) : undefined,
    );
    const sortValues = Object.fromEntries(
      request.sort.map((key, index) => [`sort${index}`, sortExpression(key.field)]),
    );
    const order = request.sort.map((key) =>
      key.descending ? desc(sortExpression(key.field)) : asc(sortExpression(key.field)),
    );
    order.push(request.sort[0]?.descending ? desc(articles.id) : asc(articles.id));
    const conditions = and(
      where,
      request.search && request.sort[0]?.field === 'relevance'
        ? ftsRankWindow(request.search.fts, rankWindow)
        : undefined,
      request.after ? after(sqliteSql, request.sort, request.after, audience.seesUnpublished) : undefined,
    );
    const limit = request.perPage + 1;
    const offset = request.page ? (request.page - 1) * request.perPage : 0;
    let rows: (Row & Record<string, unknown>)[];
    if (request.search) {
      // Ranking reads ids, sort values and scores only; the page's rows are read afterwards by
      // id. Reading every column of every match (sections, comment counts) cost more than
      // the ranking itself.
      const ranked = db
        .select({ id: articles.id, ...sortValues, score: ftsRank })
        .from(ftsTable)
        .crossJoin(articles)
        .where(and(ftsJoin, conditions))
        .orderBy(...order)
        .limit(limit)
        .offset(offset)
        .all() as ({ id: number } & Record<string, unknown>)[];
      const full = new Map(
        (
          db
            .select(columnsFor(request.include))
            .from(articles)
            .leftJoin(sections, eq(sections.id, articles.sectionId))
            .leftJoin(articleBodies, eq(articleBodies.articleId, articles.id))
            .where(
              inArray(
                articles.id,
                ranked.map((row) => row.id),
              ),
            )
            .all() as Row[]
        ).map((row) => [row.id, row]),
      );
      rows = ranked.flatMap((rank) => {
        const row = full.get(rank.id);
        return row ? [{ ...row, ...rank }] : [];
      });
    } else {
      rows = db
        .select({ ...columnsFor(request.include), ...sortValues })
        .from(articles)
        .leftJoin(sections, eq(sections.id, articles.sectionId))
        // SQLite omits this join when no body column is selected (lists without `include`).
        .leftJoin(articleBodies, eq(articleBodies.articleId, articles.id))
        .where(conditions)
        .orderBy(...order)
        .limit(limit)
        .offset(offset)
        .all() as (Row & Record<string, unknown>)[];
    }
    const counter = request.search
      ? db.select({ n: count() }).from(ftsTable).crossJoin(articles).$dynamic()
      : db.select({ n: count() }).from(articles).$dynamic();
    const total = countOnce(
      (stable: Audience) =>
        counter.where(
          and(
            request.search ? and(ftsJoin, ftsMatch(request.search.fts)) : undefined,
            filterConditions(sqliteSql, request.filters, stable),
          ),
        ),
      audience,
    );

    const page = rows.slice(0, request.perPage);
    const tagsByArticle = tags.forArticles(page.map((row) => row.id));
    // Snippets for the page only, from a bounded prefix of each field (FTS5's snippet() is
    // quadratic in the matches inside one document).
    let texts: SnippetSource[] = [];
    if (request.search && page.length > 0) {
      const ids = JSON.stringify(page.map((row) => row.id));
      texts = db.all<SnippetSource>(
        sql`select ${articles.id} as id, substr(${articleBodies.bodyText}, 1, ${SNIPPET_SCAN_CHARACTERS}) as body,
          coalesce(${articles.excerpt}, ${articles.autoExcerpt}) as excerpt, coalesce(${articles.subtitle}, '') as subtitle,
          ${articles.title} as title from ${articles} left join ${articleBodies} on ${articleBodies.articleId} = ${articles.id}
          where ${articles.id} in (select value from json_each(${ids}))`,
      );
    }
    return assembleList(request, rows, { sortValues, tagsByArticle, texts, total, now: audience.now });
  };
}
