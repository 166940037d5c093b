import { type Static, Type } from 'typebox';
import { pageQuery, sortQuery } from '../../http/pagination.js';
import {
  CanonicalUrl,
  DATE_OR_DATE_TIME_PATTERN,
  EmbeddedRefSchema,
  Nullable,
  RefOf,
  SlugSchema,
  Timestamp,
} from '../../http/schemas.js';
import { BylineAuthorSchema, MAX_AUTHORS } from '../authors/schemas.js';
import { CorrectionSchema } from '../corrections/schemas.js';
import { MediaSchema } from '../media/schemas.js';
import { NewsArticleSchema } from '../syndication/news-article.js';
import { articleExample, articleSummaryExample } from './example.js';

export const ARTICLE_SORT_FIELDS = ['publishedAt', 'createdAt', 'updatedAt', 'title'] as const;
export const ARTICLE_DEFAULT_SORT = '-publishedAt';
export const ARTICLE_STATUS_VALUES = ['draft', 'scheduled', 'published', 'archived'] as const;
export const BODY_MAX_LENGTH = 500_000;
export const MAX_TAGS = 50;

/** What a reader may see; `trashed` only with `content:read`, never something to ask for. */
export const ARTICLE_STATES = [...ARTICLE_STATUS_VALUES, 'trashed'] as const;

const StatusSchema = Type.Enum([...ARTICLE_STATUS_VALUES], {
  description:
    '`scheduled` is a published article whose `publishedAt` is still ahead: it reads as `published` from that instant on',
});
export const StateSchema = Type.Enum([...ARTICLE_STATES], {
  description:
    '`scheduled` is a published article whose `publishedAt` is still ahead (it reads as `published` from that instant on); `trashed` is in the trash (DELETE), `content:read` only',
});

const sectionRef = Type.Union([Type.Integer({ minimum: 1 }), Type.String({ minLength: 1, maxLength: 120 })], {
  description: 'The section by id, slug or name; it must exist (422 otherwise)',
  examples: ['breaking-news'],
});
const tagRef = Type.Union([Type.Integer({ minimum: 1 }), Type.String({ minLength: 1, maxLength: 100 })]);
const tagRefs = Type.Array(tagRef, {
  maxItems: MAX_TAGS,
  description: 'Tags by id, slug or name, in order; unknown names are created',
  examples: [['Ukraine', 'Zelenskyy']],
});

const authorRef = Type.Union([Type.Integer({ minimum: 1 }), Type.String({ minLength: 1, maxLength: 200 })]);
const authorRefs = Type.Array(authorRef, {
  maxItems: MAX_AUTHORS,
  description:
    'The byline, in order: authors by id, slug or name; an unknown name creates the author. Without it, an article a key linked to an author creates carries that author',
  examples: [['ada-reporter', 'Bo Stringer']],
});

const featuredImageRef = Type.Integer({
  minimum: 1,
  maximum: 2_147_483_647,
  description:
    'A media id: shown with the article, embedded with its renditions and crops (422 when unknown)',
});

const fields = {
  title: Type.String({ minLength: 1, maxLength: 300 }),
  subtitle: Type.String({ maxLength: 300 }),
  excerpt: Type.String({ maxLength: 1000, description: 'Shown in lists; derived from the body when null' }),
  body: Type.String({
    maxLength: BODY_MAX_LENGTH,
    description: 'Markdown, stored byte for byte; `![alt](media:ID "caption")` shows an image of the library',
  }),
  author: Type.String({
    minLength: 1,
    maxLength: 200,
    description:
      'One author by name, slug or id: the same as `authors: [author]`; `authors` wins when both are given',
  }),
  publishedAt: Type.String({ format: 'date-time', description: 'Set when first published if not given' }),
  expiresAt: Type.String({
    format: 'date-time',
    description:
      'When the article leaves public view (404 to the public, out of lists, search, feeds and sitemaps; keys still read it); after publishedAt. null: never',
  }),
  commentsEnabled: Type.Boolean({ description: 'Whether readers may comment' }),
};

const TocEntrySchema = Type.Object(
  {
    level: Type.Integer({ minimum: 1, maximum: 6 }),
    text: Type.String(),
    id: Type.String({ description: 'The heading’s id in bodyHtml', examples: ['introduction'] }),
  },
  { additionalProperties: false },
);

const articleProperties = {
  id: Type.Integer({ examples: [1] }),
  slug: Type.String({ examples: ['zelenskyys-call-for-guaranteed-security-a-turning-point-for-ukraine'] }),
  title: Type.String(),
  subtitle: Nullable(Type.String()),
  excerpt: Type.String({ description: 'The editor’s excerpt, or the start of the first paragraph' }),
  body: Type.String({ description: 'Markdown, exactly as written' }),
  bodyHtml: Type.String({
    description:
      'The body rendered (CommonMark): raw HTML escaped, no script-capable URLs; headings carry the `id`s of `toc`; `media:ID` images are `<figure>`s (alone in a paragraph) or `<picture>`s with AVIF, WebP and JPEG `srcset`s, captions and credits as the images have them now',
  }),
  toc: Type.Array(TocEntrySchema, { description: 'The headings, in order' }),
  wordCount: Type.Integer({ minimum: 0 }),
  readingTimeMinutes: Type.Integer({ minimum: 1, description: 'At 230 words a minute, rounded up' }),
  status: StateSchema,
  section: Nullable(EmbeddedRefSchema),
  tags: Type.Array(EmbeddedRefSchema),
  authors: Type.Array(RefOf(BylineAuthorSchema), { description: 'The byline, in order' }),
  featuredImage: Nullable(RefOf(MediaSchema)),
  corrections: Type.Array(RefOf(CorrectionSchema), {
    description:
      'Corrections, clarifications and updates appended since publication, oldest first (POST /v1/articles/{idOrSlug}/corrections)',
  }),
  byline: Nullable(
    Type.String({
      description:
        'The authors’ names for display: “Ada Reporter and Bo Stringer”, three or more with commas',
      examples: ['Ada Reporter and Bo Stringer'],
    }),
  ),
  author: Nullable(
    Type.String({
      deprecated: true,
      description: 'The same as `byline`: kept for clients written before `authors`',
    }),
  ),
  publishedAt: Nullable(Timestamp('When the article was (or will be) first published')),
  expiresAt: Nullable(Timestamp('When the article leaves (or left) public view; null: never')),
  commentsEnabled: Type.Boolean(),
  commentCount: Type.Integer({ minimum: 0, description: 'Approved comments' }),
  version: Type.Integer({ minimum: 1, description: 'Increments on every change' }),
  createdAt: Timestamp('When the article was created'),
  updatedAt: Timestamp('When the article last changed'),
  url: CanonicalUrl('ARTICLE_URL_TEMPLATE'),
  structuredData: Type.Optional(RefOf(NewsArticleSchema)),
};

const searchHitProperties = {
  snippet: Type.String({
    description:
      'Search results only: HTML-escaped text around the matches, which are wrapped in <mark> (see `highlight`)',
    examples: ['…legally binding <mark>security</mark> <mark>guarantees</mark> for Ukraine…'],
  }),
  score: Type.Number({ description: 'Search results only: relevance (bm25, higher is better)' }),
};

/** Any subset of an article's fields, as `fields=` asks. */
export const ArticleFieldsSchema = Type.Object(
  Object.fromEntries(
    Object.entries({ ...articleProperties, ...searchHitProperties }).map(([name, schema]) => [
      name,
      Type.Optional(schema),
    ]),
  ),
  {
    $id: 'ArticleFields',
    title: 'ArticleFields',
    description: 'An article cut down to the `fields` asked for',
    additionalProperties: false,
  },
);

export const ArticleSchema = Type.Object(
  {
    ...articleProperties,
    body: Type.Optional(articleProperties.body),
    bodyHtml: Type.Optional(articleProperties.bodyHtml),
  },
  {
    $id: 'Article',
    title: 'Article',
    examples: [articleExample],
    description: '`body` and `bodyHtml` are both present unless `format` asks for one',
    additionalProperties: false,
  },
);
export type Article = Static<typeof ArticleSchema>;

export const ArticleSummarySchema = Type.Object(
  {
    ...articleProperties,
    body: Type.Optional(articleProperties.body),
    bodyHtml: Type.Optional(articleProperties.bodyHtml),
    toc: Type.Optional(articleProperties.toc),
    snippet: Type.Optional(searchHitProperties.snippet),
    score: Type.Optional(searchHitProperties.score),
  },
  {
    $id: 'ArticleSummary',
    title: 'ArticleSummary',
    examples: [articleSummaryExample],
    description: 'An article as lists show it: without `body`, `bodyHtml` and `toc` unless `include` asks',
    additionalProperties: false,
  },
);
export type ArticleSummary = Static<typeof ArticleSummarySchema>;

export const ArticleCreateSchema = Type.Object(
  {
    title: fields.title,
    slug: Type.Optional(SlugSchema),
    subtitle: Type.Optional(Nullable(fields.subtitle)),
    excerpt: Type.Optional(Nullable(fields.excerpt)),
    body: Type.Optional(fields.body),
    status: Type.Optional(StatusSchema),
    section: Type.Optional(Nullable(sectionRef)),
    tags: Type.Optional(tagRefs),
    authors: Type.Optional(authorRefs),
    author: Type.Optional(Nullable(fields.author)),
    featuredImage: Type.Optional(Nullable(featuredImageRef)),
    publishedAt: Type.Optional(Nullable(fields.publishedAt)),
    expiresAt: Type.Optional(Nullable(fields.expiresAt)),
    commentsEnabled: Type.Optional(fields.commentsEnabled),
  },
  {
    $id: 'ArticleCreate',
    title: 'ArticleCreate',
    additionalProperties: false,
    examples: [
      {
        title: 'Zelenskyy’s Call for Guaranteed Security: A Turning Point for Ukraine?',
        section: 'breaking-news',
        tags: ['Ukraine', 'Zelenskyy', 'GlobalSecurity'],
        status: 'published',
        body: '## Introduction\n\nIn recent weeks, Volodymyr Zelenskyy has intensified his appeal…',
      },
    ],
  },
);
export type ArticleCreate = Static<typeof ArticleCreateSchema>;

export const ArticlePatchSchema = Type.Object(
  {
    title: Type.Optional(fields.title),
    slug: Type.Optional(SlugSchema),
    subtitle: Type.Optional(Nullable(fields.subtitle)),
    excerpt: Type.Optional(Nullable(fields.excerpt)),
    body: Type.Optional(fields.body),
    status: Type.Optional(StatusSchema),
    section: Type.Optional(Nullable(sectionRef)),
    tags: Type.Optional(tagRefs),
    authors: Type.Optional(authorRefs),
    author: Type.Optional(Nullable(fields.author)),
    featuredImage: Type.Optional(Nullable(featuredImageRef)),
    publishedAt: Type.Optional(Nullable(fields.publishedAt)),
    expiresAt: Type.Optional(Nullable(fields.expiresAt)),
    commentsEnabled: Type.Optional(fields.commentsEnabled),
  },
  {
    $id: 'ArticlePatch',
    title: 'ArticlePatch',
    additionalProperties: false,
    description: 'Merge patch: absent fields stay, null clears. The slug changes only when given.',
    examples: [{ status: 'published', tags: ['Ukraine', 'Diplomacy'] }],
  },
);
export type ArticlePatch = Static<typeof ArticlePatchSchema>;

const ref = (description: string) =>
  Type.String({ pattern: '^[a-z0-9-]+$', maxLength: 120, description: `${description} (id or slug)` });

// No `examples` on filters: Swagger UI would pre-fill them in Try it out and hide content.
const dateOrDateTime = (description: string) =>
  Type.String({
    pattern: DATE_OR_DATE_TIME_PATTERN,
    description: `${description}: a date (2026-01-31, whole day, UTC) or a date-time with offset`,
  });

const refList = (description: string) =>
  Type.String({
    pattern: '^[a-z0-9-]+(,[a-z0-9-]+){0,19}$',
    maxLength: 1000,
    description: `${description} (ids or slugs, comma-separated, up to 20)`,
  });

/** Every article field a client may ask for with `fields`. */
export const ARTICLE_FIELDS = [...Object.keys(articleProperties), 'snippet', 'score'] as const;

/** Query parameters shared by the article list and search. */
export const articleListParameters = {
  ...pageQuery,
  cursor: Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 2000,
      pattern: '^[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+$',
      description:
        '`meta.nextCursor` of the previous page: keyset paging, stable while articles come and go. Not with `page`.',
    }),
  ),
  sort: Type.Optional(sortQuery([...ARTICLE_SORT_FIELDS, 'relevance'], ARTICLE_DEFAULT_SORT)),
  section: Type.Optional(ref('Only articles in this section')),
  includeSubsections: Type.Optional(
    Type.Boolean({ description: 'With `section`: also articles in its subsections, at any depth' }),
  ),
  tag: Type.Optional(refList('Only articles with any of these tags')),
  tagAll: Type.Optional(refList('Only articles with all of these tags')),
  status: Type.Optional(
    Type.Enum([...ARTICLE_STATES], {
      description:
        'Only articles in this state; without `content:read` only published ones exist. `trashed` lists the trash, which no other list shows',
    }),
  ),
  author: Type.Optional(ref('Only articles by this author')),
  publishedAfter: Type.Optional(dateOrDateTime('Published at or after')),
  publishedBefore: Type.Optional(dateOrDateTime('Published at or before')),
  updatedSince: Type.Optional(dateOrDateTime('Changed at or after')),
  include: Type.Optional(
    Type.String({
      pattern: '^(body|bodyHtml|toc)(,(body|bodyHtml|toc)){0,2}$',
      description: 'Comma-separated: `body`, `bodyHtml`, `toc` add them to each item',
    }),
  ),
  fields: Type.Optional(fieldsQuery()),
  highlight: Type.Optional(
    Type.Enum(['mark', 'strong', 'em', 'b', 'none'], {
      default: 'mark',
      description: 'The element that wraps matches in `snippet` (`none` for plain text)',
    }),
  ),
};

function fieldsQuery() {
  const names = [...Object.keys(articleProperties), 'snippet', 'score'].join('|');
  return Type.String({
    pattern: `^(${names})(,(${names})){0,30}$`,
    maxLength: 400,
    description: `Only these fields, comma-separated: ${Object.keys(articleProperties).join(', ')} (and \`snippet\`, \`score\` in searches)`,
  });
}

const searchQueryText = (required: boolean) =>
  Type.String({
    minLength: 1,
    maxLength: 200,
    description: `${required ? '' : 'Full-text search; '}Words, "phrases", prefix*, AND / OR / NOT, -word, (brackets). Case and accents are ignored. Results come best first unless sorted otherwise.`,
    // An example on the list's optional `q` would be pre-filled by Swagger UI and filter everything.
    ...(required ? { examples: ['"security guarantees"', 'Zelensky*'] } : {}),
  });

// `cursor` and `page` exclude each other, in the schema as well as in prose.
const cursorOrPage = { not: { required: ['cursor', 'page'] } };

export const ArticleListQuery = Type.Object(
  { ...articleListParameters, q: Type.Optional(searchQueryText(false)) },
  { additionalProperties: false, ...cursorOrPage },
);

export const SearchQuery = Type.Object(
  { ...articleListParameters, q: searchQueryText(true) },
  { additionalProperties: false, ...cursorOrPage },
);

export const ArticleReadQuery = Type.Object(
  {
    fields: Type.Optional(fieldsQuery()),
    format: Type.Optional(
      Type.Enum(['both', 'markdown', 'html'], {
        default: 'both',
        description: '`markdown` sends only `body`, `html` only `bodyHtml`',
      }),
    ),
  },
  { additionalProperties: false },
);

/** Registered with app.addSchema(): components of the OpenAPI document. */
export const articleComponents = [
  ArticleSchema,
  ArticleFieldsSchema,
  ArticleSummarySchema,
  ArticleCreateSchema,
  ArticlePatchSchema,
];
