import { type Static, Type } from 'typebox';
import { pageQuery } from '../../http/pagination.js';
import { Nullable, Timestamp } from '../../http/schemas.js';

const alt = Type.String({
  maxLength: 1000,
  description: 'What the image shows, for people who cannot see it (empty for a decorative image)',
});
const caption = Type.String({ maxLength: 2000, description: 'Shown under the image' });
const credit = Type.String({
  maxLength: 300,
  description: 'Who took or owns it',
  examples: ['Photo: Ada Reporter'],
});
const unit = (description: string) => Type.Number({ minimum: 0, maximum: 1, description });

const FocalPointSchema = Type.Object(
  {
    x: unit('0 is the left edge, 1 the right'),
    y: unit('0 is the top edge, 1 the bottom'),
  },
  { additionalProperties: false, description: 'Where crops centre; the middle unless set' },
);

const url = (description: string) =>
  Type.String({ description, examples: ['/media/1/Zq0x3n5iVb8m2QfA/w640.webp'] });

export const MediaSchema = Type.Object(
  {
    id: Type.Integer({ examples: [1] }),
    filename: Type.String({ examples: ['harbour.jpg'] }),
    mimeType: Type.String({ description: 'Sniffed from the bytes', examples: ['image/jpeg'] }),
    bytes: Type.Integer({ minimum: 0, description: 'Size of the upload' }),
    width: Type.Integer({ minimum: 1, description: 'As displayed (EXIF orientation applied)' }),
    height: Type.Integer({ minimum: 1 }),
    alt: Type.String(),
    caption: Nullable(Type.String()),
    credit: Nullable(Type.String()),
    focalPoint: FocalPointSchema,
    placeholder: Type.String({ description: 'A ThumbHash (base64) to show while the image loads' }),
    url: url('The image at full size, re-encoded without metadata (no GPS, no camera details)'),
    renditions: Type.Array(
      Type.Object(
        {
          width: Type.Integer(),
          height: Type.Integer(),
          format: Type.Enum(['webp', 'avif', 'jpg']),
          url: url('Cached for a year: it changes when the image or its focal point does'),
        },
        { additionalProperties: false },
      ),
      { description: 'Every MEDIA_WIDTHS width up to the original’s, in WebP, AVIF and JPEG' },
    ),
    crops: Type.Array(
      Type.Object(
        {
          aspect: Type.String({ examples: ['16:9'] }),
          width: Type.Integer(),
          height: Type.Integer(),
          url: url('A JPEG of the largest region of this aspect, centred on the focal point'),
        },
        { additionalProperties: false },
      ),
      { description: 'For each MEDIA_CROPS aspect, at every MEDIA_WIDTHS width the region allows' },
    ),
    createdAt: Timestamp('When it was uploaded'),
    updatedAt: Timestamp('When its details last changed'),
  },
  { $id: 'Media', title: 'Media', additionalProperties: false },
);
export type Media = Static<typeof MediaSchema>;

/** The fields a multipart upload may carry beside its `file`. */
export const MediaFieldsSchema = Type.Object(
  {
    alt: Type.Optional(alt),
    caption: Type.Optional(caption),
    credit: Type.Optional(credit),
  },
  { additionalProperties: false },
);
export type MediaFields = Static<typeof MediaFieldsSchema>;

/** The upload as OpenAPI shows it (multipart or the image as the body); parsed by the route. */
export const MediaUploadSchema = Type.Object(
  {
    file: Type.String({ format: 'binary', description: 'The image: JPEG, PNG, WebP, AVIF, GIF or TIFF' }),
    alt: Type.Optional(alt),
    caption: Type.Optional(caption),
    credit: Type.Optional(credit),
  },
  { title: 'MediaUpload', required: ['file'] },
);

export const MediaPatchSchema = Type.Object(
  {
    alt: Type.Optional(alt),
    caption: Type.Optional(Nullable(caption)),
    credit: Type.Optional(Nullable(credit)),
    focalPoint: Type.Optional(FocalPointSchema),
  },
  {
    $id: 'MediaPatch',
    title: 'MediaPatch',
    additionalProperties: false,
    description: 'Merge patch: absent fields stay, null clears. A new focal point makes new crop URLs.',
    examples: [{ alt: 'Fishing boats at the harbour wall', focalPoint: { x: 0.3, y: 0.6 } }],
  },
);
export type MediaPatch = Static<typeof MediaPatchSchema>;

export const MediaListQuery = Type.Object({ ...pageQuery }, { additionalProperties: false });

export const MediaParams = Type.Object(
  { id: Type.Integer({ minimum: 1, maximum: 2_147_483_647 }) },
  { additionalProperties: false },
);

export const RenditionParams = Type.Object(
  {
    id: Type.Integer({ minimum: 1, maximum: 2_147_483_647 }),
    fingerprint: Type.String({ pattern: '^[A-Za-z0-9_-]{16}$' }),
    variant: Type.String({
      pattern: '^(original|w\\d{2,5}|\\d{1,2}x\\d{1,2}-w\\d{2,5})\\.[a-z]{3,4}$',
      description: '`w640.webp`, `16x9-w1280.jpg`, `original.jpg`: as the media’s `url`s name them',
    }),
  },
  { additionalProperties: false },
);

/** Registered with app.addSchema(): components of the OpenAPI document. */
export const mediaComponents = [MediaSchema, MediaPatchSchema];
