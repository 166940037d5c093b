import { createHash } from 'node:crypto';
import type { MediaSettings } from '../../config.js';
import { RENDITION_FORMATS, type Region, type Rendering, type RenditionFormat } from './images.js';

// Which renditions of an image exist, what their URLs are, and what a URL asks for. Only the
// widths of MEDIA_WIDTHS (up to the original's) and the aspects of MEDIA_CROPS exist: any other
// name is a 404, so nobody can make the server render arbitrary sizes.

/** What variants are computed from: the image as displayed, and where its focal point is. */
export interface ImageFacts {
  id: number;
  width: number;
  height: number;
  focalX: number;
  focalY: number;
  contentHash: string;
  mimeType: string;
}

/**
 * Part of every rendition URL: changes when the image or its focal point does, so the URLs can
 * be cached forever (`immutable`) and an edit is seen at once.
 */
export const fingerprintOf = (image: ImageFacts) =>
  createHash('sha256')
    .update(`${image.contentHash}|${image.focalX}|${image.focalY}`)
    .digest('base64url')
    .slice(0, 16);

const FORMATS = Object.keys(RENDITION_FORMATS) as RenditionFormat[];

/** The largest region of an aspect that fits the image, centred on the focal point as far as it can be. */
export function cropRegion(image: ImageFacts, aspect: { width: number; height: number }): Region {
  const ratio = aspect.width / aspect.height;
  const width = Math.min(image.width, Math.round(image.height * ratio));
  const height = Math.min(image.height, Math.round(width / ratio));
  const clamp = (centre: number, size: number, whole: number) =>
    Math.max(0, Math.min(whole - size, Math.round(centre - size / 2)));
  return {
    left: clamp(image.focalX * image.width, width, image.width),
    top: clamp(image.focalY * image.height, height, image.height),
    width,
    height,
  };
}

const widthsUpTo = (settings: MediaSettings, most: number) =>
  settings.widths.filter((width) => width <= most);

/** Every variant of an image: each width in each format, each crop at each width, and the original. */
export function variantsOf(image: ImageFacts, settings: MediaSettings) {
  const renditions = widthsUpTo(settings, image.width).flatMap((width) =>
    FORMATS.map((format) => ({
      width,
      height: Math.round((width * image.height) / image.width),
      format,
      name: `w${width}.${format}`,
    })),
  );
  const crops = settings.crops.flatMap((aspect) => {
    const region = cropRegion(image, aspect);
    return widthsUpTo(settings, region.width).map((width) => ({
      aspect: `${aspect.width}:${aspect.height}`,
      width,
      height: Math.round((width * aspect.height) / aspect.width),
      name: `${aspect.name}-w${width}.jpg`,
    }));
  });
  return { renditions, crops };
}

/** The extension the stripped original is served with. */
export const originalExtension = (mimeType: string) =>
  ({ 'image/png': 'png', 'image/gif': 'gif', 'image/webp': 'webp', 'image/avif': 'avif' })[mimeType] ?? 'jpg';

/** What a variant name asks for, or undefined when no such variant exists for this image. */
export function renderingOf(
  image: ImageFacts,
  settings: MediaSettings,
  name: string,
): (Rendering & { mimeType: string }) | undefined {
  const originalFormat = image.mimeType.split('/')[1] ?? 'jpeg';
  const extension = originalExtension(image.mimeType);
  if (name === `original.${extension}`) {
    const mimeType = extension === 'jpg' ? 'image/jpeg' : image.mimeType;
    return { format: 'original', originalFormat, mimeType };
  }
  const { renditions, crops } = variantsOf(image, settings);
  const rendition = renditions.find((candidate) => candidate.name === name);
  if (rendition) {
    const format = rendition.format;
    return { width: rendition.width, format, originalFormat, mimeType: RENDITION_FORMATS[format] };
  }
  const crop = crops.find((candidate) => candidate.name === name);
  if (!crop) return undefined;
  const aspect = settings.crops.find((candidate) => crop.name.startsWith(`${candidate.name}-`));
  if (!aspect) return undefined;
  return {
    region: cropRegion(image, aspect),
    width: crop.width,
    format: 'jpg',
    originalFormat,
    mimeType: 'image/jpeg',
  };
}
