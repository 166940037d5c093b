import { eq, type SQL, sql } from 'drizzle-orm';
import type { Database } from '../../db/database.js';
import { columnsFor } from './list-sql.js';
import type { ListRequest } from './listing.js';
import { type Audience, visibleArticles } from './visibility.js';

/**
 * Whether a list asks for nothing but a sort and a page of what its audience sees: no filter,
 * cursor or search. Front pages and most API clients ask exactly this.
 */
export const isPlain = (request: ListRequest) =>
  !request.search && !request.after && Object.values(request.filters).every((value) => value === undefined);

/**
 * Plain lists as prepared statements, one per shape (audience, sort, included fields), with the
 * instant, page size and offset as parameters. Building a list query in Drizzle cost more than
 * running it (about 0.4 ms against 0.25 ms for 20 rows on SQLite); these are built once.
 */
const MAX_SHAPES = 64;

export function createPlainLists(db: Database) {
  const { articles, articleBodies, sections } = db.tables;
  const prepare = (
    name: string,
    request: ListRequest,
    audience: Audience,
    parts: { order: SQL[]; sortValues: Record<string, SQL> },
  ) =>
    db.readers
      .select({ ...columnsFor(db, request.include), ...parts.sortValues })
      .from(articles)
      .leftJoin(sections, eq(sections.id, articles.sectionId))
      .leftJoin(articleBodies, eq(articleBodies.articleId, articles.id))
      .where(visibleArticles({ ...audience, now: sql.placeholder('now') }, articles))
      .orderBy(...parts.order)
      .limit(sql.placeholder('limit'))
      .offset(sql.placeholder('offset'))
      .prepare(name);
  const statements = new Map<string, ReturnType<typeof prepare>>();
  return {
    /**
     * The prepared statement for this plain list's shape; none once 64 shapes are prepared (sorts
     * combine into thousands: a client must not fill the server with statements).
     */
    statement(
      request: ListRequest,
      audience: Audience,
      parts: { order: SQL[]; sortValues: Record<string, SQL> },
    ) {
      const { body, bodyHtml, toc } = request.include;
      const shape = [
        audience.seesUnpublished ? 'keyed' : 'public',
        request.sort.map((key) => `${key.descending ? '-' : ''}${key.field}`).join(','),
        `${Boolean(body)}${Boolean(bodyHtml)}${Boolean(toc)}`,
      ].join(' ');
      let statement = statements.get(shape);
      if (!statement) {
        if (statements.size >= MAX_SHAPES) return undefined;
        statement = prepare(`plain_list_${statements.size + 1}`, request, audience, parts);
        statements.set(shape, statement);
      }
      return statement;
    },
  };
}
