import { type Static, Type } from 'typebox';
import { EmbeddedRefSchema, Nullable, RefOf, Timestamp } from '../../http/schemas.js';
import { StateSchema } from './schemas.js';

// What revisions store and serve: the editorial state of an article, and who changed it.

export const ArticleSnapshotSchema = Type.Object(
  {
    title: Type.String(),
    slug: Type.String(),
    subtitle: Nullable(Type.String()),
    excerpt: Nullable(Type.String({ description: 'The editor’s excerpt; null when derived' })),
    body: Type.String(),
    status: StateSchema,
    section: Nullable(EmbeddedRefSchema),
    tags: Type.Array(EmbeddedRefSchema),
    authors: Type.Optional(Type.Array(EmbeddedRefSchema, { description: 'The byline, in order' })),
    author: Type.Optional(
      Nullable(
        Type.String({ description: 'Revisions stored before bylines named authors: the byline as text' }),
      ),
    ),
    featuredImage: Type.Optional(Nullable(Type.Integer({ description: 'The featured image’s media id' }))),
    publishedAt: Nullable(Type.String({ format: 'date-time' })),
    expiresAt: Type.Optional(Nullable(Type.String({ format: 'date-time' }))),
    commentsEnabled: Type.Boolean(),
  },
  {
    $id: 'ArticleSnapshot',
    title: 'ArticleSnapshot',
    description: 'The editorial state of an article as a revision stored it',
    additionalProperties: false,
  },
);
export type ArticleSnapshot = Static<typeof ArticleSnapshotSchema>;

const FieldChangeSchema = Type.Object(
  {
    field: Type.String({ examples: ['title'] }),
    from: Type.Unknown({ description: 'The value before (null on the first revision)' }),
    to: Type.Unknown({ description: 'The value after' }),
  },
  { additionalProperties: false },
);
export type FieldChange = Static<typeof FieldChangeSchema>;

export const RevisionSchema = Type.Object(
  {
    number: Type.Integer({ minimum: 1, description: 'Creation is 1; each change adds one' }),
    createdAt: Timestamp('When the change was made'),
    keyName: Type.String({ description: 'The API key that made it (the same as `by.keyName`)' }),
    by: Type.Object(
      {
        keyId: Nullable(
          Type.Integer({
            description: 'null for the admin key, imports and revisions made before keys were recorded',
          }),
        ),
        keyName: Type.String(),
        author: Nullable(EmbeddedRefSchema),
      },
      {
        additionalProperties: false,
        description: 'Who made the change: the API key, and the author it acts for',
      },
    ),
    snapshot: RefOf(ArticleSnapshotSchema),
    changes: Type.Array(FieldChangeSchema, {
      description: 'Against the previous revision; empty for the first',
    }),
  },
  { $id: 'Revision', title: 'Revision', additionalProperties: false },
);
export type Revision = Static<typeof RevisionSchema>;

export const revisionComponents = [ArticleSnapshotSchema, RevisionSchema];
