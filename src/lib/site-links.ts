/**
 * Canonical URLs: where the front end shows an article, a section, a tag or an author. Broadsheet serves
 * no pages itself; SITE_URL and the URL templates say where they live, so the API, the feeds
 * and the sitemaps can all point readers and crawlers there.
 */

export interface SiteSettings {
  /** The front end's origin (and base path), without a trailing slash. */
  url: string;
  name: string;
  /** BCP 47 language tag of the content (feeds, Google News). */
  language: string;
  /** The publication's logo (structured data), when configured. */
  logoUrl?: string;
  /** Where clients reach this API's feeds and sitemaps; SITE_URL when the front end proxies them. */
  publicUrl: string;
  articleUrlTemplate: string;
  sectionUrlTemplate: string;
  tagUrlTemplate: string;
  authorUrlTemplate: string;
  previewUrlTemplate: string;
  /** URLs per sitemap file (the protocol allows 50,000). */
  sitemapUrlsPerFile: number;
}

export const URL_PLACEHOLDERS = {
  article: ['site', 'section', 'slug', 'id', 'yyyy', 'mm', 'dd'],
  section: ['site', 'slug', 'id'],
  tag: ['site', 'slug', 'id'],
  author: ['site', 'slug', 'id'],
  preview: ['site', 'slug', 'id', 'token'],
} as const;

/** Problems with a template: unknown placeholders, or a result that cannot be an absolute URL. */
export function templateProblems(kind: keyof typeof URL_PLACEHOLDERS, template: string): string[] {
  const known: readonly string[] = URL_PLACEHOLDERS[kind];
  const unknown = [...template.matchAll(/\{([^}]*)\}/g)]
    .map((match) => match[1] ?? '')
    .filter((name) => !known.includes(name));
  const problems = unknown.map(
    (name) => `unknown placeholder {${name}} (known: ${known.map((n) => `{${n}}`).join(' ')})`,
  );
  if (!template.startsWith('{site}') && !/^https?:\/\//.test(template)) {
    problems.push('must start with {site} or http(s)://');
  }
  return problems;
}

interface ArticleLike {
  id: number;
  slug: string;
  section: { slug: string } | null;
  publishedAt: string | null;
  createdAt: string;
}
interface NamedLike {
  id: number;
  slug: string;
}

function fill(template: string, values: Record<string, string>): string {
  const filled = template.replace(/\{([a-z]+)\}/g, (_, name: string) =>
    name === 'site' ? (values.site ?? '') : encodeURIComponent(values[name] ?? ''),
  );
  // An empty placeholder (an article without a section) leaves no empty path segment behind.
  return filled.replace(
    /^(https?:\/\/[^/]*)(.*)$/,
    (_, origin: string, path: string) => origin + path.replace(/\/{2,}/g, '/'),
  );
}

export type SiteLinks = ReturnType<typeof createSiteLinks>;

export function createSiteLinks(site: SiteSettings) {
  return {
    site,
    home: `${site.url}/`,
    /** The article's URL; dates come from publishedAt (createdAt until it is first published). */
    article(article: ArticleLike): string {
      const date = (article.publishedAt ?? article.createdAt).slice(0, 10).split('-');
      return fill(site.articleUrlTemplate, {
        site: site.url,
        section: article.section?.slug ?? '',
        slug: article.slug,
        id: String(article.id),
        yyyy: date[0] ?? '',
        mm: date[1] ?? '',
        dd: date[2] ?? '',
      });
    },
    section(section: NamedLike): string {
      return fill(site.sectionUrlTemplate, { site: site.url, slug: section.slug, id: String(section.id) });
    },
    tag(tag: NamedLike): string {
      return fill(site.tagUrlTemplate, { site: site.url, slug: tag.slug, id: String(tag.id) });
    },
    author(author: NamedLike): string {
      return fill(site.authorUrlTemplate, { site: site.url, slug: author.slug, id: String(author.id) });
    },
    /** Where an editor opens a preview link: the front end's preview page, holding the token. */
    preview(article: NamedLike, token: string): string {
      return fill(site.previewUrlTemplate, {
        site: site.url,
        slug: article.slug,
        id: String(article.id),
        token,
      });
    },
    /** Where this API serves a feed or sitemap path, as readers and crawlers should fetch it. */
    served(path: string): string {
      return `${site.publicUrl}${path}`;
    },
    /** Changes whenever any URL could: signs validators, so a new SITE_URL is a new representation. */
    fingerprint: JSON.stringify(site),
  };
}

/** Adds `url` to a resource when a site is configured; leaves it as it is otherwise. */
export function withUrl<T extends object>(item: T, url: ((item: T) => string) | undefined): T {
  return url ? { ...item, url: url(item) } : item;
}

/** An article as served: its `url`, and each author's profile `url`, when a site is configured. */
export function withArticleUrls<T extends ArticleLike & { authors: NamedLike[] }>(
  article: T,
  links: SiteLinks | undefined,
): T {
  if (!links) return article;
  const authors = article.authors.map((author) => ({ ...author, url: links.author(author) }));
  return { ...article, url: links.article(article), authors };
}
