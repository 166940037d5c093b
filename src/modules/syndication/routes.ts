import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { publicAccess } from '../../http/auth.js';
import { surrogateKeys } from '../../http/caching.js';
import { errorResponses, notModified, RefOf } from '../../http/schemas.js';
import { cacheKeys } from '../../lib/cache-keys.js';
import { DomainError, notFound } from '../../lib/errors.js';
import type { SiteLinks } from '../../lib/site-links.js';
import { articleKeys } from '../articles/surrogate-keys.js';
import type { Audience } from '../articles/visibility.js';
import type { RouteOptions, Services } from '../services.js';
import { atomFeed, type FeedInput, jsonFeed, lastChange, rssFeed } from './feeds.js';
import {
  FEED_DEFAULT_LIMIT,
  FeedQuery,
  type FeedQueryType,
  JsonFeedSchema,
  NEWS_MAX_URLS,
  NEWS_WINDOW_MS,
  SitemapPageParams,
  XML_EXAMPLES,
  XmlDocument,
} from './schemas.js';
import {
  articlesSitemap,
  authorsSitemap,
  newsSitemap,
  sectionsSitemap,
  sitemapIndex,
  tagsSitemap,
} from './sitemaps.js';

const tags = ['Syndication'];
/** `updated` of a feed with nothing in it yet (Atom requires one). */
const EMPTY_FEED_UPDATED = new Date(0).toISOString();
const XML_TYPES = {
  rss: 'application/rss+xml; charset=utf-8',
  atom: 'application/atom+xml; charset=utf-8',
  sitemap: 'application/xml; charset=utf-8',
} as const;

/** Feeds and sitemaps show what the public sees, whatever key the caller holds. */
const publicAudience = (request: FastifyRequest): Audience => ({
  seesUnpublished: false,
  now: request.instant,
});

const xmlResponse = (mediaType: string, description: string, example: string) => ({
  ...notModified,
  200: { description, content: { [mediaType]: { schema: XmlDocument(description, example) } } },
  ...errorResponses(400, 401, 404, 429),
});

/**
 * RSS 2.0, Atom 1.0 and JSON Feed 1.1 of the newest published articles, and the sitemaps
 * (index, articles in files of up to 50,000 URLs, sections, tags, Google News). Public reads:
 * cached, validated and purged like the API's own (Surrogate-Key).
 */
type TypeBoxApp = Parameters<FastifyPluginAsyncTypebox>[0];

/** The front end's URLs: without SITE_URL there are no feeds and no sitemaps (404). */
function siteOf(links: SiteLinks | undefined): SiteLinks {
  if (links) return links;
  throw new DomainError(
    'not-found',
    'site-not-configured',
    'Feeds and sitemaps need to know where the front end lives: set SITE_URL (e.g. https://news.example.com), and ARTICLE_URL_TEMPLATE if articles are not at {site}/{section}/{slug}',
  );
}

const feedSchema = (operationId: string, summary: string, format: string) => ({
  operationId,
  summary,
  description: `The newest published articles (20, up to 100 with \`limit\`) as ${format}, each with its canonical URL, a permanent id, dates, every author (with their profile URL), section and tags as categories, the excerpt and the full \`bodyHtml\`. \`section\` (with its subsections), \`tag\` or \`author\` narrows it. Needs \`SITE_URL\` (404 otherwise).`,
  tags,
  security: publicAccess(),
  querystring: FeedQuery,
});

const sitemapSchema = (
  operationId: string,
  summary: string,
  description: string,
  example = XML_EXAMPLES.sitemap,
) => ({
  operationId,
  summary,
  description: `${description} Only published content; a scheduled article appears at its instant. Needs \`SITE_URL\` (404 otherwise).`,
  tags,
  security: publicAccess(),
  response: xmlResponse('application/xml', 'A sitemap (sitemaps.org 0.9)', example),
});
const sendSitemap = (reply: FastifyReply, keys: string[], xml: string) => {
  surrogateKeys(reply, keys);
  return reply.type(XML_TYPES.sitemap).send(xml);
};

/** RSS, Atom and JSON Feed of the newest articles. */
function feedRoutes(app: TypeBoxApp, services: Services): void {
  const { links } = services;
  const site = () => siteOf(links);
  const feed = async (
    request: FastifyRequest,
    reply: FastifyReply,
    query: FeedQueryType,
  ): Promise<FeedInput> => {
    const siteLinks = site();
    const audience = publicAudience(request);
    const section =
      query.section === undefined ? undefined : await services.sections.find(query.section, audience);
    if (query.section !== undefined && !section) throw notFound('section', query.section);
    const tag = query.tag === undefined ? undefined : await services.tags.find(query.tag, audience);
    if (query.tag !== undefined && (!tag || tag.articleCount === 0)) throw notFound('tag', query.tag);
    const author =
      query.author === undefined ? undefined : await services.authors.find(query.author, audience);
    if (query.author !== undefined && !author) throw notFound('author', query.author);
    const { items } = await services.articles.list(
      {
        perPage: query.limit ?? FEED_DEFAULT_LIMIT, // Ajv fills the default in; the type cannot know
        sort: [{ field: 'publishedAt', descending: true }],
        filters: {
          sectionIds: section ? await services.sections.withDescendants(section.id) : undefined,
          anyTagIds: tag ? [tag.id] : undefined,
          authorId: author?.id,
        },
        include: { bodyHtml: true },
      },
      audience,
    );
    surrogateKeys(reply, [
      cacheKeys.articles,
      ...(section ? [cacheKeys.section(section.id)] : []),
      ...(tag ? [cacheKeys.tag(tag.id)] : []),
      ...(author ? [cacheKeys.author(author.id)] : []),
      // Each entry as the article's own response names it: its section, tags, authors and image.
      ...items.flatMap(articleKeys),
    ]);
    const { name } = siteLinks.site;
    const query_ = new URLSearchParams();
    if (query.section !== undefined) query_.set('section', query.section);
    if (query.tag !== undefined) query_.set('tag', query.tag);
    if (query.author !== undefined) query_.set('author', query.author);
    if (query.limit !== undefined && query.limit !== FEED_DEFAULT_LIMIT)
      query_.set('limit', String(query.limit));
    const search = query_.size > 0 ? `?${query_}` : '';
    const newest = items.map(lastChange).sort().at(-1);
    const narrowedTo = section?.name ?? tag?.name ?? author?.name;
    return {
      title: [name, section?.name, tag?.name, author?.name].filter(Boolean).join(': '),
      description:
        section?.description ??
        tag?.description ??
        `The latest from ${[name, narrowedTo].filter(Boolean).join(': ')}`,
      homePageUrl: section
        ? siteLinks.section(section)
        : tag
          ? siteLinks.tag(tag)
          : author
            ? siteLinks.author(author)
            : siteLinks.home,
      self: (extension) => siteLinks.served(`/feeds/articles.${extension}${search}`),
      // An empty feed changed when its section or tag did (or never): from what it shows, so
      // a stored copy and a fresh one agree.
      updated: newest ?? section?.updatedAt ?? tag?.updatedAt ?? author?.updatedAt ?? EMPTY_FEED_UPDATED,
      articles: items,
    };
  };

  app.get(
    '/feeds/articles.rss',
    {
      config: { cache: 'content' },
      schema: {
        ...feedSchema('getRssFeed', 'RSS 2.0 feed', 'RSS 2.0 (with `content:encoded`)'),
        response: xmlResponse('application/rss+xml', 'An RSS 2.0 document', XML_EXAMPLES.rss),
      },
    },
    async (request, reply) =>
      reply.type(XML_TYPES.rss).send(rssFeed(site(), await feed(request, reply, request.query))),
  );

  app.get(
    '/feeds/articles.atom',
    {
      config: { cache: 'content' },
      schema: {
        ...feedSchema('getAtomFeed', 'Atom 1.0 feed', 'Atom 1.0'),
        response: xmlResponse('application/atom+xml', 'An Atom 1.0 document', XML_EXAMPLES.atom),
      },
    },
    async (request, reply) =>
      reply.type(XML_TYPES.atom).send(atomFeed(site(), await feed(request, reply, request.query))),
  );

  app.get(
    '/feeds/articles.json',
    {
      config: { cache: 'content' },
      schema: {
        ...feedSchema('getJsonFeed', 'JSON Feed 1.1', 'JSON Feed 1.1'),
        response: {
          ...notModified,
          200: {
            description: 'A JSON Feed 1.1 document',
            content: { 'application/feed+json': { schema: RefOf(JsonFeedSchema) } },
          },
          ...errorResponses(400, 401, 404, 429),
        },
      },
    },
    async (request, reply) =>
      reply
        .type('application/feed+json; charset=utf-8')
        .send(jsonFeed(site(), await feed(request, reply, request.query))),
  );
}

/** The full-size URL of each image, read a thousand at a time (a sitemap file may show 50,000 articles). */
async function imageUrls(services: Services, ids: number[]): Promise<Map<number, string>> {
  const urls = new Map<number, string>();
  for (let start = 0; start < ids.length; start += 1000) {
    const presented = await services.media.presented(ids.slice(start, start + 1000));
    for (const [id, image] of presented) urls.set(id, image.url);
  }
  return urls;
}

/** The sitemap index and the articles' sitemap files. */
function sitemapIndexRoutes(app: TypeBoxApp, services: Services): void {
  const { links, syndication } = services;
  const site = () => siteOf(links);
  const articleFiles = async (at: string) =>
    Math.ceil((await syndication.countPublished(at)) / site().site.sitemapUrlsPerFile);

  app.get(
    '/sitemap.xml',
    {
      config: { cache: 'content' },
      schema: sitemapSchema(
        'getSitemapIndex',
        'Sitemap index',
        'Points at every sitemap: `/sitemaps/articles-<n>.xml` (newest first, up to 50,000 URLs each), sections, tags, authors and Google News.',
        XML_EXAMPLES.sitemapIndex,
      ),
    },
    async (request, reply) => {
      const files = await articleFiles(request.instant);
      const paths = [
        ...Array.from({ length: files }, (_, index) => `/sitemaps/articles-${index + 1}.xml`),
        '/sitemaps/sections.xml',
        '/sitemaps/tags.xml',
        '/sitemaps/authors.xml',
        '/sitemaps/news.xml',
      ];
      return sendSitemap(
        reply,
        [cacheKeys.articles, cacheKeys.sections, cacheKeys.tags, cacheKeys.authors],
        sitemapIndex(site(), paths),
      );
    },
  );

  app.get(
    '/sitemaps/articles-:page.xml',
    {
      config: { cache: 'content' },
      schema: {
        ...sitemapSchema(
          'getArticlesSitemap',
          'Articles sitemap',
          'One file of published articles, newest first, with `lastmod` (the last edit, or publication if later) and the images each shows (`image:image`, full size: the featured image, then those in the body). A page beyond the last is a 404.',
        ),
        params: SitemapPageParams,
      },
    },
    async (request, reply) => {
      const { page } = request.params;
      const perFile = site().site.sitemapUrlsPerFile;
      const files = await articleFiles(request.instant);
      if (page > Math.max(1, files)) {
        throw new DomainError(
          'not-found',
          'not-found',
          `There are ${files} article sitemap file(s); no. ${page} is not one`,
        );
      }
      const offset = (page - 1) * perFile;
      const articles = await syndication.articlePage(request.instant, offset, perFile);
      const shown = await syndication.imagesOfPage(request.instant, offset, perFile);
      const urls = await imageUrls(services, [...new Set([...shown.values()].flat())]);
      const imagesOf = (id: number) => (shown.get(id) ?? []).flatMap((image) => urls.get(image) ?? []);
      return sendSitemap(
        reply,
        [cacheKeys.articles, cacheKeys.images],
        articlesSitemap(site(), articles, imagesOf),
      );
    },
  );
}

/** The sections', tags' and news sitemaps. */
function sitemapRoutes(app: TypeBoxApp, services: Services): void {
  const { links, syndication } = services;
  const site = () => siteOf(links);
  app.get(
    '/sitemaps/sections.xml',
    {
      config: { cache: 'content' },
      schema: sitemapSchema(
        'getSectionsSitemap',
        'Sections sitemap',
        'The home page, then every section page.',
      ),
    },
    async (request, reply) => {
      const sections = await syndication.sections(request.instant);
      // The home page shows the newest articles and the sections: it changed when they did
      // (derived from what the file shows, so the file changes only when its keys do).
      const newest = (await syndication.articlePage(request.instant, 0, 1))[0]?.publishedAt;
      const home =
        [newest ?? '', ...sections.map((section) => section.lastModified)].sort().at(-1) || undefined;
      return sendSitemap(
        reply,
        [cacheKeys.sections, cacheKeys.articles],
        sectionsSitemap(site(), sections, home),
      );
    },
  );

  app.get(
    '/sitemaps/tags.xml',
    {
      config: { cache: 'content' },
      schema: sitemapSchema('getTagsSitemap', 'Tags sitemap', 'Every tag that a published article carries.'),
    },
    async (request, reply) =>
      sendSitemap(
        reply,
        [cacheKeys.tags, cacheKeys.articles],
        tagsSitemap(site(), await syndication.tagsInUse(request.instant)),
      ),
  );

  app.get(
    '/sitemaps/authors.xml',
    {
      config: { cache: 'content' },
      schema: sitemapSchema(
        'getAuthorsSitemap',
        'Authors sitemap',
        'The profile page (`AUTHOR_URL_TEMPLATE`) of every author of a published article.',
      ),
    },
    async (request, reply) =>
      sendSitemap(
        reply,
        [cacheKeys.authors, cacheKeys.articles],
        authorsSitemap(site(), await syndication.authorsInUse(request.instant)),
      ),
  );

  const newsWindowStart = (at: string) => new Date(Date.parse(at) - NEWS_WINDOW_MS).toISOString();
  app.get(
    '/sitemaps/news.xml',
    {
      config: { cache: 'content' },
      schema: sitemapSchema(
        'getNewsSitemap',
        'Google News sitemap',
        'Articles published in the last 48 hours (at most 1,000), with `news:publication` (`SITE_NAME`, `SITE_LANGUAGE`), `news:publication_date` and `news:title`.',
      ),
    },
    async (request, reply) => {
      const articles = await syndication.publishedSince(
        newsWindowStart(request.instant),
        request.instant,
        NEWS_MAX_URLS,
      );
      // The file also changes with no write at all, when its oldest entry turns 48 hours old.
      const oldest = articles.map((article) => article.publishedAt).sort()[0];
      if (oldest) request.cacheExpiresAt = new Date(Date.parse(oldest) + NEWS_WINDOW_MS).toISOString();
      return sendSitemap(
        reply,
        [cacheKeys.articles, ...articles.map((article) => cacheKeys.article(article.id))],
        newsSitemap(site(), articles),
      );
    },
  );
}

export const syndicationRoutes: FastifyPluginAsyncTypebox<RouteOptions> = async (app, { services }) => {
  feedRoutes(app, services);
  sitemapIndexRoutes(app, services);
  sitemapRoutes(app, services);
};
