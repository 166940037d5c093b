import type { Column, SQL, SQLWrapper } from 'drizzle-orm';
import type { NodePgDatabase } from 'drizzle-orm/node-postgres';
import type * as postgresSchema from './postgres/tables.js';

/**
 * The tables of a store. Both schemas (./schema.ts for SQLite, ./postgres/schema.ts) declare the
 * same tables, columns and JavaScript types under the same names (test/db/schemas.test.ts
 * compares them), so repositories are written once against this shape and each store hands in
 * its own table objects. `articleSearch` is PostgreSQL's search table: only its dialect uses it.
 */
export type Tables = Omit<typeof postgresSchema, 'articleSearch'>;

/**
 * The query builder repositories write with. Drizzle has no builder common to two dialects, so
 * repositories are typed against its PostgreSQL builder, which is asynchronous like every
 * store's: every query is awaited, and what only SQLite's builder has (`.get()`, `.all()`,
 * `.run()`) does not type-check. On SQLite the same calls go to its builder, whose queries are
 * awaitable too. What the two dialects spell differently is in `Dialect`.
 */
export type Query = NodePgDatabase<Tables>;

/** What a repository needs of a store: its tables, its queries and its write transactions. */
export interface Database {
  readonly dialect: Dialect;
  readonly tables: Tables;
  /** What queries run on: the write transaction this call is part of, or else the readers. */
  query(): Query;
  /** Queries outside any write (the pool, SQLite's read connection): where statements are prepared. */
  readonly readers: Query;
  /**
   * Runs `work` as one write transaction. Writers run one after another, in every process (SQLite's
   * write lock; on PostgreSQL the lock on content_state's row), so slug checks, versions and the
   * event log's order hold. Called inside another, it is a savepoint: a failure undoes only itself.
   */
  write<T>(work: () => Promise<T>): Promise<T>;
  /**
   * One write statement that needs no order among writers (a rate-limit hit, a key's last use):
   * inside a write it joins it; outside, SQLite still takes its turn at the write lock.
   */
  writeAlone<T>(statement: (query: Query) => Promise<T>): Promise<T>;
  /**
   * A prepared statement to run inside writes. SQLite prepares it once, on its writing connection.
   * PostgreSQL builds it on each write's own transaction (one prepared on the pool would run
   * outside it), named, so that each connection still parses and plans it once.
   */
  preparedForWrites<P>(build: (query: Query) => P): () => P;
  /** Whether this call runs inside a write transaction. */
  inWrite(): boolean;
  /**
   * The outermost write this call runs in, the same object through its savepoints (undefined
   * outside one): what a memo for the length of one write keys on.
   */
  currentWrite(): object | undefined;
  /** Calls `callback` once the write this call runs in commits (at once outside one). */
  afterCommit(callback: () => void): void;
  /** Runs `work` in one write transaction and undoes it all: a dry run. */
  rolledBack(work: () => Promise<unknown>): Promise<void>;
  /** SQLite only: a consistent copy of the file while writes go on (the SQLite backup API). */
  backup?(file: string): Promise<{ totalPages: number }>;
  /**
   * SQLite only: a number that moves whenever any connection (this process's writer, another
   * process) commits to the file (PRAGMA data_version on the reader). While it holds, nothing the
   * readers can see has changed, so what they last read may be answered again without a query.
   */
  dataVersion?(): number;
  /** How many writes this process has finished (committed or not): what it read before may be stale. */
  committedWrites(): number;
  /** A trivial query: readiness. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** SQL the two stores spell differently. Everything else is the same text on both. */
export interface Dialect {
  readonly kind: 'sqlite' | 'postgres';
  /**
   * ORDER BY one expression, NULLs first ascending and last descending (SQLite's default). An
   * expression that cannot be NULL in the rows asked is ordered plainly: PostgreSQL then walks
   * its ascending indexes either way, where `desc nulls last` would sort every row.
   */
  ordered(expression: SQL | Column, descending: boolean, nullable?: boolean): SQL;
  /** Text compared by code point, whatever the database's collation (SQLite's BINARY). */
  byCodePoint(text: SQL | Column): SQL;
  /** `column` is one of a list passed as one parameter (so one prepared statement fits any length). */
  inList(column: Column, list: SQLWrapper): SQL;
  /** The parameter value `inList` expects for these values. */
  listValue(values: readonly (string | number)[]): unknown;
  /**
   * An aggregate: the JSON text of an array holding one array of `values` per row, in `order`
   * (`[]` for no rows). Reads linked rows in the same query as their article.
   */
  jsonRows(values: (SQL | Column)[], order: SQL | Column): SQL<string>;
  /** After rows were inserted under ids of their own (an import): new rows' ids come after them. */
  afterExplicitIds(query: Query, tables: string[]): Promise<void>;
  readonly search: FullTextSearch;
}

/** A parsed search as each store's full-text index takes it (lib/search-query.ts). */
export interface SearchQuery {
  /** FTS5 MATCH text (SQLite). */
  fts: string;
  /** tsquery text (PostgreSQL). */
  tsquery: string;
  /** tsquery text ranking by any wanted word (PostgreSQL: see lib/search-query.ts). */
  rankTsquery: string;
}

/**
 * The full-text index. Searches read it first and join articles to it (`index` then a CROSS
 * JOIN articles, with `joinsArticle` in the WHERE): driven from the articles instead, SQLite
 * evaluated the match once per published row, and `t*` over 2,000 long articles held it 50 s.
 */
export interface FullTextSearch {
  index: SQL;
  joinsArticle(articleId: Column): SQL;
  /** The index rows matching the query. */
  matches(query: SearchQuery): SQL;
  /** Relevance, lower first (SQLite's bm25 is negative; PostgreSQL's ts_rank is negated). */
  rank(query: SearchQuery): SQL<number>;
  /** Keeps ranking to the newest `size` matches (SEARCH_RANK_WINDOW). */
  rankWindow(query: SearchQuery, size: number): SQL;
}
