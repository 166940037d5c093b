import { createHash } from 'node:crypto';
import type { Static } from 'typebox';
import { DEFAULT_PER_PAGE } from '../../http/pagination.js';
import { DomainError } from '../../lib/errors.js';
import { parseSearch } from '../../lib/search-query.js';
import { parseSort } from '../../lib/sort.js';
import { toInstant } from '../../lib/time.js';
import type { Services } from '../services.js';
import type { ArticleFilters, ArticleSortField, ListRequest } from './listing.js';
import { ARTICLE_FIELDS, ARTICLE_SORT_FIELDS, type ArticleListQuery } from './schemas.js';
import type { Audience } from './visibility.js';

type Query = Static<typeof ArticleListQuery>;

/** `fields=a,b` as a set, refusing names that are not article fields. */
export function parseFields(fields: string | undefined, searching: boolean): Set<string> | undefined {
  if (fields === undefined) return undefined;
  const names = fields.split(',');
  const allowed = ARTICLE_FIELDS.filter((name) => searching || (name !== 'snippet' && name !== 'score'));
  const unknown = names.filter((name) => !(allowed as readonly string[]).includes(name));
  if (unknown.length > 0) {
    throw new DomainError(
      'bad-request',
      'unknown-field',
      `Unknown field(s) in fields: ${unknown.join(', ')}`,
      {
        errors: unknown.map((name) => ({
          path: '/querystring/fields',
          message: `"${name}" is not an article field`,
        })),
      },
    );
  }
  return new Set(names);
}

/** Keeps only the fields asked for. */
export function pick<T extends object>(item: T, fields: Set<string> | undefined): Partial<T> {
  if (!fields) return item;
  return Object.fromEntries(Object.entries(item).filter(([name]) => fields.has(name))) as Partial<T>;
}

/** A date means the whole day in UTC; a date-time is exact. */
function instant(value: string, edge: 'start' | 'end'): { at: string; inclusive: boolean } {
  const dateOnly = /^\d{4}-\d{2}-\d{2}$/.test(value);
  const parsed = Date.parse(toInstant(dateOnly ? `${value}T00:00:00Z` : value));
  // Date.parse rolls 2026-02-31 over into March; a real date reads back the same.
  if (dateOnly && new Date(parsed).toISOString().slice(0, 10) !== value) {
    throw new DomainError('bad-request', 'invalid-date', `"${value}" is not a real date`);
  }
  if (dateOnly && edge === 'end')
    return { at: new Date(parsed + 86_400_000).toISOString(), inclusive: false };
  return { at: new Date(parsed).toISOString(), inclusive: true };
}

/**
 * Turns the article list's query string into a repository request: names resolved to ids,
 * sort and search checked, the cursor verified against this very query.
 */
export async function toListRequest(query: Query, services: Services, audience: Audience) {
  if (query.cursor !== undefined && query.page !== undefined) {
    throw new DomainError('bad-request', 'cursor-with-page', 'Use either `cursor` or `page`, not both');
  }
  const parsed = query.q === undefined ? undefined : parseSearch(query.q);
  const fts = parsed?.fts;
  const sortFields: ArticleSortField[] = fts
    ? [...ARTICLE_SORT_FIELDS, 'relevance']
    : [...ARTICLE_SORT_FIELDS];
  const sort = parseSort(query.sort, sortFields, fts ? 'relevance' : '-publishedAt');

  // An unknown filter value is the caller's mistake, not an empty list: a 400 that names it.
  // A tag the caller cannot see (only drafts carry it) is unknown to them too.
  const tagIds = async (refs: string | undefined) => {
    if (refs === undefined) return undefined;
    const ids: number[] = [];
    for (const ref of refs.split(',')) {
      const id = await services.tags.idOf(ref, audience);
      if (id === undefined)
        throw new DomainError('bad-request', 'unknown-tag', `No tag "${ref}" (by id or slug)`);
      ids.push(id);
    }
    return ids;
  };
  const sectionId = query.section === undefined ? undefined : await services.sections.resolve(query.section);
  if (query.section !== undefined && sectionId === undefined) {
    throw new DomainError(
      'bad-request',
      'unknown-section',
      `No section "${query.section}" (by id, slug or name)`,
    );
  }
  const authorId =
    query.author === undefined ? undefined : await services.authors.idOf(query.author, audience);
  if (query.author !== undefined && authorId === undefined) {
    throw new DomainError('bad-request', 'unknown-author', `No author "${query.author}" (by id or slug)`);
  }
  const filters: ArticleFilters = {
    sectionIds:
      sectionId === undefined
        ? undefined
        : query.includeSubsections
          ? await services.sections.withDescendants(sectionId)
          : [sectionId],
    anyTagIds: await tagIds(query.tag),
    allTagIds: await tagIds(query.tagAll),
    status: query.status,
    authorId,
    publishedFrom: query.publishedAfter === undefined ? undefined : instant(query.publishedAfter, 'start').at,
    publishedBefore: query.publishedBefore === undefined ? undefined : instant(query.publishedBefore, 'end'),
    updatedSince: query.updatedSince === undefined ? undefined : instant(query.updatedSince, 'start').at,
  };

  // A cursor is bound to everything that decides the order and membership of the list.
  const queryKey = createHash('sha256')
    .update(JSON.stringify({ sort, filters, fts: fts ?? null, seesUnpublished: audience.seesUnpublished }))
    .digest('base64url')
    .slice(0, 16);
  const fields = parseFields(query.fields, fts !== undefined);
  const included = new Set([...(query.include?.split(',') ?? []), ...(fields ?? [])]);
  const request: ListRequest = {
    perPage: query.perPage ?? DEFAULT_PER_PAGE,
    page: query.cursor === undefined ? (query.page ?? 1) : undefined,
    after: query.cursor === undefined ? undefined : services.cursors.decode(queryKey, query.cursor),
    sort,
    filters,
    search:
      parsed === undefined
        ? undefined
        : {
            fts: parsed.fts,
            tsquery: parsed.tsquery,
            rankTsquery: parsed.rankTsquery,
            terms: parsed.terms,
            highlightTag: query.highlight === 'none' ? null : (query.highlight ?? 'mark'),
          },
    include: { body: included.has('body'), bodyHtml: included.has('bodyHtml'), toc: included.has('toc') },
  };
  // Links follow the client's choice: page numbers when it asked for a page, cursors otherwise.
  return { request, queryKey, fields, pageLinks: query.page !== undefined };
}
