import { and, count, eq, inArray, type SQL, sql } from 'drizzle-orm';
import type { Asynchronous } from '../../db/asynchronous.js';
import type { ContentStateRepository } from '../../db/content-state.js';
import { qualified } from '../../db/helpers.js';
import type { PgDb } from '../../db/postgres/index.js';
import {
  articleBodies,
  articleSearch,
  articles,
  articleTags,
  comments,
  sections,
} from '../../db/postgres/schema.js';
import { searchMatch, searchRank, searchRankWindow } from '../../db/postgres/search.js';
import { executor } from '../../db/postgres/transaction.js';
import { SNIPPET_SCAN_CHARACTERS } from '../../lib/snippet.js';
import type { TagsRepository } from '../tags/repository.js';
import {
  type ArticleSortField,
  after,
  assembleList,
  createTotals,
  filterConditions,
  type Heavy,
  type ListingSql,
  type ListRequest,
  type ListResult,
  type Row,
} from './listing.js';
import type { Audience } from './visibility.js';

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
  commentCount: sql<number>`(select count(*)::integer from ${comments} where ${comments.articleId} = ${qualified(articles.id)} and ${comments.status} = 'approved' and not ${comments.deleted})`,
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

/**
 * ORDER BY as SQLite orders: NULLs first ascending and last descending (PostgreSQL's default is
 * the other way round), text by code point whatever the database's collation.
 */
const ordered = (expression: SQL, descending: boolean) =>
  descending ? sql`${expression} desc nulls last` : sql`${expression} asc nulls first`;

/** Lists, filters and searches articles on PostgreSQL (see ./listing.ts). */
export function createPostgresArticleListing(
  db: PgDb,
  tags: Asynchronous<TagsRepository>,
  contentState: Asynchronous<ContentStateRepository>,
  rankWindow: number,
) {
  const totals = createTotals();
  const listingFor = (rankTsquery: string | undefined): ListingSql => ({
    articles,
    articleTags,
    sortExpression(field: ArticleSortField) {
      // Negated so that lower is better, as bm25 is on SQLite; float8 so that a cursor's copy
      // of the value (a JavaScript number) compares equal to it again.
      if (field === 'relevance') return rankTsquery ? sql`(-(${searchRank(rankTsquery)})::float8)` : sql`0`;
      if (field === 'title') return sql`lower(${articles.title}) collate "C"`;
      return sql`${articles[field]}`;
    },
  });

  return async (request: ListRequest, audience: Audience): Promise<ListResult> => {
    const tsquery = request.search?.tsquery;
    const listing = listingFor(request.search?.rankTsquery);
    const matches = tsquery
      ? inArray(
          articles.id,
          db.select({ id: articleSearch.articleId }).from(articleSearch).where(searchMatch(tsquery)),
        )
      : undefined;
    const where = and(filterConditions(listing, request.filters, audience), matches);
    const sortValues = Object.fromEntries(
      request.sort.map((key, index) => [`sort${index}`, listing.sortExpression(key.field)]),
    );
    const order = request.sort.map((key) => ordered(listing.sortExpression(key.field), key.descending));
    order.push(ordered(sql`${articles.id}`, request.sort[0]?.descending ?? false));
    const conditions = and(
      where,
      tsquery && request.sort[0]?.field === 'relevance'
        ? inArray(
            articles.id,
            db
              .select({ id: articleSearch.articleId })
              .from(articleSearch)
              .where(searchRankWindow(tsquery, rankWindow)),
          )
        : undefined,
      request.after ? after(listing, request.sort, request.after, audience.seesUnpublished) : undefined,
    );
    const limit = request.perPage + 1;
    const offset = request.page ? (request.page - 1) * request.perPage : 0;
    const query = executor(db);
    let rows: (Row & Record<string, unknown>)[];
    if (tsquery) {
      // As on SQLite: rank ids and scores first, then read the page's rows by id.
      const ranked = (await query
        .select({ id: articles.id, ...sortValues, score: listing.sortExpression('relevance') })
        .from(articles)
        .innerJoin(articleSearch, eq(articleSearch.articleId, articles.id))
        .where(conditions)
        .orderBy(...order)
        .limit(limit)
        .offset(offset)) as ({ id: number } & Record<string, unknown>)[];
      const full = new Map(
        (
          (await query
            .select(columnsFor(request.include))
            .from(articles)
            .leftJoin(sections, eq(sections.id, articles.sectionId))
            .leftJoin(articleBodies, eq(articleBodies.articleId, articles.id))
            .where(inArray(articles.id, [0, ...ranked.map((row) => row.id)]))) as Row[]
        ).map((row) => [row.id, row]),
      );
      rows = ranked.flatMap((rank) => {
        const row = full.get(rank.id);
        return row ? [{ ...row, ...rank }] : [];
      });
    } else {
      rows = (await query
        .select({ ...columnsFor(request.include), ...sortValues })
        .from(articles)
        .leftJoin(sections, eq(sections.id, articles.sectionId))
        .leftJoin(articleBodies, eq(articleBodies.articleId, articles.id))
        .where(conditions)
        .orderBy(...order)
        .limit(limit)
        .offset(offset)) as (Row & Record<string, unknown>)[];
    }
    const state = await contentState.read(audience.now);
    const counter = query
      .select({ n: count() })
      .from(articles)
      .where(
        and(
          filterConditions(listing, request.filters, { ...audience, now: state.latestPublishedAt }),
          matches,
        ),
      );
    const total = await totals.remember(state, counter.toSQL(), () => counter.then(([row]) => row?.n ?? 0));

    const page = rows.slice(0, request.perPage);
    const tagsByArticle = await tags.forArticles(page.map((row) => row.id));
    const texts =
      request.search && page.length > 0
        ? await query
            .select({
              id: articles.id,
              body: sql<string>`coalesce(substr(${articleBodies.bodyText}, 1, ${SNIPPET_SCAN_CHARACTERS}), '')`,
              excerpt: sql<string>`coalesce(${articles.excerpt}, ${articles.autoExcerpt})`,
              subtitle: sql<string>`coalesce(${articles.subtitle}, '')`,
              title: articles.title,
            })
            .from(articles)
            .leftJoin(articleBodies, eq(articleBodies.articleId, articles.id))
            .where(
              inArray(
                articles.id,
                page.map((row) => row.id),
              ),
            )
        : [];
    return assembleList(request, rows, { sortValues, tagsByArticle, texts, total, now: audience.now });
  };
}
