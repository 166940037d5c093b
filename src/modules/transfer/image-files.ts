import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, extname, resolve, sep } from 'node:path';
import { inspect } from '../media/images.js';
import type { Services } from '../services.js';

// Image files an import finds on disk (a WordPress uploads folder, images beside Markdown).

const IMAGE_EXTENSIONS = new Set([
  '.jpg',
  '.jpeg',
  '.png',
  '.gif',
  '.webp',
  '.avif',
  '.tif',
  '.tiff',
  '.heic',
]);

/** Whether a file name is one of an image. */
export const isImageFile = (name: string) => IMAGE_EXTENSIONS.has(extname(name).toLowerCase());

/** `path` under `root`, or an error when it would leave it (`../../etc/passwd.jpg`) or is missing. */
export function fileWithin(root: string, path: string, shownAs: string): string {
  const base = resolve(root);
  const file = resolve(base, path);
  if (!file.startsWith(base + sep)) throw new Error(`${shownAs} is outside the folder imported`);
  if (!existsSync(file)) throw new Error(`${shownAs} is not there`);
  return file;
}

/**
 * The media an image file became: found by where it came from (`sourceId`), else located and
 * uploaded
 * (checked as an upload is: size, type from the bytes, pixels). Says whether it was created.
 */
export async function mediaOfFile(
  services: Services,
  locate: () => string,
  sourceId: string,
  fields: { alt?: string; caption?: string | null; credit?: string | null } = {},
): Promise<{ id: number; created: boolean }> {
  const existing = await services.media.idOfSource(sourceId);
  if (existing !== undefined) return { id: existing, created: false };
  const file = locate();
  const { maxBytes, maxPixels } = services.mediaSettings;
  if (statSync(file).size > maxBytes) {
    throw new Error(`${basename(file)} is larger than MEDIA_MAX_BYTES (${maxBytes} bytes)`);
  }
  const data = readFileSync(file);
  const image = await inspect(data, maxPixels);
  const created = await services.media.create(
    { filename: basename(file), data, image, ...fields, sourceId },
    services.now().toISOString(),
  );
  return { id: created.id, created: true };
}
