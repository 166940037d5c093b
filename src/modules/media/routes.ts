import { basename } from 'node:path';
import multipart from '@fastify/multipart';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { Compile } from 'typebox/compile';
import { requireScope } from '../../http/auth.js';
import { DEFAULT_PER_PAGE, ListEnvelope, pageOf } from '../../http/pagination.js';
import { errorResponses, IdParams, notModified, RefOf } from '../../http/schemas.js';
import { DomainError } from '../../lib/errors.js';
import type { RouteOptions } from '../services.js';
import { inspect } from './images.js';
import { presentMedia } from './present.js';
import {
  type MediaFields,
  MediaFieldsSchema,
  MediaListQuery,
  MediaPatchSchema,
  MediaSchema,
  MediaUploadSchema,
} from './schemas.js';

const tags = ['Media'];
const UPLOAD_TYPES = [
  'image/jpeg',
  'image/png',
  'image/webp',
  'image/avif',
  'image/gif',
  'image/tiff',
  'image/heic',
  'image/heif',
];
const checkFields = Compile(MediaFieldsSchema);

/** An upload's name as a download may use it: no path, no control characters, not too long. */
const cleanFilename = (name: string | undefined, extension: string) => {
  const cleaned = basename(String(name ?? '').replace(/\\/g, '/'))
    .replace(/[\p{Cc}"<>|*?:]/gu, '')
    .trim()
    .slice(-200);
  return cleaned || `image.${extension}`;
};

const tooLarge = (maxBytes: number) =>
  new DomainError(
    'payload-too-large',
    'file-too-large',
    `The file is larger than ${maxBytes} bytes (MEDIA_MAX_BYTES)`,
  );

/** The file and fields of an upload: multipart/form-data, or the image itself as the body. */
async function readUpload(request: FastifyRequest, maxBytes: number) {
  if (!request.isMultipart()) {
    // JSON and bodiless requests reach here too (their parsers are the app's): not an upload.
    if (!Buffer.isBuffer(request.body) || request.body.length === 0) {
      throw new DomainError(
        'unsupported-media-type',
        'not-an-upload',
        'Send multipart/form-data with the image in a `file` part, or the image itself as the body with its image Content-Type',
      );
    }
    return { data: request.body, filename: undefined, fields: {} as MediaFields };
  }
  let file: { data: Buffer; filename: string } | undefined;
  const fields: Record<string, string> = {};
  try {
    for await (const part of request.parts({
      // A field holds up to 2,000 characters (a caption), 4 bytes each at most.
      limits: { fileSize: maxBytes, files: 1, fields: 10, fieldSize: 8192 },
    })) {
      if (part.type === 'file') {
        if (part.fieldname !== 'file' || file)
          throw new DomainError('bad-request', 'unexpected-file', 'Send one file, in the part named `file`');
        file = { data: await part.toBuffer(), filename: part.filename };
      } else fields[part.fieldname] = String(part.value);
    }
  } catch (error) {
    if ((error as { code?: string }).code === 'FST_REQ_FILE_TOO_LARGE') throw tooLarge(maxBytes);
    throw error;
  }
  if (!file)
    throw new DomainError(
      'bad-request',
      'no-file',
      'The form has no `file` part: send the image in a part named `file`',
    );
  if (!checkFields.Check(fields)) {
    const first = [...checkFields.Errors(fields)][0];
    throw new DomainError(
      'bad-request',
      'invalid-field',
      `${first?.instancePath || 'The form'} ${first?.message ?? 'is not valid'}`,
    );
  }
  return { data: file.data, filename: file.filename, fields: fields as MediaFields };
}

/** The media library: uploads, their details and focal points. Renditions are served by rendition-routes. */
export const mediaRoutes: FastifyPluginAsyncTypebox<RouteOptions> = async (app, { services }) => {
  const { media, mediaSettings: settings, links } = services;
  const present = (record: Parameters<typeof presentMedia>[0]) => presentMedia(record, settings, links);
  await app.register(multipart);
  // An image as the body, as it is: read whole (up to MEDIA_MAX_BYTES), sniffed afterwards.
  app.addContentTypeParser(
    UPLOAD_TYPES,
    { parseAs: 'buffer', bodyLimit: settings.maxBytes },
    (_request, body, done) => done(null, body),
  );

  app.post(
    '/media',
    {
      bodyLimit: settings.maxBytes + 65_536,
      // The body schemas document the upload; the file is checked by what its bytes are.
      attachValidation: true,
      schema: {
        operationId: 'uploadMedia',
        summary: 'Upload an image',
        description:
          'Needs `content:write`. `multipart/form-data` with a `file` part (and `alt`, `caption`, `credit`), or the image itself as the body with its image type. The type is sniffed from the bytes: JPEG, PNG, WebP, AVIF, GIF and TIFF are accepted (HEIC when it decodes); SVG is refused (script), as is anything else (415). Larger than `MEDIA_MAX_BYTES` is 413, as is a header claiming more than `MEDIA_MAX_PIXELS`; a damaged image is 422. Nothing personal is served: GPS, camera and owner EXIF never leave in a public byte.',
        tags,
        security: requireScope('content:write'),
        body: {
          content: {
            'multipart/form-data': { schema: MediaUploadSchema },
            ...Object.fromEntries(
              UPLOAD_TYPES.map((type) => [type, { schema: Type.String({ format: 'binary' }) }]),
            ),
          },
        },
        response: { 201: RefOf(MediaSchema), ...errorResponses(400, 401, 403, 413, 415, 422, 429) },
      },
    },
    async (request, reply) => {
      const upload = await readUpload(request, settings.maxBytes);
      if (upload.data.length > settings.maxBytes) throw tooLarge(settings.maxBytes);
      const image = await inspect(upload.data, settings.maxPixels);
      const created = await media.create(
        {
          ...upload.fields,
          data: upload.data,
          image,
          filename: cleanFilename(upload.filename, image.extension),
        },
        request.instant,
      );
      reply.code(201).header('location', `/v1/media/${created.id}`);
      return present(created);
    },
  );

  app.get(
    '/media',
    {
      config: { cache: 'private' },
      schema: {
        operationId: 'listMedia',
        summary: 'List images',
        description: 'Needs `content:read`. Newest first.',
        tags,
        security: requireScope('content:read'),
        querystring: MediaListQuery,
        response: {
          ...notModified,
          200: ListEnvelope(RefOf(MediaSchema), 'MediaList'),
          ...errorResponses(400, 401, 403, 429),
        },
      },
    },
    async (request, reply) => {
      const { page = 1, perPage = DEFAULT_PER_PAGE } = request.query;
      const { items, total } = await media.list(page, perPage);
      return pageOf(request, reply, { items: items.map(present), total, page, perPage });
    },
  );

  app.get(
    '/media/:id',
    {
      config: { cache: 'private' },
      schema: {
        operationId: 'getMedia',
        summary: 'Get an image',
        description: 'Needs `content:read`. Its details, and the URL of every rendition and crop.',
        tags,
        security: requireScope('content:read'),
        params: IdParams,
        response: { ...notModified, 200: RefOf(MediaSchema), ...errorResponses(400, 401, 403, 404, 429) },
      },
    },
    async (request) => present(await media.get(request.params.id)),
  );

  app.patch(
    '/media/:id',
    {
      schema: {
        operationId: 'updateMedia',
        summary: 'Update an image’s details',
        description:
          'Needs `content:write`. `alt`, `caption`, `credit` and `focalPoint`; a new focal point gives the crops new URLs.',
        tags,
        security: requireScope('content:write'),
        params: IdParams,
        body: RefOf(MediaPatchSchema),
        response: { 200: RefOf(MediaSchema), ...errorResponses(400, 401, 403, 404, 413, 415, 429) },
      },
    },
    async (request) => present(await media.update(request.params.id, request.body, request.instant)),
  );

  app.delete(
    '/media/:id',
    {
      schema: {
        operationId: 'deleteMedia',
        summary: 'Delete an image',
        description:
          'Needs `content:write`. Its renditions stop being served at once. An image that is an article’s featured image is a 409 naming the articles (trashed ones included).',
        tags,
        security: requireScope('content:write'),
        params: IdParams,
        response: {
          204: Type.Null({ description: 'Deleted' }),
          ...errorResponses(400, 401, 403, 404, 409, 429),
        },
      },
    },
    async (request, reply) => {
      await media.delete(request.params.id, request.instant);
      return reply.code(204).send(null);
    },
  );
};
