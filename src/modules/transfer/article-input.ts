import { Compile } from 'typebox/compile';
import { type ArticleCreate, ArticleCreateSchema, type ArticlePatch } from '../articles/schemas.js';

/** ArticleCreate's validator, compiled once for every importer. */
export const articleValidator = Compile(ArticleCreateSchema);

/** An imported article must be one the API would accept: the same schema, the same limits. */
export function checkArticle(input: unknown): asserts input is ArticleCreate {
  if (articleValidator.Check(input)) return;
  const first = [...articleValidator.Errors(input)][0];
  throw new Error(`not a valid article: ${first?.instancePath || '/'} ${first?.message ?? ''}`.trim());
}

/** The whole article as a patch, for a re-import: a field gone from the source is cleared, not kept. */
export const asPatch = (input: ArticleCreate): ArticlePatch => ({
  title: input.title,
  ...(input.slug ? { slug: input.slug } : {}),
  subtitle: input.subtitle ?? null,
  excerpt: input.excerpt ?? null,
  body: input.body ?? '',
  status: input.status ?? 'draft',
  section: input.section ?? null,
  tags: input.tags ?? [],
  // A byline gone from the source is cleared; `author` is the one-name form of `authors`.
  authors: input.authors ?? (input.author ? [input.author] : []),
  ...(input.publishedAt ? { publishedAt: input.publishedAt } : {}),
  commentsEnabled: input.commentsEnabled ?? true,
});
