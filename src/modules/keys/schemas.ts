import { type Static, Type } from 'typebox';
import { pageQuery } from '../../http/pagination.js';
import { EmbeddedRefSchema, Nullable, Timestamp } from '../../http/schemas.js';
import { API_SCOPES } from './repository.js';

const ScopeSchema = Type.Enum([...API_SCOPES], {
  description:
    '`content:public` is a delivery key for server-rendered front ends: it sees exactly what the public sees (and shares its cached responses) at the keyed rate limit; `content:read` sees unpublished content; `content:write` creates and edits (and reads); `comments:moderate` runs the comment queue; `webhooks:manage` manages webhook endpoints; `admin` does everything, keys included',
});

const keyProperties = {
  id: Type.Integer({ examples: [2] }),
  name: Type.String({ examples: ['newsletter importer'] }),
  prefix: Type.String({
    description: 'The start of the key, to tell keys apart',
    examples: ['bsk_q3F1aZ0x'],
  }),
  scopes: Type.Array(ScopeSchema),
  author: Nullable(
    Type.Object(EmbeddedRefSchema.properties, {
      additionalProperties: false,
      description:
        'The author the key writes as: articles it creates without `authors` carry this byline, and revisions name them',
    }),
  ),
  createdAt: Timestamp('When the key was made'),
  lastUsedAt: Nullable(Timestamp('Last use, to the minute')),
};

const keyExample = {
  id: 2,
  name: 'newsletter importer',
  prefix: 'bsk_q3F1aZ0x',
  scopes: ['content:read'],
  author: null,
  createdAt: '2026-11-26T08:00:00.000Z',
  lastUsedAt: null,
};

export const ApiKeySchema = Type.Object(keyProperties, {
  $id: 'ApiKey',
  title: 'ApiKey',
  additionalProperties: false,
  examples: [keyExample],
});

export const NewApiKeySchema = Type.Object(
  {
    ...keyProperties,
    key: Type.Optional(
      Type.String({
        description:
          'The secret. Shown in this response only: store it now. Absent from an idempotent replay (`Idempotent-Replayed: true`): the secret is never stored.',
        examples: ['bsk_q3F1aZ0xw0T3Yq0m4jvQm4b1X8c8a3Y2T8yq3m8z1Q0'],
      }),
    ),
  },
  {
    $id: 'NewApiKey',
    title: 'NewApiKey',
    additionalProperties: false,
    examples: [{ ...keyExample, key: 'bsk_q3F1aZ0xw0T3Yq0m4jvQm4b1X8c8a3Y2T8yq3m8z1Q0' }],
  },
);

export const ApiKeyCreateSchema = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100, description: 'Who or what uses the key' }),
    scopes: Type.Array(ScopeSchema, { minItems: 1, maxItems: API_SCOPES.length, uniqueItems: true }),
    author: Type.Optional(
      Type.String({
        pattern: '^[a-z0-9-]+$',
        maxLength: 120,
        description: 'The author (id or slug) the key writes as; it must exist (422 otherwise)',
      }),
    ),
  },
  {
    $id: 'ApiKeyCreate',
    title: 'ApiKeyCreate',
    additionalProperties: false,
    examples: [{ name: 'newsletter importer', scopes: ['content:read'] }],
  },
);
export type ApiKeyCreate = Static<typeof ApiKeyCreateSchema>;

export const KeyListQuery = Type.Object({ ...pageQuery }, { additionalProperties: false });

/** Registered with app.addSchema(): components of the OpenAPI document. */
export const keyComponents = [ApiKeySchema, NewApiKeySchema, ApiKeyCreateSchema];
