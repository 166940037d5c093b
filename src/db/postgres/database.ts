import { type Column, type SQLWrapper, sql } from 'drizzle-orm';
import type { Database, Dialect, Query } from '../database.js';
import { openPostgres, type PostgresOptions } from './index.js';
import * as schema from './tables.js';
import {
  afterCommit,
  currentWrite,
  executor,
  inTransaction,
  rolledBack,
  writeTransaction,
} from './transaction.js';

const { articleSearch } = schema;

/**
 * PostgreSQL's spelling of what differs. Search is a weighted tsvector per article in
 * `article_search` (migrations-postgres 0001 keeps it up to date), matched by the same query
 * language as SQLite's FTS5 (lib/search-query.ts renders it as tsquery text).
 */
export const postgresDialect: Dialect = {
  kind: 'postgres',
  // PostgreSQL's default puts NULLs the other way round.
  ordered: (expression, descending, nullable = true) =>
    nullable
      ? descending
        ? sql`${expression} desc nulls last`
        : sql`${expression} asc nulls first`
      : descending
        ? sql`${expression} desc`
        : sql`${expression} asc`,
  byCodePoint: (text) => sql`${text} collate "C"`,
  inList: (column: Column, list: SQLWrapper) => sql`${column} = any(${list})`,
  listValue: (values) => values,
  jsonRows: (values, order) =>
    sql<string>`coalesce(json_agg(json_build_array(${sql.join(values, sql`, `)}) order by ${order})::text, '[]')`,
  async afterExplicitIds(query, tables) {
    for (const table of tables) {
      await query.execute(
        sql`select setval(pg_get_serial_sequence(${table}, 'id'), coalesce(max(id), 1), max(id) is not null) from ${sql.identifier(table)}`,
      );
    }
  },
  search: {
    index: sql`${articleSearch}`,
    joinsArticle: (articleId) => sql`${articleSearch.articleId} = ${articleId}`,
    matches: (query) => sql`${articleSearch.document} @@ ${query.tsquery}::tsquery`,
    // Title far above tags, subtitle and excerpt, and the body last, as SQLite's bm25 weights
    // them (ts_rank takes weights for D, C, B, A); normalisation 1 divides by the log of the
    // length, as bm25 favours shorter documents. Negated, so lower is better; float8 so that a
    // cursor's copy of the value (a JavaScript number) compares equal to it again.
    rank: (query) =>
      query.rankTsquery === ''
        ? sql<number>`0`
        : sql<number>`(-(ts_rank('{0.1, 0.35, 0.5, 1.0}', ${articleSearch.document}, ${query.rankTsquery}::tsquery, 1))::float8)`,
    rankWindow: (query, size) =>
      sql`${articleSearch.articleId} >= coalesce((select window_start.article_id from ${articleSearch} as window_start where window_start.document @@ ${query.tsquery}::tsquery order by window_start.article_id desc offset ${size - 1} limit 1), 0)`,
  },
};

/** A PostgreSQL pool as a store (see ../database.ts); applies pending migrations first. */
export async function openPostgresDatabase(url: string, options: PostgresOptions = {}): Promise<Database> {
  const { pool, db, close } = await openPostgres(url, options);
  let writes = 0;
  const counted = async <T>(write: Promise<T>) => {
    try {
      return await write;
    } finally {
      writes++;
    }
  };
  return {
    dialect: postgresDialect,
    tables: schema,
    readers: db as unknown as Query,
    query: () => executor(db) as unknown as Query,
    write: (work) => counted(writeTransaction(db, work)),
    writeAlone: (statement) => counted(statement(executor(db) as unknown as Query)),
    committedWrites: () => writes,
    preparedForWrites: (build) => () => build(executor(db) as unknown as Query),
    inWrite: inTransaction,
    currentWrite,
    afterCommit,
    rolledBack: (work) => rolledBack(db, work),
    async ping() {
      await pool.query('select 1');
    },
    close,
  };
}
