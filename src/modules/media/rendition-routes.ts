import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { publicAccess } from '../../http/auth.js';
import { surrogateKeys } from '../../http/caching.js';
import { errorResponses } from '../../http/schemas.js';
import { cacheKeys } from '../../lib/cache-keys.js';
import { DomainError } from '../../lib/errors.js';
import type { RouteOptions } from '../services.js';
import { render } from './images.js';
import { RenditionParams } from './schemas.js';
import { fingerprintOf, renderingOf } from './variants.js';

const gone = () =>
  new DomainError(
    'not-found',
    'no-such-rendition',
    'No such image or rendition: rendition URLs change when the image or its focal point does (read the media again), and only the listed widths and crops exist',
  );

/**
 * The images' public bytes, at URLs that never change meaning: generated on first request
 * (sharp, off the event loop; one generation however many ask), kept on this node's disk, and
 * cached by browsers and CDNs for a year.
 */
export const renditionRoutes: FastifyPluginAsyncTypebox<RouteOptions> = async (app, { services }) => {
  const { media, mediaSettings: settings, renditions } = services;
  app.get(
    '/media/:id/:fingerprint/:variant',
    {
      schema: {
        operationId: 'getRendition',
        summary: 'An image file',
        description:
          'A rendition (`w640.webp`, `.avif`, `.jpg`), a crop (`16x9-w1280.jpg`) or the full-size image (`original.<ext>`), as the media’s URLs name them; any other width or aspect is a 404. Re-encoded without metadata: no GPS, camera or owner details. `Cache-Control: public, max-age=31536000, immutable`, a strong ETag and `Surrogate-Key: media-<id>`. Public.',
        tags: ['Media'],
        security: publicAccess(),
        params: RenditionParams,
        response: {
          200: {
            description: 'The image',
            content: Object.fromEntries(
              ['image/webp', 'image/avif', 'image/jpeg', 'image/png', 'image/gif'].map((type) => [
                type,
                { schema: Type.String({ format: 'binary' }) },
              ]),
            ),
          },
          304: Type.Null({ description: 'Not modified: the ETag still matches' }),
          ...errorResponses(400, 401, 404, 429),
        },
      },
    },
    async (request, reply) => {
      const { id, fingerprint, variant } = request.params;
      const record = await media.find(id);
      if (!record || fingerprintOf(record) !== fingerprint) throw gone();
      const rendering = renderingOf(record, settings, variant);
      if (!rendering) throw gone();
      const etag = `"${fingerprint}.${variant}"`;
      reply
        .header('cache-control', 'public, max-age=31536000, immutable')
        .header('etag', etag)
        .header('x-content-type-options', 'nosniff');
      surrogateKeys(reply, [cacheKeys.media(id)]);
      if (request.headers['if-none-match'] === etag) return reply.code(304).send(null);
      // Crops depend on the focal point; the rest on the image alone: named by what they are made of.
      const name = `${record.contentHash}-${rendering.region ? fingerprint : 'image'}-${variant}`;
      const bytes = await renditions.get(name, async () => {
        const original = await media.original(id);
        if (!original) throw gone();
        return render(original, rendering, settings.maxPixels);
      });
      // Bytes, where the schema's binary string only documents them.
      return reply.type(rendering.mimeType).send(bytes as never);
    },
  );
};
