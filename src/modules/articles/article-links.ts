import { and, count, eq, exists, inArray, type SQL, sql } from 'drizzle-orm';
import type { PgColumn, PgTable, SelectedFields } from 'drizzle-orm/pg-core';
import type { SelectResultFields } from 'drizzle-orm/query-builders/select.types';
import type { Database } from '../../db/database.js';
import { orderBy, qualified } from '../../db/helpers.js';
import type { SortKey } from '../../lib/sort.js';
import type { ContentStateRepository } from '../content-state/repository.js';
import { type Audience, publishedBy, visibleArticles } from './visibility.js';

// What tags and authors share: an article links to them in order (article_tags,
// article_authors), the public sees one only once an article it may read carries it, and each
// shows how many articles the caller may read carry it.

/** A link table and the table it points at. */
export interface ArticleLink {
  /** The link table: (article, target, position). */
  links: PgTable;
  articleId: PgColumn;
  targetId: PgColumn;
  position: PgColumn;
  /** The table linked to, with the columns an article embeds. */
  targets: PgTable;
  target: { id: PgColumn; slug: PgColumn; name: PgColumn; updatedAt: PgColumn };
  /** The link row to insert. */
  row: (articleId: number, targetId: number, position: number) => Record<string, number>;
  /** Names the prepared statement. */
  name: string;
}

export interface LinkedRef {
  id: number;
  slug: string;
  name: string;
}

const admin = (at: string): Audience => ({ seesUnpublished: true, now: at });

/** Targets some article this audience sees carries (keyed readers see them all). */
export function shownTo(db: Database, link: ArticleLink, audience: Audience): SQL | undefined {
  if (audience.seesUnpublished) return undefined;
  const { articles } = db.tables;
  return exists(
    db.readers
      .select({ one: sql`1` })
      .from(link.links)
      .innerJoin(articles, eq(articles.id, link.articleId))
      .where(and(eq(link.targetId, qualified(link.target.id)), visibleArticles(audience, articles))),
  );
}

/** Every target's count of articles from one grouped pass, kept until what it counts changes. */
export function createArticleCounts(db: Database, contentState: ContentStateRepository, link: ArticleLink) {
  const { articles } = db.tables;
  const remembered = new Map<'public' | 'all', { state: string; counts: Map<number, number> }>();
  return async (audience: Audience): Promise<Map<number, number>> => {
    const state = await contentState.read(audience.now);
    const scope = audience.seesUnpublished ? 'all' : 'public';
    const key =
      scope === 'all' ? String(state.generation) : `${state.publicGeneration}|${state.latestPublishedAt}`;
    const known = remembered.get(scope);
    if (known?.state === key) return known.counts;
    const rows = await db
      .query()
      .select({ targetId: link.targetId, n: count() })
      .from(articles)
      .innerJoin(link.links, eq(link.articleId, articles.id))
      .where(
        scope === 'all'
          ? visibleArticles(admin(''), articles)
          : publishedBy(state.latestPublishedAt, articles),
      )
      .groupBy(link.targetId);
    const counts = new Map(rows.map((row) => [row.targetId as number, row.n]));
    remembered.set(scope, { state: key, counts });
    return counts;
  };
}

/** Replaces an article's links with these targets, in this order. Call inside its write. */
export async function replaceLinks(db: Database, link: ArticleLink, articleId: number, targetIds: number[]) {
  await db.query().delete(link.links).where(eq(link.articleId, articleId));
  await insertLinks(db, link, articleId, targetIds);
}

/** Links an article that has no links yet (a new one) to its targets, in order. */
export async function insertLinks(db: Database, link: ArticleLink, articleId: number, targetIds: number[]) {
  if (targetIds.length === 0) return;
  await db
    .query()
    .insert(link.links)
    .values(targetIds.map((targetId, position) => link.row(articleId, targetId, position)));
}

/** The ids of the articles that carry a target, in id order. */
export async function carriersOf(db: Database, link: ArticleLink, targetId: number): Promise<number[]> {
  const rows = await db
    .query()
    .select({ id: link.articleId })
    .from(link.links)
    .where(eq(link.targetId, targetId))
    .orderBy(link.articleId);
  return rows.map((row) => row.id as number);
}

/** How tags and authors sort: by a column, or by the articles carrying them. */
export type TargetSortField = 'name' | 'createdAt' | 'updatedAt' | 'articleCount';

interface TargetRow {
  id: number;
  name: string;
  createdAt: string;
  updatedAt: string;
}

export const withCount = <T extends { id: number }>(row: T, counts: Map<number, number>) => ({
  ...row,
  articleCount: counts.get(row.id) ?? 0,
});

/** The same order as the SQL sort (names compared as SQLite's lower() does: ASCII only), ties by id. */
export function compareBy(keys: SortKey<TargetSortField>[]) {
  type Counted = TargetRow & { articleCount: number };
  const value = (row: Counted, field: TargetSortField): string | number =>
    field === 'name' ? row.name.replace(/[A-Z]/g, (c) => c.toLowerCase()) : row[field];
  return (a: Counted, b: Counted): number => {
    for (const key of keys) {
      const left = value(a, key.field);
      const right = value(b, key.field);
      if (left !== right) return (left < right ? -1 : 1) * (key.descending ? -1 : 1);
    }
    return (a.id - b.id) * (keys[0]?.descending ? -1 : 1);
  };
}

/** A page of tags or authors: by a column, or (articleCount) by the counts in memory. */
export async function listTargets<Columns extends SelectedFields>(
  db: Database,
  target: {
    table: PgTable & { id: PgColumn; name: PgColumn; createdAt: PgColumn; updatedAt: PgColumn };
    columns: Columns;
  },
  counts: Map<number, number>,
  options: { page: number; perPage: number; sort: SortKey<TargetSortField>[] },
  audience: Audience,
) {
  type Row = SelectResultFields<Columns> & TargetRow;
  const { table, columns } = target;
  const where = audience.seesUnpublished ? undefined : inArray(table.id, [...counts.keys(), 0]);
  const total = await db.query().$count(table, where);
  const offset = (options.page - 1) * options.perPage;
  if (options.sort.some((key) => key.field === 'articleCount')) {
    // Counts live in memory: order the (few thousand at most) rows here.
    const all = ((await db.query().select(columns).from(table).where(where)) as Row[]).map((row) =>
      withCount(row, counts),
    );
    return { items: all.sort(compareBy(options.sort)).slice(offset, offset + options.perPage), total };
  }
  const sortColumns = {
    name: db.dialect.byCodePoint(sql`lower(${table.name})`),
    createdAt: table.createdAt,
    updatedAt: table.updatedAt,
    articleCount: table.id,
  };
  const rows = (await db
    .query()
    .select(columns)
    .from(table)
    .where(where)
    .$dynamic()
    .orderBy(...orderBy(options.sort, sortColumns, table.id))
    .limit(options.perPage)
    .offset(offset)) as Row[];
  return { items: rows.map((row) => withCount(row, counts)), total };
}
