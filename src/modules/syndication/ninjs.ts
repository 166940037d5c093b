import { decodeHTML } from 'entities';
import { type Static, type TSchema, Type } from 'typebox';
import type { SiteLinks } from '../../lib/site-links.js';
import type { Article } from '../articles/schemas.js';
import type { Media } from '../media/schemas.js';
import { entryId } from './feeds.js';

// IPTC ninjs 2.1 (News in JSON): the article as news agencies and wire services exchange it.
// The schema below is the part of ninjs 2.1 this API writes; the tests validate every answer
// against the official schema (test/fixtures/ninjs-schema_2.1.json).

const NINJS_SCHEMA_URI = 'http://www.iptc.org/std/ninjs/ninjs-schema_2.1.json';

const closed = { additionalProperties: false } as const;
const optional = <T extends TSchema>(schema: T) => Type.Optional(schema);
const textBlock = Type.Object(
  { role: optional(Type.String()), contenttype: optional(Type.String()), value: Type.String() },
  closed,
);
const concept = Type.Object(
  {
    name: Type.String(),
    rel: optional(Type.String()),
    uri: optional(Type.String({ format: 'uri' })),
    literal: optional(Type.String()),
  },
  closed,
);
const rendition = Type.Object(
  {
    name: Type.String(),
    href: Type.String(),
    contenttype: Type.String(),
    width: Type.Integer(),
    height: Type.Integer(),
  },
  closed,
);

const pictureProperties = {
  name: Type.String(),
  uri: Type.String({ format: 'uri' }),
  type: Type.Literal('picture'),
  headlines: optional(Type.Array(textBlock)),
  descriptions: optional(Type.Array(textBlock)),
  by: optional(Type.String()),
  renditions: Type.Array(rendition),
};

export const NinjsSchema = Type.Object(
  {
    uri: Type.String({
      format: 'uri',
      description: 'Stable: the tag URI feeds use as the entry id, or a URN without SITE_URL',
    }),
    standard: Type.Object(
      { name: Type.Literal('ninjs'), version: Type.Literal('2.1'), schema: Type.String() },
      closed,
    ),
    type: Type.Literal('text'),
    representationtype: Type.Literal('full'),
    version: Type.String({ description: 'The article’s version' }),
    firstcreated: Type.String({ format: 'date-time' }),
    versioncreated: Type.String({ format: 'date-time' }),
    embargoed: optional(
      Type.String({ format: 'date-time', description: 'Scheduled articles: when they go live' }),
    ),
    expires: optional(
      Type.String({ format: 'date-time', description: 'When the article leaves public view' }),
    ),
    pubstatus: Type.Enum(['usable', 'withheld', 'canceled'], {
      description:
        '`usable` when the public can read it, `withheld` for drafts, scheduled and archived ones, `canceled` in the trash',
    }),
    language: optional(Type.String()),
    slugline: Type.String(),
    headlines: Type.Array(textBlock),
    descriptions: Type.Array(textBlock),
    bodies: Type.Array(
      Type.Object(
        {
          role: Type.String(),
          contenttype: Type.String(),
          value: Type.String(),
          wordcount: Type.Integer(),
          charcount: Type.Integer(),
        },
        closed,
      ),
    ),
    by: optional(Type.String()),
    people: Type.Array(concept),
    subjects: Type.Array(concept),
    associations: optional(Type.Array(Type.Object(pictureProperties, closed))),
  },
  {
    $id: 'Ninjs',
    title: 'Ninjs',
    description: 'The article as IPTC ninjs 2.1 (News in JSON)',
    additionalProperties: false,
  },
);
export type Ninjs = Static<typeof NinjsSchema>;

const MIME_TYPES: Record<string, string> = { jpg: 'image/jpeg', webp: 'image/webp', avif: 'image/avif' };

/** The featured image as a picture association, with every rendition of it. */
function pictureOf(
  image: Media,
): Static<typeof NinjsSchema>['associations'] extends (infer T)[] | undefined ? T : never {
  return {
    name: 'featureimage',
    uri: image.url,
    type: 'picture',
    ...(image.caption ? { headlines: [{ value: image.caption }] } : {}),
    ...(image.alt ? { descriptions: [{ role: 'alt', contenttype: 'text/plain', value: image.alt }] } : {}),
    ...(image.credit ? { by: image.credit } : {}),
    renditions: [
      {
        name: 'original',
        href: image.url,
        contenttype: image.mimeType,
        width: image.width,
        height: image.height,
      },
      ...image.renditions.map((r) => ({
        name: `w${r.width}-${r.format}`,
        href: r.url,
        contenttype: MIME_TYPES[r.format] ?? 'application/octet-stream',
        width: r.width,
        height: r.height,
      })),
      ...image.crops.map((crop) => ({
        name: `crop-${crop.aspect.replace(':', 'x')}-w${crop.width}`,
        href: crop.url,
        contenttype: 'image/jpeg',
        width: crop.width,
        height: crop.height,
      })),
    ],
  };
}

/** Characters of the text a reader reads (markup and figure captions left out), as ninjs counts them. */
const charCount = (html: string) =>
  [
    ...decodeHTML(html.replace(/<figcaption>[\s\S]*?<\/figcaption>/g, '').replace(/<[^>]*>/g, ''))
      .replace(/\s+/g, ' ')
      .trim(),
  ].length;

function pubstatusOf(article: Article, now: string): Ninjs['pubstatus'] {
  const expired = article.expiresAt !== null && article.expiresAt <= now;
  if (article.status === 'published' && !expired) return 'usable';
  return article.status === 'trashed' ? 'canceled' : 'withheld';
}

/** The article as ninjs 2.1: authors as people, section and tags as subjects, the featured image as a picture. */
export function ninjsOf(article: Article, links: SiteLinks | undefined, now: string): Ninjs {
  const html = article.bodyHtml ?? '';
  const concept = (rel: string, item: { name: string; slug: string }, url: string | undefined) => ({
    name: item.name,
    rel,
    literal: item.slug,
    ...(url ? { uri: url } : {}),
  });
  return {
    uri: links ? entryId(links, article) : `urn:broadsheet:article:${article.id}`,
    standard: { name: 'ninjs', version: '2.1', schema: NINJS_SCHEMA_URI },
    type: 'text',
    representationtype: 'full',
    version: String(article.version),
    firstcreated: article.createdAt,
    versioncreated: article.updatedAt,
    ...(article.status === 'scheduled' && article.publishedAt ? { embargoed: article.publishedAt } : {}),
    ...(article.expiresAt ? { expires: article.expiresAt } : {}),
    pubstatus: pubstatusOf(article, now),
    ...(links ? { language: links.site.language } : {}),
    slugline: article.slug,
    headlines: [
      { role: 'main', value: article.title },
      ...(article.subtitle ? [{ role: 'sub', value: article.subtitle }] : []),
    ],
    descriptions: [{ role: 'summary', contenttype: 'text/plain', value: article.excerpt }],
    bodies: [
      {
        role: 'main',
        contenttype: 'text/html',
        value: html,
        wordcount: article.wordCount,
        charcount: charCount(html),
      },
    ],
    ...(article.byline ? { by: article.byline } : {}),
    people: article.authors.map((author) => concept('author', author, links?.author(author))),
    subjects: [
      ...(article.section ? [concept('section', article.section, links?.section(article.section))] : []),
      ...article.tags.map((tag) => concept('tag', tag, links?.tag(tag))),
    ],
    ...(article.featuredImage ? { associations: [pictureOf(article.featuredImage)] } : {}),
  };
}
