import { type Static, Type } from 'typebox';
import { CORRECTION_KINDS } from '../../db/schema-newsroom.js';
import { IdOrSlugParams, Nullable, Timestamp } from '../../http/schemas.js';

export const CORRECTION_TEXT_MAX_LENGTH = 2000;

const KindSchema = Type.Enum([...CORRECTION_KINDS], {
  description:
    '`correction`: something was wrong; `clarification`: something was unclear; `update`: something changed since',
});

const correctionProperties = {
  id: Type.Integer({ examples: [3] }),
  kind: KindSchema,
  text: Type.String({
    description: 'Markdown, as written',
    examples: ['An earlier version misnamed the harbour master.'],
  }),
  textHtml: Type.String({
    description: 'The text rendered, as bodies are (raw HTML escaped)',
    examples: ['<p>An earlier version misnamed the harbour master.</p>\n'],
  }),
  at: Timestamp('When it was appended'),
};

const correctionExample = {
  id: 3,
  kind: 'correction',
  text: 'An earlier version misnamed the harbour master.',
  textHtml: '<p>An earlier version misnamed the harbour master.</p>\n',
  at: '2026-11-26T09:30:00.000Z',
};

export const CorrectionSchema = Type.Object(correctionProperties, {
  $id: 'Correction',
  title: 'Correction',
  description: 'A notice on an article: appended, never edited',
  additionalProperties: false,
  examples: [correctionExample],
});
export type Correction = Static<typeof CorrectionSchema>;

export const CorrectionLogEntrySchema = Type.Object(
  {
    ...correctionProperties,
    by: Type.String({ description: 'The key that appended it', examples: ['desk'] }),
    removedAt: Nullable(Timestamp('When an admin removed it (null while it stands)')),
    removedBy: Nullable(Type.String({ description: 'The key that removed it' })),
    removalReason: Nullable(Type.String()),
  },
  {
    $id: 'CorrectionLogEntry',
    title: 'CorrectionLogEntry',
    description: 'A notice as the newsroom sees it: who appended it, and whether it was removed',
    additionalProperties: false,
    examples: [{ ...correctionExample, by: 'desk', removedAt: null, removedBy: null, removalReason: null }],
  },
);
export type CorrectionLogEntry = Static<typeof CorrectionLogEntrySchema>;

export const CorrectionCreateSchema = Type.Object(
  {
    kind: KindSchema,
    text: Type.String({ minLength: 1, maxLength: CORRECTION_TEXT_MAX_LENGTH, description: 'Markdown' }),
  },
  {
    $id: 'CorrectionCreate',
    title: 'CorrectionCreate',
    additionalProperties: false,
    examples: [{ kind: 'correction', text: 'An earlier version misnamed the harbour master.' }],
  },
);
export type CorrectionCreate = Static<typeof CorrectionCreateSchema>;

export const CorrectionRemovalQuery = Type.Object(
  {
    reason: Type.Optional(Type.String({ minLength: 1, maxLength: 500, description: 'Why, for the record' })),
  },
  { additionalProperties: false },
);

export const CorrectionParams = Type.Object(
  {
    ...IdOrSlugParams.properties,
    correctionId: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER }),
  },
  { additionalProperties: false },
);

/** Registered with app.addSchema(): components of the OpenAPI document. */
export const correctionComponents = [CorrectionSchema, CorrectionLogEntrySchema, CorrectionCreateSchema];
