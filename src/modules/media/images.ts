import sharp, { type Metadata } from 'sharp';
import { rgbaToThumbHash } from 'thumbhash';
import { DomainError } from '../../lib/errors.js';

// What Broadsheet does with image bytes, through sharp (libvips: its work runs on libuv's
// threads, off the event loop). Every byte it writes is re-encoded, and sharp writes no
// metadata unless asked: no GPS, camera serial or owner ever leaves in a public byte.

/** The formats an upload may be, by what sharp reads in its bytes (never the declared type). */
const ACCEPTED: Record<string, { mimeType: string; extension: string }> = {
  jpeg: { mimeType: 'image/jpeg', extension: 'jpg' },
  png: { mimeType: 'image/png', extension: 'png' },
  webp: { mimeType: 'image/webp', extension: 'webp' },
  avif: { mimeType: 'image/avif', extension: 'avif' },
  gif: { mimeType: 'image/gif', extension: 'gif' },
  tiff: { mimeType: 'image/tiff', extension: 'tif' },
  heif: { mimeType: 'image/heif', extension: 'heic' },
};

/** What rendition formats are served in, by URL extension. */
export const RENDITION_FORMATS = { webp: 'image/webp', avif: 'image/avif', jpg: 'image/jpeg' } as const;
export type RenditionFormat = keyof typeof RENDITION_FORMATS;

export interface Inspected {
  mimeType: string;
  /** The original's own extension: what its stripped copy is served as. */
  extension: string;
  /** As displayed: EXIF orientation applied. */
  width: number;
  height: number;
  placeholder: string;
}

const unsupported = (code: string, detail: string) => new DomainError('unsupported-media-type', code, detail);

async function headerOf(data: Buffer): Promise<Metadata> {
  try {
    return await sharp(data, { limitInputPixels: false }).metadata();
  } catch {
    throw unsupported(
      'not-an-image',
      'The file is not an image this server reads: send JPEG, PNG, WebP, AVIF, GIF or TIFF',
    );
  }
}

/**
 * Reads an upload: its real format (sniffed), its size as displayed, and a ThumbHash, which
 * decodes every pixel once, so a truncated or corrupt image is refused here (422), never later.
 * A header claiming more than `maxPixels` is refused before anything is decoded.
 */
export async function inspect(data: Buffer, maxPixels: number): Promise<Inspected> {
  const header = await headerOf(data);
  const format = header.format ?? '';
  if (format === 'svg') {
    throw unsupported('svg-refused', 'SVG is not accepted: it can carry script. Send a PNG or WebP of it');
  }
  const accepted = ACCEPTED[format];
  if (!accepted) throw unsupported('unsupported-image', `${format.toUpperCase()} images are not accepted`);
  const width = header.width ?? 0;
  const height = header.height ?? 0;
  if (width * height > maxPixels) {
    throw new DomainError(
      'payload-too-large',
      'too-many-pixels',
      `The image claims ${width} × ${height} pixels; at most ${maxPixels.toLocaleString('en')} are accepted (MEDIA_MAX_PIXELS)`,
    );
  }
  let placeholder: string;
  try {
    placeholder = await thumbHashOf(data, maxPixels);
  } catch (error) {
    if (format === 'heif') {
      throw unsupported(
        'heic-not-decodable',
        `This HEIC/HEIF image cannot be decoded here (${(error as Error).message}): iPhone photos use HEVC, which this server's image library lacks. Export it as JPEG`,
      );
    }
    throw new DomainError(
      'unprocessable',
      'image-unreadable',
      `The image is damaged or cut short and cannot be decoded: ${(error as Error).message}`,
    );
  }
  const turned = (header.orientation ?? 1) >= 5;
  return { ...accepted, width: turned ? height : width, height: turned ? width : height, placeholder };
}

/** A ThumbHash of the image (at most 100 px a side, as the format wants), base64. */
async function thumbHashOf(data: Buffer, maxPixels: number): Promise<string> {
  const { data: rgba, info } = await sharp(data, { limitInputPixels: maxPixels, failOn: 'warning' })
    .autoOrient()
    .resize(100, 100, { fit: 'inside' })
    .ensureAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  return Buffer.from(rgbaToThumbHash(info.width, info.height, rgba)).toString('base64');
}

/** A region of the displayed image, in pixels. */
export interface Region {
  left: number;
  top: number;
  width: number;
  height: number;
}

/** What to make of an original: its region (a crop) or all of it, at a width, in a format. */
export interface Rendering {
  region?: Region;
  width?: number;
  /** A rendition format, or `original` for the original's own format. */
  format: RenditionFormat | 'original';
  originalFormat: string;
}

/** Renders an original: oriented, cut, resized, re-encoded with no metadata. */
export async function render(data: Buffer, rendering: Rendering, maxPixels: number): Promise<Buffer> {
  let image = sharp(data, { limitInputPixels: maxPixels }).autoOrient();
  if (rendering.region) image = image.extract(rendering.region);
  if (rendering.width) image = image.resize({ width: rendering.width, withoutEnlargement: true });
  const format = rendering.format === 'original' ? rendering.originalFormat : rendering.format;
  switch (format) {
    case 'webp':
      return image.webp({ quality: 80 }).toBuffer();
    case 'avif':
      return image.avif({ quality: 50, effort: 2 }).toBuffer();
    case 'png':
      return image.png().toBuffer();
    case 'gif':
      return image.gif().toBuffer();
    case 'tiff':
    case 'heif':
      // Browsers show neither: the "original" of these is a full-size JPEG.
      return image.flatten({ background: '#ffffff' }).jpeg({ quality: 90, mozjpeg: true }).toBuffer();
    default:
      return image.flatten({ background: '#ffffff' }).jpeg({ quality: 82, mozjpeg: true }).toBuffer();
  }
}
