import { cacheKeys } from '../../lib/cache-keys.js';
import { resolvedIds } from '../media/inline.js';
import type { ArticleFilters } from './listing.js';

/**
 * What one article's representation names in Surrogate-Key: itself, its section, tags and
 * authors, and the images it shows (featured, and in its body when the body is shown).
 */
export const articleKeys = (article: {
  id: number;
  section: { id: number } | null;
  tags: { id: number }[];
  authors: { id: number }[];
  featuredImage: { id: number } | null;
  bodyHtml?: string;
}) => [
  cacheKeys.article(article.id),
  ...(article.section ? [cacheKeys.section(article.section.id)] : []),
  ...article.tags.map((tag) => cacheKeys.tag(tag.id)),
  ...article.authors.map((author) => cacheKeys.author(author.id)),
  ...(article.featuredImage ? [cacheKeys.media(article.featuredImage.id)] : []),
  ...resolvedIds(article.bodyHtml ?? '')
    .filter((id) => id !== article.featuredImage?.id)
    .map(cacheKeys.media),
];

/**
 * The lists a list of articles belongs to: filtered by section, it changes only when an article
 * in those sections does (whatever else filters it), or the sections move (`includeSubsections`
 * follows the tree); by tag, only when an article carrying one does; by author, only when one
 * of theirs does; otherwise with any article.
 */
export const listKeys = (filters: ArticleFilters): string[] => {
  if (filters.sectionIds) return [...filters.sectionIds.map(cacheKeys.articlesInSection), cacheKeys.sections];
  const tagIds = filters.allTagIds ?? filters.anyTagIds;
  if (tagIds) return tagIds.map(cacheKeys.articlesTagged);
  if (filters.authorId !== undefined) return [cacheKeys.articlesBy(filters.authorId)];
  return [cacheKeys.articles];
};
