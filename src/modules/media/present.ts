import type { MediaSettings } from '../../config.js';
import type { SiteLinks } from '../../lib/site-links.js';
import type { MediaRecord } from './repository.js';
import type { Media } from './schemas.js';
import { fingerprintOf, originalExtension, variantsOf } from './variants.js';

/** Where an image's files are served: under PUBLIC_API_URL when a site is set, else this server's root. */
export const mediaBase = (record: MediaRecord, links: SiteLinks | undefined) => {
  const path = `/media/${record.id}/${fingerprintOf(record)}/`;
  return links ? links.served(path) : path;
};

/** A media row as the API shows it: its focal point, and the URL of every variant that exists. */
export function presentMedia(
  record: MediaRecord,
  settings: MediaSettings,
  links: SiteLinks | undefined,
): Media {
  const base = mediaBase(record, links);
  const { renditions, crops } = variantsOf(record, settings);
  return {
    id: record.id,
    filename: record.filename,
    mimeType: record.mimeType,
    bytes: record.bytes,
    width: record.width,
    height: record.height,
    alt: record.alt,
    caption: record.caption,
    credit: record.credit,
    focalPoint: { x: record.focalX, y: record.focalY },
    placeholder: record.placeholder,
    url: `${base}original.${originalExtension(record.mimeType)}`,
    renditions: renditions.map(({ width, height, format, name }) => ({
      width,
      height,
      format,
      url: base + name,
    })),
    crops: crops.map(({ aspect, width, height, name }) => ({ aspect, width, height, url: base + name })),
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
  };
}
