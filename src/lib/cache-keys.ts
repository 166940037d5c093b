/**
 * The names of what a public response depends on. A response lists them in Surrogate-Key (so a
 * CDN can purge by them) and the response cache keeps them with its bytes; a write moves the
 * version of each key it changes (`contentState.touchPublic`), in its own transaction.
 */
export const cacheKeys = {
  /** Any list, count or search over articles: every public article write moves it. */
  articles: 'articles',
  article: (id: number) => `article-${id}`,
  sections: 'sections',
  section: (id: number) => `section-${id}`,
  tags: 'tags',
  tag: (id: number) => `tag-${id}`,
  /** Moved by writes too broad to name key by key (a bulk import); every cached response depends on it. */
  everything: 'everything',
};

/** An article the public saw or now sees changed: its own responses and every article list. */
export const articleWriteKeys = (id: number) => [cacheKeys.articles, cacheKeys.article(id)];

/** A section changed: its responses, the section list, and article lists that filter or embed it. */
export const sectionWriteKeys = (id: number) => [
  cacheKeys.sections,
  cacheKeys.section(id),
  cacheKeys.articles,
];

/** A tag changed: its responses, the tag list, and article lists that filter or embed it. */
export const tagWriteKeys = (id: number) => [cacheKeys.tags, cacheKeys.tag(id), cacheKeys.articles];
