/**
 * The names of what a public response depends on. A response lists them in Surrogate-Key (so a
 * CDN can purge by them) and the response cache keeps them with its bytes; a write moves the
 * version of each key it changes (`contentState.touchPublic`), in its own transaction.
 */
export const cacheKeys = {
  /** Any list, count or search over articles: every public article write moves it. */
  articles: 'articles',
  /** Lists of the articles in one section (filtered by it): moved by writes to articles there. */
  articlesInSection: (id: number) => `articles-in-section-${id}`,
  /** Lists of the articles carrying one tag. */
  articlesTagged: (id: number) => `articles-tagged-${id}`,
  article: (id: number) => `article-${id}`,
  sections: 'sections',
  section: (id: number) => `section-${id}`,
  tags: 'tags',
  tag: (id: number) => `tag-${id}`,
  /** Lists of the articles one author wrote (filtered by them). */
  articlesBy: (id: number) => `articles-by-${id}`,
  authors: 'authors',
  /** An image: the articles that show it, and its files (the renditions' Surrogate-Key). */
  media: (id: number) => `media-${id}`,
  /** Anything listing many images' URLs (the articles' sitemaps): moved by every image edit. */
  images: 'images',
  author: (id: number) => `author-${id}`,
  /** Moved by writes too broad to name key by key (a bulk import); every cached response depends on it. */
  everything: 'everything',
};

/** Whether a key names a list of articles: a scheduled article going live changes those too. */
export const isArticleListKey = (key: string) => key === cacheKeys.articles || key.startsWith('articles-');

/** Where an article stands in lists: its section, tags and authors, before or after a write. */
export interface Placement {
  section: { id: number } | null;
  tags: { id: number }[];
  authors: { id: number }[];
}

/**
 * An article the public saw or now sees changed: its own responses, every list of articles, and
 * the lists of each section, tag and author it stood in before the write or stands in after it.
 */
export const articleWriteKeys = (id: number, ...placements: Placement[]) => [
  cacheKeys.articles,
  cacheKeys.article(id),
  ...placements.flatMap((placement) => [
    ...(placement.section ? [cacheKeys.articlesInSection(placement.section.id)] : []),
    ...placement.tags.map((tag) => cacheKeys.articlesTagged(tag.id)),
    ...placement.authors.map((author) => cacheKeys.articlesBy(author.id)),
  ]),
];

/** A section changed: its responses, the section list, and article lists that filter or embed it. */
export const sectionWriteKeys = (id: number) => [
  cacheKeys.sections,
  cacheKeys.section(id),
  cacheKeys.articles,
];

/** A tag changed: its responses, the tag list, and article lists that filter or embed it. */
export const tagWriteKeys = (id: number) => [cacheKeys.tags, cacheKeys.tag(id), cacheKeys.articles];

/** An author changed: their responses, the author list, and article lists that filter or embed them. */
export const authorWriteKeys = (id: number) => [cacheKeys.authors, cacheKeys.author(id), cacheKeys.articles];
