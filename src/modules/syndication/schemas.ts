import { type Static, Type } from 'typebox';
import { SlugSchema } from '../../http/schemas.js';

export const FEED_DEFAULT_LIMIT = 20;
export const FEED_MAX_LIMIT = 100;
/** Google News reads articles of the last two days, at most 1,000 of them. */
export const NEWS_WINDOW_MS = 48 * 3_600_000;
export const NEWS_MAX_URLS = 1000;

export const FeedQuery = Type.Object(
  {
    limit: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: FEED_MAX_LIMIT,
        default: FEED_DEFAULT_LIMIT,
        description: 'How many of the newest published articles',
      }),
    ),
    section: Type.Optional(
      Type.String({
        ...SlugSchema,
        description: 'Only this section (by slug) and its subsections; unknown → 404',
      }),
    ),
    tag: Type.Optional(
      Type.String({ ...SlugSchema, description: 'Only articles with this tag (by slug); unknown → 404' }),
    ),
    author: Type.Optional(
      Type.String({
        ...SlugSchema,
        description: 'Only articles by this author (by slug): their own feed; unknown → 404',
      }),
    ),
  },
  { additionalProperties: false },
);
export type FeedQueryType = Static<typeof FeedQuery>;

export const SitemapPageParams = Type.Object(
  { page: Type.Integer({ minimum: 1, maximum: 100_000, description: 'From 1, newest articles first' }) },
  { additionalProperties: false },
);

const Author = Type.Object(
  {
    name: Type.String(),
    url: Type.Optional(Type.String({ format: 'uri', description: 'The author’s profile page' })),
  },
  { additionalProperties: false },
);

/** The article the examples show. */
const article = {
  url: 'https://news.example.com/breaking-news/harbour-council-votes',
  title: 'Harbour council votes',
  at: '2026-11-28T09:30:00Z',
};

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
          image: Type.Optional(Type.String({ format: 'uri', description: 'The featured image' })),
          authors: Type.Optional(Type.Array(Author)),
          tags: Type.Array(Type.String(), { description: 'The section’s name, then the tags’' }),
        },
        { additionalProperties: false },
      ),
    ),
  },
  {
    $id: 'JsonFeed',
    title: 'JsonFeed',
    additionalProperties: false,
    examples: [
      {
        version: 'https://jsonfeed.org/version/1.1',
        title: 'Example News',
        home_page_url: 'https://news.example.com/',
        feed_url: 'https://news.example.com/feeds/articles.json',
        description: 'The newest articles',
        language: 'en-GB',
        authors: [{ name: 'Example News' }],
        items: [
          {
            id: 'tag:news.example.com,2026-11-28:articles/42',
            url: article.url,
            title: article.title,
            summary: 'The council voted…',
            content_html: '<p>The council voted…</p>',
            date_published: article.at,
            date_modified: article.at,
            authors: [{ name: 'Ada Reporter' }],
            tags: ['Breaking News', 'Harbour'],
          },
        ],
      },
    ],
  },
);
export type JsonFeed = Static<typeof JsonFeedSchema>;

/** An XML document (RSS, Atom or a sitemap): documented by media type, sent as bytes. */
export const XmlDocument = (description: string, example: string) =>
  Type.String({ description, examples: [example] });

/** What each document looks like, shortened to one item, for the reference. */
export const XML_EXAMPLES = {
  rss: `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:content="http://purl.org/rss/1.0/modules/content/">
  <channel><title>Example News</title><link>https://news.example.com/</link><description>The newest articles</description>
    <item><title>${article.title}</title><link>${article.url}</link><guid isPermaLink="false">tag:news.example.com,2026-11-28:articles/42</guid>
      <pubDate>Sat, 28 Nov 2026 09:30:00 GMT</pubDate><dc:creator>Ada Reporter</dc:creator><category>Breaking News</category>
      <description>The council voted…</description><content:encoded>&lt;p&gt;The council voted…&lt;/p&gt;</content:encoded></item>
  </channel>
</rss>`,
  atom: `<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Example News</title><id>https://news.example.com/</id><updated>${article.at}</updated>
  <entry><title>${article.title}</title><link href="${article.url}"/><id>tag:news.example.com,2026-11-28:articles/42</id>
    <published>${article.at}</published><updated>${article.at}</updated><author><name>Ada Reporter</name><uri>https://news.example.com/author/ada-reporter</uri></author>
    <summary type="text">The council voted…</summary><content type="html">&lt;p&gt;The council voted…&lt;/p&gt;</content></entry>
</feed>`,
  sitemap: `<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <url><loc>${article.url}</loc><lastmod>${article.at}</lastmod></url>
</urlset>`,
  sitemapIndex: `<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <sitemap><loc>https://news.example.com/sitemaps/articles-1.xml</loc><lastmod>${article.at}</lastmod></sitemap>
</sitemapindex>`,
};
