import {
  and,
  type Column,
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
import type { Database, SearchQuery, Tables } from '../../db/database.js';
import { qualified } from '../../db/helpers.js';
import type { CursorPosition } from '../../lib/cursor.js';
import type { SortKey } from '../../lib/sort.js';
import type { ArticleSummary } from './schemas.js';
import { type Audience, visibleArticles } from './visibility.js';

// The SQL of article lists: what a page selects, filters by and is ordered by, in one store's tables.

export type ArticleSortField = 'publishedAt' | 'createdAt' | 'updatedAt' | 'title' | 'relevance';
export type ArticleStatus = ArticleSummary['status'];
export type StoredStatus = Tables['articles']['$inferSelect']['status'];

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
  /** By this author. */
  authorId?: number;
  publishedFrom?: string;
  publishedBefore?: { at: string; inclusive: boolean };
  updatedSince?: string;
}

const NULLABLE = new Set<ArticleSortField>(['publishedAt']);

/** Whether a sort field can be NULL (a draft's publishedAt). */
export const isNullable = (field: ArticleSortField) => NULLABLE.has(field);

/** The columns and expressions a list query is built from, in one store's tables. */
export interface ListingSql {
  articles: Record<
    'id' | 'status' | 'publishedAt' | 'expiresAt' | 'createdAt' | 'updatedAt' | 'sectionId',
    Column
  >;
  articleTags: Record<'articleId' | 'tagId', Column>;
  articleAuthors: Record<'articleId' | 'authorId', Column>;
  /** What a sort field orders by; `relevance` is the search rank, lower first. */
  sortExpression(field: ArticleSortField): SQL;
}

/** The listing SQL of a store, for one request (relevance needs its search). */
export function listingSql(db: Database, search: SearchQuery | undefined): ListingSql {
  const { articles, articleTags, articleAuthors } = db.tables;
  return {
    articles,
    articleTags,
    articleAuthors,
    sortExpression(field) {
      if (field === 'relevance') return search ? db.dialect.search.rank(search) : sql`0`;
      if (field === 'title') return db.dialect.byCodePoint(sql`lower(${articles.title})`);
      return sql`${articles[field]}`;
    },
  };
}

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
    const firstNullable = isNullable(keys[0]?.field ?? 'title');
    return descending && nullsVisible && firstNullable
      ? or(beyond, isNull(sortExpression(keys[0]?.field ?? 'title')))
      : beyond;
  }
  const byId = descending ? lt(articles.id, position.id) : sql`${articles.id} > ${position.id}`;
  return keys.reduceRight<SQL | undefined>((rest, key, index) => {
    const expression = sortExpression(key.field);
    const value = values[index] ?? null;
    const nullable = nullsVisible && isNullable(key.field);
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

/** An article's tags or authors in order, as the JSON text of [id, slug, name] rows. */
function linkedRefs(db: Database, link: 'tags' | 'authors') {
  const { articles, articleTags, tags, articleAuthors, authors } = db.tables;
  const [links, targets, targetId] =
    link === 'tags'
      ? [articleTags, tags, articleTags.tagId]
      : [articleAuthors, authors, articleAuthors.authorId];
  const rows = db.dialect.jsonRows([targets.id, targets.slug, targets.name], links.position);
  return sql<string>`(select ${rows} from ${links} join ${targets} on ${targets.id} = ${targetId} where ${links.articleId} = ${qualified(articles.id)})`;
}

/**
 * What a list shows of an article: its row, its section, the count of its approved, undeleted
 * comments, and its tags and authors (read in the same query: a page is one statement).
 */
export const summaryColumns = (db: Database) => {
  const { articles, sections, comments } = db.tables;
  return {
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
    featuredImageId: articles.featuredImageId,
    correctionChanges: articles.correctionChanges,
    publishedAt: articles.publishedAt,
    expiresAt: articles.expiresAt,
    commentsEnabled: articles.commentsEnabled,
    commentCount:
      sql<number>`(select count(*) from ${comments} where ${comments.articleId} = ${qualified(articles.id)} and ${comments.status} = 'approved' and ${eq(comments.deleted, false)})`.mapWith(
        Number,
      ),
    tagRefs: linkedRefs(db, 'tags'),
    authorRefs: linkedRefs(db, 'authors'),
    version: articles.version,
    createdAt: articles.createdAt,
    updatedAt: articles.updatedAt,
  };
};

export const columnsFor = (db: Database, heavy: Heavy) => ({
  ...summaryColumns(db),
  ...(heavy.body ? { body: db.tables.articleBodies.body } : {}),
  ...(heavy.bodyHtml ? { bodyHtml: db.tables.articleBodies.bodyHtml } : {}),
  ...(heavy.toc ? { toc: db.tables.articleBodies.toc } : {}),
});

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

const byAuthor = ({ articles, articleAuthors }: ListingSql, authorId: number) =>
  inArray(
    articles.id,
    sql`(select ${articleAuthors.articleId} from ${articleAuthors} where ${articleAuthors.authorId} = ${authorId})`,
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
    filters.authorId !== undefined ? byAuthor(tables, filters.authorId) : undefined,
    filters.publishedFrom ? gte(articles.publishedAt, filters.publishedFrom) : undefined,
    publishedBefore
      ? publishedBefore.inclusive
        ? lte(articles.publishedAt, publishedBefore.at)
        : lt(articles.publishedAt, publishedBefore.at)
      : undefined,
    filters.updatedSince ? gte(articles.updatedAt, filters.updatedSince) : undefined,
  );
}
