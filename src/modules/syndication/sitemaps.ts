import type { SiteLinks } from '../../lib/site-links.js';
import { element, textElement, xmlDocument } from '../../lib/xml.js';
import { lastChange } from './feeds.js';
import type { NewsArticle, SitemapArticle, SitemapTerm } from './repository.js';

const SITEMAP_NS = 'http://www.sitemaps.org/schemas/sitemap/0.9';
const NEWS_NS = 'http://www.google.com/schemas/sitemap-news/0.9';
const IMAGE_NS = 'http://www.google.com/schemas/sitemap-image/1.1';

/** The sitemap index: absolute locations of the sitemap files this server serves. */
export const sitemapIndex = (links: SiteLinks, paths: string[]): string =>
  xmlDocument(
    element(
      'sitemapindex',
      { xmlns: SITEMAP_NS },
      ...paths.map((path) => element('sitemap', {}, textElement('loc', links.served(path)))),
    ),
  );

/** Google reads at most 1,000 images per page. */
const IMAGES_PER_URL = 1000;

interface UrlEntry {
  loc: string;
  lastModified?: string;
  /** The full-size URLs of the images the page shows (Google's image sitemap extension). */
  images?: string[];
}

const urlset = (entries: UrlEntry[], namespaces: Record<string, string> = {}): string =>
  xmlDocument(
    element(
      'urlset',
      { xmlns: SITEMAP_NS, ...namespaces },
      ...entries.map((entry) =>
        element(
          'url',
          {},
          textElement('loc', entry.loc),
          entry.lastModified === undefined ? '' : textElement('lastmod', entry.lastModified),
          ...(entry.images ?? [])
            .slice(0, IMAGES_PER_URL)
            .map((url) => element('image:image', {}, textElement('image:loc', url))),
        ),
      ),
    ),
  );

/** Each published article's page, with the images it shows (`imagesOf` its full-size URLs). */
export const articlesSitemap = (
  links: SiteLinks,
  articles: SitemapArticle[],
  imagesOf: (articleId: number) => string[],
) =>
  urlset(
    articles.map((article) => ({
      loc: links.article(article),
      lastModified: lastChange(article),
      images: imagesOf(article.id),
    })),
    { 'xmlns:image': IMAGE_NS },
  );

/** The home page (without a date while nothing is published), then every section page. */
export const sectionsSitemap = (
  links: SiteLinks,
  sections: SitemapTerm[],
  homeLastModified: string | undefined,
) =>
  urlset([
    { loc: links.home, lastModified: homeLastModified },
    ...sections.map((section) => ({ loc: links.section(section), lastModified: section.lastModified })),
  ]);

export const tagsSitemap = (links: SiteLinks, tags: SitemapTerm[]) =>
  urlset(tags.map((tag) => ({ loc: links.tag(tag), lastModified: tag.lastModified })));

export const authorsSitemap = (links: SiteLinks, authors: SitemapTerm[]) =>
  urlset(authors.map((author) => ({ loc: links.author(author), lastModified: author.lastModified })));

/** Google News wants ISO 639 (two or three letters), except zh-cn and zh-tw. */
export function newsLanguage(language: string): string {
  const lower = language.toLowerCase();
  if (lower === 'zh-cn' || lower === 'zh-tw') return lower;
  if (lower.startsWith('zh-hant')) return 'zh-tw';
  if (lower.startsWith('zh')) return 'zh-cn';
  return lower.split('-')[0] ?? lower;
}

/** Google News sitemap: https://developers.google.com/search/docs/crawling-indexing/sitemaps/news-sitemap */
export function newsSitemap(links: SiteLinks, articles: NewsArticle[]): string {
  const publication = element(
    'news:publication',
    {},
    textElement('news:name', links.site.name),
    textElement('news:language', newsLanguage(links.site.language)),
  );
  return xmlDocument(
    element(
      'urlset',
      { xmlns: SITEMAP_NS, 'xmlns:news': NEWS_NS },
      ...articles.map((article) =>
        element(
          'url',
          {},
          textElement('loc', links.article(article)),
          element(
            'news:news',
            {},
            publication,
            textElement('news:publication_date', article.publishedAt),
            textElement('news:title', article.title),
          ),
        ),
      ),
    ),
  );
}
