import { type Static, Type } from 'typebox';
import { SlugSchema } from '../../http/schemas.js';

export const FEED_DEFAULT_LIMIT = 20;
export const FEED_MAX_LIMIT = 100;
/** Google News reads articles of the last two days, at most 1,000 of them. */
export const NEWS_WINDOW_MS = 48 * 3_600_000;
export const NEWS_MAX_URLS = 1000;

export const FeedQuery = Type.Object(
  {
    limit: Type.Integer({
      minimum: 1,
      maximum: FEED_MAX_LIMIT,
      default: FEED_DEFAULT_LIMIT,
      description: 'How many of the newest published articles',
    }),
    section: Type.Optional(
      Type.String({
        ...SlugSchema,
        description: 'Only this section (by slug) and its subsections; unknown → 404',
      }),
    ),
    tag: Type.Optional(
      Type.String({ ...SlugSchema, description: 'Only articles with this tag (by slug); unknown → 404' }),
    ),
  },
  { additionalProperties: false },
);
export type FeedQueryType = Static<typeof FeedQuery>;

export const SitemapPageParams = Type.Object(
  { page: Type.Integer({ minimum: 1, maximum: 100_000, description: 'From 1, newest articles first' }) },
  { additionalProperties: false },
);

const Author = Type.Object({ name: Type.String() }, { additionalProperties: false });

/** JSON Feed 1.1 (https://www.jsonfeed.org/version/1.1/), the members Broadsheet fills. */
export const JsonFeedSchema = Type.Object(
  {
    version: Type.Literal('https://jsonfeed.org/version/1.1'),
    title: Type.String(),
    home_page_url: Type.String({ format: 'uri' }),
    feed_url: Type.String({ format: 'uri' }),
    description: Type.String(),
    language: Type.String(),
    authors: Type.Array(Author),
    items: Type.Array(
      Type.Object(
        {
          id: Type.String({ description: 'Never changes when the article is edited (a tag: URI)' }),
          url: Type.String({ format: 'uri' }),
          title: Type.String(),
          summary: Type.String(),
          content_html: Type.String(),
          date_published: Type.Optional(Type.String({ format: 'date-time' })),
          date_modified: Type.String({ format: 'date-time' }),
          authors: Type.Optional(Type.Array(Author)),
          tags: Type.Array(Type.String(), { description: 'The section’s name, then the tags’' }),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { $id: 'JsonFeed', title: 'JsonFeed', additionalProperties: false },
);
export type JsonFeed = Static<typeof JsonFeedSchema>;

/** An XML document (RSS, Atom or a sitemap): documented by media type, sent as bytes. */
export const XmlDocument = (description: string) => Type.String({ description });
