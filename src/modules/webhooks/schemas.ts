import { type Static, Type } from 'typebox';
import { Nullable, Timestamp } from '../../http/schemas.js';
import { EVENT_TYPES } from '../events/repository.js';

const RESOURCES = ['article', 'section', 'tag', 'comment'];
/** What `events` may name: a type, every type of a resource (`article.*`), or everything (`*`). */
export const EVENT_PATTERNS = [...EVENT_TYPES, ...RESOURCES.map((resource) => `${resource}.*`), '*'];

const EventPattern = Type.Enum(EVENT_PATTERNS, {
  description: 'An event type, `<resource>.*` for all of a resource’s, or `*` for every change',
});
const events = Type.Array(EventPattern, { minItems: 1, maxItems: 40, uniqueItems: true });
const url = Type.String({
  format: 'uri',
  maxLength: 2048,
  description:
    'http(s) only; addresses that resolve to loopback, private, link-local or metadata ranges are refused (422) unless WEBHOOK_ALLOW_PRIVATE',
  examples: ['https://hooks.example.com/broadsheet'],
});
const description = Type.String({ maxLength: 500 });

const webhookProperties = {
  id: Type.Integer({ examples: [1] }),
  url: Type.String(),
  events: Type.Array(Type.String(), { examples: [['article.*', 'comment.approved']] }),
  description: Nullable(Type.String()),
  active: Type.Boolean({ description: 'Inactive endpoints receive nothing (see `disabledReason`)' }),
  disabledReason: Nullable(
    Type.String({
      description: 'Why Broadsheet disabled it (410 Gone, retries spent); null when it did not',
    }),
  ),
  createdAt: Timestamp('When the endpoint was added'),
  updatedAt: Timestamp('When it last changed'),
};

export const WebhookSchema = Type.Object(webhookProperties, {
  $id: 'Webhook',
  title: 'Webhook',
  additionalProperties: false,
});
export type Webhook = Static<typeof WebhookSchema>;

export const WebhookWithSecretSchema = Type.Object(
  {
    ...webhookProperties,
    secret: Type.Optional(
      Type.String({
        description:
          'The signing secret (`whsec_` + base64): shown only now, store it. Absent from an idempotent replay (`Idempotent-Replayed: true`): the secret is never stored; rotate it with `PATCH {"rotateSecret": true}`.',
        examples: ['whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'],
      }),
    ),
  },
  { $id: 'WebhookWithSecret', title: 'WebhookWithSecret', additionalProperties: false },
);

export const WebhookCreateSchema = Type.Object(
  { url, events, description: Type.Optional(Nullable(description)) },
  {
    $id: 'WebhookCreate',
    title: 'WebhookCreate',
    additionalProperties: false,
    examples: [
      { url: 'https://hooks.example.com/broadsheet', events: ['article.*'], description: 'Rebuild' },
    ],
  },
);
export type WebhookCreate = Static<typeof WebhookCreateSchema>;

export const WebhookPatchSchema = Type.Object(
  {
    url: Type.Optional(url),
    events: Type.Optional(events),
    description: Type.Optional(Nullable(description)),
    active: Type.Optional(Type.Boolean({ description: '`true` enables a disabled endpoint again' })),
    rotateSecret: Type.Optional(
      Type.Literal(true, { description: 'Issue a new signing secret (returned once in the response)' }),
    ),
  },
  { $id: 'WebhookPatch', title: 'WebhookPatch', additionalProperties: false },
);
export type WebhookPatch = Omit<Static<typeof WebhookPatchSchema>, 'rotateSecret'>;

export const WebhookAttemptSchema = Type.Object(
  {
    id: Type.Integer(),
    eventId: Type.String({ description: 'The `webhook-id` the endpoint received', examples: ['msg_2ZqKx…'] }),
    eventType: Type.String({ examples: ['article.published'] }),
    attempt: Type.Integer({ minimum: 1 }),
    responseStatus: Nullable(Type.Integer({ description: 'null when no answer came' })),
    durationMs: Type.Integer({ minimum: 0 }),
    error: Nullable(Type.String()),
    at: Timestamp('When it was sent'),
    nextAttemptAt: Nullable(Timestamp('When it will be tried again; null when it will not')),
  },
  { $id: 'WebhookAttempt', title: 'WebhookAttempt', additionalProperties: false },
);
export type WebhookAttempt = Static<typeof WebhookAttemptSchema>;

export const webhookComponents = [
  WebhookSchema,
  WebhookWithSecretSchema,
  WebhookCreateSchema,
  WebhookPatchSchema,
  WebhookAttemptSchema,
];
