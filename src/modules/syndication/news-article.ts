import { decodeHTML } from 'entities';
import { type Static, Type } from 'typebox';
import type { SiteLinks } from '../../lib/site-links.js';
import type { Article } from '../articles/schemas.js';

// schema.org NewsArticle (JSON-LD), as Google's article guidelines ask for it: what a front end
// puts in a <script type="application/ld+json"> on the article's page.

/** Google asks for images at least this wide, in 16:9, 4:3 and 1:1. */
const IMAGE_MIN_WIDTH = 1200;

const uri = () => Type.String({ format: 'uri' });
const instant = () => Type.String({ format: 'date-time' });
const closed = { additionalProperties: false } as const;

export const NewsArticleSchema = Type.Object(
  {
    '@context': Type.Literal('https://schema.org'),
    '@type': Type.Literal('NewsArticle'),
    headline: Type.String(),
    description: Type.String(),
    url: uri(),
    mainEntityOfPage: Type.Object({ '@type': Type.Literal('WebPage'), '@id': uri() }, closed),
    datePublished: instant(),
    dateModified: instant(),
    author: Type.Array(
      Type.Object({ '@type': Type.Literal('Person'), name: Type.String(), url: uri() }, closed),
    ),
    publisher: Type.Object(
      {
        '@type': Type.Literal('NewsMediaOrganization'),
        name: Type.String(),
        url: uri(),
        logo: Type.Optional(Type.Object({ '@type': Type.Literal('ImageObject'), url: uri() }, closed)),
      },
      closed,
    ),
    image: Type.Optional(Type.Array(uri())),
    articleSection: Type.Optional(Type.String()),
    keywords: Type.Optional(Type.Array(Type.String())),
    inLanguage: Type.String(),
    wordCount: Type.Integer({ minimum: 0 }),
    correction: Type.Optional(
      Type.Array(
        Type.Object(
          { '@type': Type.Literal('CorrectionComment'), text: Type.String(), datePublished: instant() },
          closed,
        ),
      ),
    ),
  },
  {
    $id: 'NewsArticle',
    title: 'NewsArticle',
    description:
      'schema.org NewsArticle (JSON-LD) for the article’s page, as Google’s article guidelines ask: put it in a `<script type="application/ld+json">`',
    additionalProperties: false,
  },
);
export type NewsArticle = Static<typeof NewsArticleSchema>;

/** Text from the HTML this API renders (tags dropped, entities decoded). */
const plainTextOf = (html: string) => decodeHTML(html.replace(/<[^>]*>/g, '')).trim();

/** For each aspect, the narrowest crop at least 1,200 px wide, else the widest there is. */
function imagesOf(article: Article): string[] | undefined {
  const crops = article.featuredImage?.crops ?? [];
  if (crops.length === 0) return article.featuredImage ? [article.featuredImage.url] : undefined;
  const aspects = [...new Set(crops.map((crop) => crop.aspect))];
  return aspects.map((aspect) => {
    const ofAspect = crops.filter((crop) => crop.aspect === aspect).sort((a, b) => a.width - b.width);
    return (ofAspect.find((crop) => crop.width >= IMAGE_MIN_WIDTH) ?? ofAspect.at(-1))?.url as string;
  });
}

/** The article as a NewsArticle; only for what the public may read (the page is public). */
export function newsArticleOf(article: Article, links: SiteLinks): NewsArticle {
  const url = links.article(article);
  const { site } = links;
  const image = imagesOf(article);
  return {
    '@context': 'https://schema.org',
    '@type': 'NewsArticle',
    headline: article.title,
    description: article.excerpt,
    url,
    mainEntityOfPage: { '@type': 'WebPage', '@id': url },
    datePublished: article.publishedAt ?? article.createdAt,
    dateModified: article.updatedAt,
    author: article.authors.map((author) => ({
      '@type': 'Person',
      name: author.name,
      url: links.author(author),
    })),
    publisher: {
      '@type': 'NewsMediaOrganization',
      name: site.name,
      url: links.home,
      ...(site.logoUrl ? { logo: { '@type': 'ImageObject', url: site.logoUrl } } : {}),
    },
    ...(image ? { image } : {}),
    ...(article.section ? { articleSection: article.section.name } : {}),
    ...(article.tags.length > 0 ? { keywords: article.tags.map((tag) => tag.name) } : {}),
    inLanguage: site.language,
    wordCount: article.wordCount,
    ...(article.corrections.length > 0
      ? {
          correction: article.corrections.map((correction) => ({
            '@type': 'CorrectionComment',
            text: plainTextOf(correction.textHtml),
            datePublished: correction.at,
          })),
        }
      : {}),
  };
}
