import { Type } from 'typebox';
import { IdOrSlugParams } from '../../http/schemas.js';

// What the article route groups (routes.ts, write-routes.ts, revision-routes.ts) document alike.

export const tags = ['Articles'];
export const hiddenNote =
  'Drafts, scheduled and archived articles need `content:read`; to others they are a 404.';
export const ifMatchNote =
  'Send `If-Match` with the ETag you read to refuse the write (412) if someone changed the article since.';

export const RevisionParams = Type.Object(
  {
    ...IdOrSlugParams.properties,
    number: Type.Integer({
      minimum: 1,
      maximum: 1_000_000,
      description: 'Revision number, from 1 (creation)',
    }),
  },
  { additionalProperties: false },
);
