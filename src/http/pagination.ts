import type { FastifyReply, FastifyRequest } from 'fastify';
import { type Static, type TSchema, Type } from 'typebox';
import { Nullable, RefOf } from './schemas.js';

export const MAX_PER_PAGE = 100;
export const DEFAULT_PER_PAGE = 20;
const MAX_PAGE = 100_000;

export const ListMetaSchema = Type.Object(
  {
    total: Type.Integer({ minimum: 0, description: 'Items matching the query, across all pages' }),
    page: Type.Optional(Type.Integer({ minimum: 1, description: 'Absent when paging by cursor' })),
    perPage: Type.Integer({ minimum: 1, maximum: MAX_PER_PAGE }),
    nextCursor: Type.Optional(
      Nullable(
        Type.String({
          description: 'Pass as `cursor` for the page after this one; null on the last page (article lists)',
        }),
      ),
    ),
  },
  { $id: 'ListMeta', title: 'ListMeta', additionalProperties: false },
);

/** Query parameters every list takes; spread into a route's querystring schema. */
export const pageQuery = {
  page: Type.Optional(
    Type.Integer({ minimum: 1, maximum: MAX_PAGE, description: 'Page number, from 1 (default 1)' }),
  ),
  perPage: Type.Optional(
    Type.Integer({
      minimum: 1,
      maximum: MAX_PER_PAGE,
      default: DEFAULT_PER_PAGE,
      description: `Items per page, 1 to ${MAX_PER_PAGE} (more is a 400, not a silent cap)`,
    }),
  ),
};

/** `sort` query parameter: comma-separated fields, `-` for descending. */
export const sortQuery = (fields: readonly string[], fallback: string) =>
  Type.String({
    // The fields are in the pattern, so the document refuses what the server refuses: a known
    // field, at most five, none twice (the lookahead refuses a field that appears again).
    pattern: `^(?!.*(?:^|,)-?(${fields.join('|')})(?:,.*)?,-?\\1(?:,|$))-?(${fields.join('|')})(,-?(${fields.join('|')})){0,4}$`,
    maxLength: 100,
    description: `Comma-separated fields, each at most once, \`-\` for descending; ties broken by id. One of: ${fields.join(', ')}. Default \`${fallback}\`.`,
    examples: [fallback],
  });

export const ListEnvelope = <T extends TSchema>(item: T, title: string) =>
  Type.Object(
    { data: Type.Array(item), meta: RefOf(ListMetaSchema) },
    { title, additionalProperties: false },
  );

export type ListMeta = Static<typeof ListMetaSchema>;

/**
 * Sets the RFC 8288 Link header (first, prev, next, last) for a page of a list, keeping the
 * request's other query parameters.
 */
export function setPageLinks(
  request: FastifyRequest,
  reply: FastifyReply,
  meta: ListMeta & { page: number },
): void {
  const url = new URL(request.url, 'http://placeholder');
  const lastPage = Math.max(1, Math.ceil(meta.total / meta.perPage));
  const link = (page: number, rel: string) => {
    url.searchParams.set('perPage', String(meta.perPage));
    url.searchParams.set('page', String(page));
    return `<${url.pathname}${url.search}>; rel="${rel}"`;
  };
  const links = [link(1, 'first')];
  if (meta.page > 1) links.push(link(Math.min(meta.page - 1, lastPage), 'prev'));
  if (meta.page < lastPage) links.push(link(meta.page + 1, 'next'));
  links.push(link(lastPage, 'last'));
  reply.header('link', links.join(', '));
}

/** Link header for keyset paging: where the list starts, and the next page when there is one. */
export function setCursorLinks(
  request: FastifyRequest,
  reply: FastifyReply,
  nextCursor: string | null,
): void {
  const url = new URL(request.url, 'http://placeholder');
  url.searchParams.delete('cursor');
  url.searchParams.delete('page');
  const links = [`<${url.pathname}${url.search}>; rel="first"`];
  if (nextCursor) {
    url.searchParams.set('cursor', nextCursor);
    links.push(`<${url.pathname}${url.search}>; rel="next"`);
  }
  reply.header('link', links.join(', '));
}

/** The list envelope for one page of `items`, with its Link header set. */
export function pageOf<T>(
  request: FastifyRequest,
  reply: FastifyReply,
  page: { items: T[]; total: number; page: number; perPage: number },
) {
  const meta = { total: page.total, page: page.page, perPage: page.perPage };
  setPageLinks(request, reply, meta);
  return { data: page.items, meta };
}
