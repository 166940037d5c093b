import { type Static, Type } from 'typebox';
import { pageQuery, sortQuery } from '../../http/pagination.js';
import { CanonicalUrl, Nullable, SlugSchema, Timestamp } from '../../http/schemas.js';

export const SECTION_SORT_FIELDS = ['position', 'name', 'createdAt', 'updatedAt'] as const;
export const SECTION_DEFAULT_SORT = 'position,name';

const name = Type.String({
  minLength: 1,
  maxLength: 100,
  description: 'Display name; unique, ignoring case',
});
const description = Type.String({ maxLength: 2000 });
const parentId = Type.Integer({ minimum: 1, description: 'The enclosing section; no cycles' });
const position = Type.Integer({
  minimum: -1_000_000,
  maximum: 1_000_000,
  description: 'Order among siblings',
});

export const SectionSchema = Type.Object(
  {
    id: Type.Integer({ examples: [1] }),
    slug: Type.String({ examples: ['breaking-news'] }),
    name: Type.String({ examples: ['Breaking News'] }),
    description: Nullable(Type.String()),
    parentId: Nullable(Type.Integer()),
    position: Type.Integer(),
    articleCount: Type.Integer({ minimum: 0, description: 'Articles in this section the caller may see' }),
    createdAt: Timestamp('When the section was created'),
    updatedAt: Timestamp('When the section last changed'),
    url: CanonicalUrl('SECTION_URL_TEMPLATE'),
  },
  {
    $id: 'Section',
    title: 'Section',
    additionalProperties: false,
    examples: [
      {
        id: 1,
        slug: 'breaking-news',
        name: 'Breaking News',
        description: 'What is happening now',
        parentId: null,
        position: 0,
        articleCount: 1,
        createdAt: '2026-11-26T08:00:00.000Z',
        updatedAt: '2026-11-26T08:00:00.000Z',
      },
    ],
  },
);
export type Section = Static<typeof SectionSchema>;

/** What a write may set: all of it on creation (a name at least), any of it in a patch. */
const writable = {
  name,
  slug: Type.Optional(SlugSchema),
  description: Type.Optional(Nullable(description)),
  parentId: Type.Optional(Nullable(parentId)),
  position: Type.Optional(position),
};

export const SectionCreateSchema = Type.Object(writable, {
  $id: 'SectionCreate',
  title: 'SectionCreate',
  additionalProperties: false,
  examples: [{ name: 'Breaking News', description: 'What is happening now' }],
});
export type SectionCreate = Static<typeof SectionCreateSchema>;

export const SectionPatchSchema = Type.Object(
  { ...writable, name: Type.Optional(name) },
  {
    $id: 'SectionPatch',
    title: 'SectionPatch',
    additionalProperties: false,
    description: 'Merge patch: absent fields stay, null clears',
    examples: [{ description: null, position: 2 }],
  },
);
export type SectionPatch = Static<typeof SectionPatchSchema>;

export const SectionListQuery = Type.Object(
  {
    ...pageQuery,
    sort: Type.Optional(sortQuery(SECTION_SORT_FIELDS, SECTION_DEFAULT_SORT)),
    parent: Type.Optional(
      Type.String({
        pattern: '^[a-z0-9-]+$',
        maxLength: 120,
        description: 'Only children of this section (id or slug); `root` for top-level sections',
      }),
    ),
  },
  { additionalProperties: false },
);

/** Registered with app.addSchema(): components of the OpenAPI document. */
export const sectionComponents = [SectionSchema, SectionCreateSchema, SectionPatchSchema];
