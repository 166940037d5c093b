import { basename, extname } from 'node:path';
import type { Services } from '../services.js';
import { fileWithin, isImageFile, mediaOfFile } from './image-files.js';
import type { ImportReport } from './report.js';
import type { ImageResolver } from './wordpress-html.js';

// A WordPress site's images: attachments whose files are in its uploads folder become media,
// and the URLs bodies use for them (any size WordPress made) become `media:ID`.

type Node = Record<string, unknown>;

/** What an import made of the site's uploads: media ids by attachment id and by file. */
export interface UploadedImages {
  byAttachment: Map<string, number>;
  byPath: Map<string, number>;
}

export interface AttachmentReading {
  text: (value: unknown) => string;
  meta: (item: Node, key: string) => string;
  plainText: (html: string) => string;
}

const UPLOADS = '/wp-content/uploads/';

/**
 * The file a URL of the uploads names, the same for every copy WordPress made of it:
 * `2024/05/photo-300x200.jpg`, `photo-scaled.jpg` (5.3's big-image copy) and
 * `photo-e1612345678901.jpg` (edited in WordPress) all name `2024/05/photo.jpg`.
 */
export function uploadsPathOf(url: string): string | undefined {
  let path: string;
  try {
    path = decodeURIComponent(new URL(url, 'https://uploads.invalid/').pathname);
  } catch {
    return undefined;
  }
  const at = path.indexOf(UPLOADS);
  return at === -1 ? undefined : path.slice(at + UPLOADS.length);
}

const canonical = (path: string) =>
  path.replace(/(?:-\d+x\d+)?(?:-e\d{10,})?(?:-scaled|-rotated)?(\.\w+)$/i, '$1').toLowerCase();

/** A body's `<img>`: its `wp-image-N` class names the attachment, else its URL names the file. */
export function imageResolver(images: UploadedImages): ImageResolver {
  return ({ src, className }) => {
    const attachment = /\bwp-image-(\d+)\b/.exec(className)?.[1];
    const byClass = attachment === undefined ? undefined : images.byAttachment.get(attachment);
    if (byClass !== undefined) return byClass;
    const path = uploadsPathOf(src);
    return path === undefined ? undefined : images.byPath.get(canonical(path));
  };
}

/** WordPress keeps an image's credit in serialised PHP (`_wp_attachment_metadata`). */
const creditIn = (metadata: string) => /s:6:"credit";s:\d+:"([^"]*)";/.exec(metadata)?.[1] || null;

/** The title, as alt text, when the attachment has none and the title is not just its file name. */
function altOf(alt: string, title: string, file: string): string {
  if (alt !== '') return alt;
  const stem = (text: string) =>
    text
      .toLowerCase()
      .replace(/[-_\s]+/g, ' ')
      .trim();
  return stem(title) === stem(basename(canonical(file), extname(file))) ? '' : title;
}

/**
 * Every image attachment whose file is in `folder` becomes media (matched on its WordPress
 * id, so a second run changes nothing): alt text, caption, the title as alt text when there is
 * none, the credit. Files outside the folder, missing, too large or not images are reported;
 * an attachment seen before is not read again.
 */
export async function importAttachments(
  services: Services,
  report: ImportReport,
  reading: AttachmentReading,
  attachments: Node[],
  folder: string,
): Promise<UploadedImages> {
  const images: UploadedImages = { byAttachment: new Map(), byPath: new Map() };
  const { text, meta, plainText } = reading;
  for (const item of attachments) {
    const wordpressId = text(item['wp:post_id']);
    const source = `wp:attachment:${wordpressId}`;
    const relative = meta(item, '_wp_attached_file') || uploadsPathOf(text(item['wp:attachment_url'])) || '';
    if (!isImageFile(relative)) {
      report.count('attachment', 'skipped');
      continue;
    }
    try {
      const locate = () => fileWithin(folder, relative, relative);
      const { id, created } = await mediaOfFile(services, locate, source, {
        alt: altOf(meta(item, '_wp_attachment_image_alt'), plainText(text(item.title)), relative),
        caption: plainText(text(item['excerpt:encoded'])) || null,
        credit: creditIn(meta(item, '_wp_attachment_metadata')),
      });
      report.count('media', created ? 'created' : 'unchanged');
      images.byAttachment.set(wordpressId, id);
      images.byPath.set(canonical(relative), id);
    } catch (error) {
      report.fail('media', source, (error as Error).message);
    }
  }
  return images;
}
