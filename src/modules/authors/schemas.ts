import { type Static, Type } from 'typebox';
import { pageQuery, sortQuery } from '../../http/pagination.js';
import { CanonicalUrl, Nullable, SlugSchema, Timestamp } from '../../http/schemas.js';

export const AUTHOR_SORT_FIELDS = ['name', 'createdAt', 'updatedAt', 'articleCount'] as const;
export const AUTHOR_DEFAULT_SORT = 'name';
export const AUTHOR_NAME_MAX_LENGTH = 200;
export const MAX_AUTHORS = 20;

const name = Type.String({
  minLength: 1,
  maxLength: AUTHOR_NAME_MAX_LENGTH,
  description: 'As the byline shows it; two authors may share a name (their slugs differ)',
});
const bio = Type.String({ maxLength: 5000, description: 'Markdown' });
const jobTitle = Type.String({ minLength: 1, maxLength: 200, examples: ['Security correspondent'] });
const website = Type.String({
  format: 'uri',
  pattern: '^https?://',
  maxLength: 2000,
  description: 'The author’s own page elsewhere (a personal site, a profile)',
});
const avatar = Type.Integer({
  minimum: 1,
  maximum: 2_147_483_647,
  description: 'A photo of them: a media id (422 when unknown); its crops give square portraits',
});
const email = Type.String({
  format: 'email',
  maxLength: 320,
  description: 'For the newsroom: shown to API keys only, never to the public',
});

export const AuthorSchema = Type.Object(
  {
    id: Type.Integer({ examples: [1] }),
    slug: Type.String({ examples: ['ada-reporter'] }),
    name: Type.String({ examples: ['Ada Reporter'] }),
    bio: Nullable(Type.String({ description: 'Markdown' })),
    bioHtml: Type.String({ description: 'The bio rendered (raw HTML escaped); empty without a bio' }),
    jobTitle: Nullable(Type.String()),
    website: Nullable(Type.String({ format: 'uri' })),
    avatar: Nullable(Type.Integer({ description: 'A media id: GET /v1/media/{id} gives its renditions' })),
    email: Type.Optional(Nullable(Type.String({ description: 'API keys only; absent for the public' }))),
    articleCount: Type.Integer({ minimum: 0, description: 'Articles by this author the caller may see' }),
    createdAt: Timestamp('When the author was created'),
    updatedAt: Timestamp('When the author last changed'),
    url: CanonicalUrl('AUTHOR_URL_TEMPLATE'),
  },
  {
    $id: 'Author',
    title: 'Author',
    additionalProperties: false,
    examples: [
      {
        id: 1,
        slug: 'ada-reporter',
        name: 'Ada Reporter',
        bio: 'Covers European security from *Kyiv*.',
        bioHtml: '<p>Covers European security from <em>Kyiv</em>.</p>\n',
        jobTitle: 'Security correspondent',
        website: null,
        avatar: null,
        articleCount: 12,
        createdAt: '2026-11-26T08:00:00.000Z',
        updatedAt: '2026-11-26T08:00:00.000Z',
      },
    ],
  },
);
export type Author = Static<typeof AuthorSchema>;

export const AuthorCreateSchema = Type.Object(
  {
    name,
    slug: Type.Optional(SlugSchema),
    bio: Type.Optional(Nullable(bio)),
    jobTitle: Type.Optional(Nullable(jobTitle)),
    website: Type.Optional(Nullable(website)),
    avatar: Type.Optional(Nullable(avatar)),
    email: Type.Optional(Nullable(email)),
  },
  {
    $id: 'AuthorCreate',
    title: 'AuthorCreate',
    additionalProperties: false,
    examples: [{ name: 'Ada Reporter', jobTitle: 'Security correspondent' }],
  },
);
export type AuthorCreate = Static<typeof AuthorCreateSchema>;

export const AuthorPatchSchema = Type.Object(
  {
    name: Type.Optional(name),
    slug: Type.Optional(SlugSchema),
    bio: Type.Optional(Nullable(bio)),
    jobTitle: Type.Optional(Nullable(jobTitle)),
    website: Type.Optional(Nullable(website)),
    avatar: Type.Optional(Nullable(avatar)),
    email: Type.Optional(Nullable(email)),
  },
  {
    $id: 'AuthorPatch',
    title: 'AuthorPatch',
    additionalProperties: false,
    description: 'Merge patch: absent fields stay, null clears',
    examples: [{ bio: 'Covers European security from *Kyiv*.' }],
  },
);
export type AuthorPatch = Static<typeof AuthorPatchSchema>;

export const AuthorListQuery = Type.Object(
  { ...pageQuery, sort: Type.Optional(sortQuery(AUTHOR_SORT_FIELDS, AUTHOR_DEFAULT_SORT)) },
  { additionalProperties: false },
);

/** An author as an article embeds it: enough for a byline with a link. */
export const BylineAuthorSchema = Type.Object(
  {
    id: Type.Integer(),
    slug: Type.String(),
    name: Type.String(),
    url: CanonicalUrl('AUTHOR_URL_TEMPLATE'),
  },
  { $id: 'BylineAuthor', title: 'BylineAuthor', additionalProperties: false },
);

/** Registered with app.addSchema(): components of the OpenAPI document. */
export const authorComponents = [AuthorSchema, AuthorCreateSchema, AuthorPatchSchema, BylineAuthorSchema];
