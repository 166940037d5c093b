import { Type } from 'typebox';
import { Nullable, Timestamp } from '../../http/schemas.js';

export const PREVIEW_TTL_DEFAULT_SECONDS = 86_400;
export const PREVIEW_TTL_MAX_SECONDS = 7 * 86_400;

const TOKEN_EXAMPLE = 'bsp_Jm1u8w0Q3fY2c9X4a7Lk5N2p8R6t1V0b3Z9y4E7h2D5';

export const PreviewCreateSchema = Type.Object(
  {
    ttlSeconds: Type.Optional(
      Type.Integer({
        minimum: 60,
        maximum: PREVIEW_TTL_MAX_SECONDS,
        default: PREVIEW_TTL_DEFAULT_SECONDS,
        description: 'How long the link works: a day unless given, a week at most',
      }),
    ),
  },
  {
    $id: 'PreviewCreate',
    title: 'PreviewCreate',
    additionalProperties: false,
    examples: [{ ttlSeconds: 3600 }],
  },
);

export const PreviewSchema = Type.Object(
  {
    token: Type.Optional(
      Type.String({
        description:
          'A bearer token that reads this article, drafts included, until `expiresAt`: `Authorization: Bearer <token>` on `GET /v1/articles/{id or slug}`, nothing else. Shown in this response only (only its SHA-256 is stored); absent from an idempotent replay.',
        examples: [TOKEN_EXAMPLE],
      }),
    ),
    url: Nullable(
      Type.String({
        format: 'uri',
        description:
          'The front end’s preview page for it (PREVIEW_URL_TEMPLATE); null without SITE_URL. Holds the token: absent from an idempotent replay too.',
      }),
    ),
    expiresAt: Timestamp('When the token stops working (401 after)'),
  },
  {
    $id: 'Preview',
    title: 'Preview',
    additionalProperties: false,
    examples: [
      {
        token: TOKEN_EXAMPLE,
        url: `https://news.example.com/preview/12?token=${TOKEN_EXAMPLE}`,
        expiresAt: '2026-11-27T08:00:00.000Z',
      },
    ],
  },
);

/** Registered with app.addSchema(): components of the OpenAPI document. */
export const previewComponents = [PreviewCreateSchema, PreviewSchema];
