import type { SiteLinks } from '../../lib/site-links.js';
import { element, escapeXml, textElement, xmlDocument } from '../../lib/xml.js';
import type { ArticleHit } from '../articles/listing.js';
import type { JsonFeed } from './schemas.js';

/** One feed: its own title and addresses, and the articles in it (newest first, with bodyHtml). */
export interface FeedInput {
  title: string;
  description: string;
  /** The page on the front end this feed follows (home, section or tag page). */
  homePageUrl: string;
  /** This feed's own URL in a format (`rss`, `atom`, `json`), with its query. */
  self: (extension: string) => string;
  /** When anything in the feed last changed. */
  updated: string;
  articles: ArticleHit[];
}

const GENERATOR = 'Broadsheet';

/** Edits never change an entry's id: RFC 4151 tag URI from the site's host, creation day and id. */
export function entryId(links: SiteLinks, article: { id: number; createdAt: string }): string {
  return `tag:${new URL(links.site.url).hostname},${article.createdAt.slice(0, 10)}:articles/${article.id}`;
}

/** An entry changes when it is edited, and (for a scheduled article) when it goes live. */
export const lastChange = (article: { updatedAt: string; publishedAt: string | null }) =>
  article.publishedAt && article.publishedAt > article.updatedAt ? article.publishedAt : article.updatedAt;

/** The featured image as feeds carry it: the widest JPEG rendition up to 1280 px, or the full-size file. */
export function feedImage(article: ArticleHit) {
  const image = article.featuredImage;
  if (!image) return undefined;
  const jpeg = image.renditions
    .filter((rendition) => rendition.format === 'jpg' && rendition.width <= 1280)
    .at(-1);
  return {
    url: jpeg?.url ?? image.url,
    type: jpeg ? 'image/jpeg' : image.mimeType,
    width: jpeg?.width ?? image.width,
    height: jpeg?.height ?? image.height,
    alt: image.alt,
    credit: image.credit,
  };
}

/** Media RSS: the image, its size, what it shows and whose it is. */
const mediaContent = (article: ArticleHit) => {
  const image = feedImage(article);
  if (!image) return '';
  return element(
    'media:content',
    {
      url: image.url,
      medium: 'image',
      type: image.type,
      width: String(image.width),
      height: String(image.height),
    },
    image.alt ? textElement('media:description', image.alt, { type: 'plain' }) : '',
    image.credit ? textElement('media:credit', image.credit) : '',
  );
};

const categories = (article: ArticleHit) => [
  ...(article.section ? [article.section] : []),
  ...article.tags.filter((tag) => tag.name !== article.section?.name),
];

export function rssFeed(links: SiteLinks, feed: FeedInput): string {
  const items = feed.articles.map((article) =>
    element(
      'item',
      {},
      textElement('title', article.title),
      textElement('link', links.article(article)),
      textElement('guid', entryId(links, article), { isPermaLink: 'false' }),
      article.publishedAt ? textElement('pubDate', new Date(article.publishedAt).toUTCString()) : '',
      // RSS's own <author> must be an e-mail address; Dublin Core carries a name, one per author.
      ...article.authors.map((author) => textElement('dc:creator', author.name)),
      ...categories(article).map((category) => textElement('category', category.name)),
      // Readers render an RSS description as HTML: the plain-text excerpt is escaped as HTML first.
      textElement('description', escapeXml(article.excerpt)),
      textElement('content:encoded', article.bodyHtml ?? ''),
      mediaContent(article),
    ),
  );
  const channel = element(
    'channel',
    {},
    textElement('title', feed.title),
    textElement('link', feed.homePageUrl),
    textElement('description', escapeXml(feed.description)),
    textElement('language', links.site.language),
    textElement('lastBuildDate', new Date(feed.updated).toUTCString()),
    textElement('generator', GENERATOR),
    element('atom:link', { href: feed.self('rss'), rel: 'self', type: 'application/rss+xml' }),
    ...items,
  );
  return xmlDocument(
    element(
      'rss',
      {
        version: '2.0',
        'xmlns:atom': 'http://www.w3.org/2005/Atom',
        'xmlns:content': 'http://purl.org/rss/1.0/modules/content/',
        'xmlns:dc': 'http://purl.org/dc/elements/1.1/',
        'xmlns:media': 'http://search.yahoo.com/mrss/',
      },
      channel,
    ),
  );
}

/** Atom's enclosure link for the featured image. */
const enclosure = (article: ArticleHit) => {
  const image = feedImage(article);
  return image ? [element('link', { rel: 'enclosure', type: image.type, href: image.url })] : [];
};

export function atomFeed(links: SiteLinks, feed: FeedInput): string {
  const self = feed.self('atom');
  const entries = feed.articles.map((article) =>
    element(
      'entry',
      {},
      textElement('id', entryId(links, article)),
      textElement('title', article.title, { type: 'text' }),
      element('link', { rel: 'alternate', type: 'text/html', href: links.article(article) }),
      article.publishedAt ? textElement('published', article.publishedAt) : '',
      textElement('updated', lastChange(article)),
      ...article.authors.map((author) =>
        element('author', {}, textElement('name', author.name), textElement('uri', links.author(author))),
      ),
      ...categories(article).map((category) =>
        element('category', { term: category.slug, label: category.name }),
      ),
      textElement('summary', article.excerpt, { type: 'text' }),
      textElement('content', article.bodyHtml ?? '', { type: 'html' }),
      ...enclosure(article),
    ),
  );
  return xmlDocument(
    element(
      'feed',
      {
        xmlns: 'http://www.w3.org/2005/Atom',
        'xml:lang': links.site.language,
        // Relative links in bodies resolve against the site, not the feed's host.
        'xml:base': links.home,
      },
      textElement('id', self),
      textElement('title', feed.title, { type: 'text' }),
      textElement('subtitle', feed.description, { type: 'text' }),
      textElement('updated', feed.updated),
      element('link', { rel: 'alternate', type: 'text/html', href: feed.homePageUrl }),
      element('link', { rel: 'self', type: 'application/atom+xml', href: self }),
      // Atom needs an author for every entry: the publication stands in where an article names none.
      element('author', {}, textElement('name', links.site.name)),
      textElement('generator', GENERATOR),
      ...entries,
    ),
  );
}

export function jsonFeed(links: SiteLinks, feed: FeedInput): JsonFeed {
  return {
    version: 'https://jsonfeed.org/version/1.1',
    title: feed.title,
    home_page_url: feed.homePageUrl,
    feed_url: feed.self('json'),
    description: feed.description,
    language: links.site.language,
    authors: [{ name: links.site.name }],
    items: feed.articles.map((article) => ({
      id: entryId(links, article),
      url: links.article(article),
      title: article.title,
      summary: article.excerpt,
      content_html: article.bodyHtml ?? '',
      ...(article.publishedAt ? { date_published: article.publishedAt } : {}),
      date_modified: lastChange(article),
      ...(article.featuredImage ? { image: feedImage(article)?.url } : {}),
      ...(article.authors.length > 0
        ? { authors: article.authors.map((author) => ({ name: author.name, url: links.author(author) })) }
        : {}),
      tags: categories(article).map((category) => category.name),
    })),
  };
}
