import { type Static, Type } from 'typebox';
import { pageQuery, sortQuery } from '../../http/pagination.js';
import { CanonicalUrl, Nullable, SlugSchema, Timestamp } from '../../http/schemas.js';

export const TAG_SORT_FIELDS = ['name', 'createdAt', 'updatedAt', 'articleCount'] as const;
export const TAG_DEFAULT_SORT = 'name';
export const TAG_NAME_MAX_LENGTH = 100;

const name = Type.String({
  minLength: 1,
  maxLength: TAG_NAME_MAX_LENGTH,
  description: 'Unique, ignoring case',
});
const description = Type.String({ maxLength: 2000 });

export const TagSchema = Type.Object(
  {
    id: Type.Integer({ examples: [1] }),
    slug: Type.String({ examples: ['ukraine'] }),
    name: Type.String({ examples: ['Ukraine'] }),
    description: Nullable(Type.String()),
    articleCount: Type.Integer({ minimum: 0, description: 'Articles with this tag the caller may see' }),
    createdAt: Timestamp('When the tag was created'),
    updatedAt: Timestamp('When the tag last changed'),
    url: CanonicalUrl('TAG_URL_TEMPLATE'),
  },
  {
    $id: 'Tag',
    title: 'Tag',
    additionalProperties: false,
    examples: [
      {
        id: 1,
        slug: 'ukraine',
        name: 'Ukraine',
        description: null,
        articleCount: 1,
        createdAt: '2026-11-26T08:00:00.000Z',
        updatedAt: '2026-11-26T08:00:00.000Z',
      },
    ],
  },
);
export type Tag = Static<typeof TagSchema>;

export const TagCreateSchema = Type.Object(
  { name, slug: Type.Optional(SlugSchema), description: Type.Optional(Nullable(description)) },
  { $id: 'TagCreate', title: 'TagCreate', additionalProperties: false, examples: [{ name: 'Ukraine' }] },
);
export type TagCreate = Static<typeof TagCreateSchema>;

export const TagPatchSchema = Type.Object(
  {
    name: Type.Optional(name),
    slug: Type.Optional(SlugSchema),
    description: Type.Optional(Nullable(description)),
  },
  {
    $id: 'TagPatch',
    title: 'TagPatch',
    additionalProperties: false,
    description: 'Merge patch: absent fields stay, null clears',
    examples: [{ description: 'Coverage of the war in Ukraine' }],
  },
);
export type TagPatch = Static<typeof TagPatchSchema>;

export const TagListQuery = Type.Object(
  { ...pageQuery, sort: Type.Optional(sortQuery(TAG_SORT_FIELDS, TAG_DEFAULT_SORT)) },
  { additionalProperties: false },
);

/** Registered with app.addSchema(): components of the OpenAPI document. */
export const tagComponents = [TagSchema, TagCreateSchema, TagPatchSchema];
