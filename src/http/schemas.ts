import { type Static, type TSchema, Type } from 'typebox';
import { SLUG_MAX_LENGTH, SLUG_PATTERN } from '../lib/slug.js';

/**
 * A `$ref` to a shared schema that keeps its static type. A plain Type.Ref would type the
 * reply as unknown and switch off response type checking.
 */
export const RefOf = <T extends TSchema>(schema: T) =>
  Type.Unsafe<Static<T>>(Type.Ref((schema as unknown as { $id: string }).$id));

export const ProblemSchema = Type.Object(
  {
    type: Type.String({
      description: 'URI naming the kind of problem',
      examples: ['https://broadsheet.dev/problems/not-found'],
    }),
    title: Type.String({ description: 'Short summary of the kind of problem' }),
    status: Type.Integer({ minimum: 400, maximum: 599 }),
    detail: Type.String({ description: 'What went wrong with this request, for a person' }),
    instance: Type.Optional(Type.String({ description: 'The request path' })),
    errors: Type.Optional(
      Type.Array(
        Type.Object(
          {
            path: Type.String({
              description: 'JSON pointer into the request: /body/title, /querystring/page',
            }),
            message: Type.String(),
          },
          { additionalProperties: false },
        ),
        { description: 'One entry per invalid field, on validation problems' },
      ),
    ),
  },
  {
    $id: 'Problem',
    title: 'Problem',
    description: 'RFC 9457 problem details; some problems add members (e.g. `holder` on a slug conflict).',
    additionalProperties: true,
  },
);
export type Problem = Static<typeof ProblemSchema>;

export const SlugSchema = Type.String({
  pattern: SLUG_PATTERN,
  minLength: 1,
  maxLength: SLUG_MAX_LENGTH,
  description: 'Lower-case a-z, 0-9 and single hyphens; never all digits',
  examples: ['breaking-news'],
});

export const IdOrSlugParams = Type.Object(
  {
    idOrSlug: Type.String({
      minLength: 1,
      maxLength: SLUG_MAX_LENGTH,
      pattern: '^[a-z0-9-]+$',
      description: 'Digits address a numeric id, anything else a slug',
      examples: ['1', 'breaking-news'],
    }),
  },
  { additionalProperties: false },
);

export const IdParams = Type.Object(
  { id: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER, description: 'Numeric id' }) },
  { additionalProperties: false },
);

/** A date (whole UTC day) or a date-time with offset, as list filters take them. */
export const DATE_OR_DATE_TIME_PATTERN =
  '^\\d{4}-\\d{2}-\\d{2}(T\\d{2}:\\d{2}(:\\d{2}(\\.\\d{1,9})?)?(Z|[+-]\\d{2}:\\d{2}))?$';

/** A Markdown file with front matter starts with its `---` fence. */
export const FRONT_MATTER_PATTERN = '^---[ \\t]*\\r?\\n';

/** An email address as the server accepts it: no spaces, one @, a dot in the domain. */
export const EMAIL_PATTERN = '^[^\\s@]+@[^\\s@.]+(\\.[^\\s@.]+)+$';

export const Timestamp = (description: string) => Type.String({ format: 'date-time', description });

export const Nullable = <T extends TSchema>(schema: T, options?: { description: string }) =>
  Type.Union([schema, Type.Null()], options);

/** Reference to a section or tag as embedded in other resources. */
export const EmbeddedRefSchema = Type.Object(
  { id: Type.Integer(), slug: Type.String(), name: Type.String() },
  { additionalProperties: false },
);

/** Error responses common to routes that read input; each route adds its own. */
export const errorResponses = <Codes extends number>(...codes: Codes[]) =>
  Object.fromEntries(codes.map((code) => [code, RefOf(ProblemSchema)])) as Record<
    Codes,
    ReturnType<typeof RefOf<typeof ProblemSchema>>
  >;

/** Schemas registered once with app.addSchema() and referenced by `$ref` everywhere. */
export const sharedSchemas: TSchema[] = [ProblemSchema];

/** Every GET of the API answers conditional requests (see http/caching.ts). */
export const notModified = {
  304: Type.Null({ description: 'Not Modified: the ETag or date sent is still current; no body' }),
};

/** A resource's page on the front end; present only when SITE_URL is configured. */
export const CanonicalUrl = (template: string) =>
  Type.Optional(
    Type.String({
      format: 'uri',
      description: `Where the front end shows it (${template}); present only when SITE_URL is set`,
      examples: ['https://news.example.com/breaking-news/example'],
    }),
  );
