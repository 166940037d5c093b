import { and, eq, inArray, type SQL, sql } from 'drizzle-orm';
import type { Database } from '../../db/database.js';
import { columnsFor, type ListingSql } from './list-sql.js';
import type { ListRequest, Row } from './listing.js';

/**
 * A search's page: ids, sort values and scores only, from the full-text index first; the page's
 * rows are read afterwards by id (reading every column of every match cost more than ranking).
 * The rank is selected once, as `score`, and ordered by that name: FTS5's bm25 re-reads every
 * match's positions, and written in the select list and the order it ran once per mention
 * (three times a row, a third of a search's time at 100,000 articles).
 */
export async function readRanked(
  db: Database,
  request: ListRequest,
  listing: ListingSql,
  conditions: SQL | undefined,
  page: { order: SQL[]; limit: number; offset: number },
) {
  const { articles, articleBodies, sections } = db.tables;
  const fullText = db.dialect.search;
  const isRank = (index: number) => request.sort[index]?.field === 'relevance';
  const sortValues = Object.fromEntries(
    request.sort.flatMap((key, index) =>
      isRank(index) ? [] : [[`sort${index}`, listing.sortExpression(key.field)]],
    ),
  );
  // The rank is never NULL: plain asc/desc on both stores.
  const order = page.order.map((term, index) =>
    isRank(index) ? (request.sort[index]?.descending ? sql`"score" desc` : sql`"score" asc`) : term,
  );
  const query = db.query();
  const ranked = (await query
    .select({ id: articles.id, ...sortValues, score: listing.sortExpression('relevance').as('score') })
    .from(fullText.index)
    .crossJoin(articles)
    .where(and(fullText.joinsArticle(articles.id), conditions))
    .orderBy(...order)
    .limit(page.limit)
    .offset(page.offset)) as ({ id: number; score: number } & Record<string, unknown>)[];
  const full = new Map(
    (
      (await query
        .select(columnsFor(db, request.include))
        .from(articles)
        .leftJoin(sections, eq(sections.id, articles.sectionId))
        .leftJoin(articleBodies, eq(articleBodies.articleId, articles.id))
        .where(inArray(articles.id, [0, ...ranked.map((row) => row.id)]))) as Row[]
    ).map((row) => [row.id, row]),
  );
  return ranked.flatMap((rank) => {
    const row = full.get(rank.id);
    if (!row) return [];
    request.sort.forEach((_, index) => {
      if (isRank(index)) rank[`sort${index}`] = rank.score;
    });
    return [{ ...row, ...rank }];
  });
}
