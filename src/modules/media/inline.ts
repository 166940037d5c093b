import type { Media } from './schemas.js';

/**
 * Images in article bodies. Markdown `![alt](media:12 "caption")` is stored as markdown-it
 * renders it, `<img src="media:12" alt="alt" title="caption">`, and resolved when the article is
 * read: the image's renditions, caption and credit are always the current ones, and editing
 * an image never rewrites the articles that show it. Markdown escapes `"` in text, so only the
 * renderer's own tags can match these patterns.
 */
const PLACEHOLDER = /<img src="media:(\d+)" alt="([^"]*)"(?: title="([^"]*)")?>/g;
const ONE_PLACEHOLDER = new RegExp(PLACEHOLDER.source);
const ALONE_IN_PARAGRAPH = /<p>(<img src="media:\d+" alt="[^"]*"(?: title="[^"]*")?>)<\/p>/g;
const RESOLVED = /<(?:figure|picture) class="media" data-media-id="(\d+)"/g;

/** The JPEG a browser without `srcset` loads: the widest rendition up to this. */
const FALLBACK_WIDTH = 1280;

const escapeHtml = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** The media ids of the images a rendered body shows, in order, each once. */
export function placeholderIds(html: string): number[] {
  if (!html.includes('src="media:')) return [];
  return [...new Set([...html.matchAll(PLACEHOLDER)].map((match) => Number(match[1])))];
}

/** The media ids a resolved body shows: what its cache keys name. */
export function resolvedIds(html: string): number[] {
  if (!html.includes('data-media-id')) return [];
  return [...new Set([...html.matchAll(RESOLVED)].map((match) => Number(match[1])))];
}

const srcsetOf = (image: Media, format: string) =>
  image.renditions
    .filter((rendition) => rendition.format === format)
    .map((rendition) => `${rendition.url} ${rendition.width}w`)
    .join(', ');

/** `<picture>` with AVIF and WebP sources and a JPEG `<img>`, every width in `srcset`. */
function pictureOf(image: Media, alt: string, marked: boolean): string {
  const jpegs = image.renditions.filter((rendition) => rendition.format === 'jpg');
  const fallback = jpegs.filter((rendition) => rendition.width <= FALLBACK_WIDTH).at(-1) ?? jpegs[0];
  const attributes = `alt="${alt}" loading="lazy" decoding="async"`;
  const open = marked ? `<picture class="media" data-media-id="${image.id}">` : '<picture>';
  if (!fallback) {
    // Narrower than the smallest width: the full-size file is the only one.
    return `${open}<img src="${image.url}" width="${image.width}" height="${image.height}" ${attributes}></picture>`;
  }
  // As wide as the screen up to the image's own width (WordPress's default `sizes`).
  const widest = jpegs.at(-1)?.width ?? fallback.width;
  const sizes = `(max-width: ${widest}px) 100vw, ${widest}px`;
  const sources = ['avif', 'webp']
    .map((format) => `<source type="image/${format}" srcset="${srcsetOf(image, format)}" sizes="${sizes}">`)
    .join('');
  return `${open}${sources}<img src="${fallback.url}" srcset="${srcsetOf(image, 'jpg')}" sizes="${sizes}" width="${fallback.width}" height="${fallback.height}" ${attributes}></picture>`;
}

/** The caption a story gives the image (the Markdown title), else its own, and its credit. */
function captionOf(image: Media, title: string | undefined): string {
  const caption = title ?? (image.caption === null ? '' : escapeHtml(image.caption));
  const credit = image.credit === null ? '' : `<small class="credit">${escapeHtml(image.credit)}</small>`;
  if (caption === '' && credit === '') return '';
  return `<figcaption>${caption}${caption !== '' && credit !== '' ? ' ' : ''}${credit}</figcaption>`;
}

/**
 * A body with its images in place: an image alone in its paragraph becomes a `<figure>` with
 * its caption and credit, one within text a `<picture>`. The alt text is the story's when it
 * gives one, else the image's. An image that no longer exists leaves its alt text.
 */
export function resolveInlineMedia(html: string, images: Map<number, Media>): string {
  if (!html.includes('src="media:')) return html;
  const altOf = (image: Media, alt: string) => (alt === '' ? escapeHtml(image.alt) : alt);
  const figures = html.replace(ALONE_IN_PARAGRAPH, (paragraph, placeholder: string) => {
    const [, id, alt = '', title] = ONE_PLACEHOLDER.exec(placeholder) ?? [];
    const image = images.get(Number(id));
    if (!image) return paragraph;
    const picture = pictureOf(image, altOf(image, alt), false);
    return `<figure class="media" data-media-id="${image.id}">${picture}${captionOf(image, title)}</figure>`;
  });
  return figures.replace(PLACEHOLDER, (_match, id: string, alt: string) => {
    const image = images.get(Number(id));
    return image ? pictureOf(image, altOf(image, alt), true) : alt;
  });
}
