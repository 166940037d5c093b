import { dirname, relative } from 'node:path';
import type { Services } from '../services.js';
import { fileWithin, isImageFile, mediaOfFile } from './image-files.js';
import type { ImportReport } from './report.js';

// Images a Markdown file shows by relative path (`![alt](images/quay.jpg)`, as static-site
// generators keep them beside the text): each becomes media, and the body names it `media:ID`.

/** `![alt](target "title")`: the target, optionally in angle brackets, then the rest. */
const IMAGE = /(!\[[^\]\n]*\]\(\s*)(<[^>\n]+>|[^\s)]+)(\s+"[^"\n]*"\s*|\s*)\)/g;
const HAS_SCHEME = /^[a-z][a-z0-9+.-]*:/i;

/** A target that names a file beside the Markdown: no scheme, not site-absolute, not a fragment. */
function localPath(target: string): string | undefined {
  const path = target.startsWith('<') ? target.slice(1, -1) : target;
  if (HAS_SCHEME.test(path) || path.startsWith('/') || path.startsWith('#')) return undefined;
  let decoded = path;
  try {
    decoded = decodeURI(path);
  } catch {}
  return isImageFile(decoded.split(/[?#]/)[0] ?? '') ? decoded.split(/[?#]/)[0] : undefined;
}

/**
 * The body with each local image uploaded (matched on its path under the folder, so a second
 * run uploads nothing) and named `media:ID`. An image that is missing, outside the folder or
 * refused stays as written, reported.
 */
export async function uploadLocalImages(
  services: Services,
  report: ImportReport,
  folder: string,
  file: string,
  body: string,
): Promise<string> {
  const replacements = new Map<string, string>();
  for (const [, , target = ''] of body.matchAll(IMAGE)) {
    const path = localPath(target);
    if (path === undefined || replacements.has(target)) continue;
    const shownAs = `${relative(folder, file).split('\\').join('/')}: ${path}`;
    try {
      const locate = () => fileWithin(folder, relative(folder, `${dirname(file)}/${path}`), shownAs);
      const source = `md:${relative(folder, locate()).split('\\').join('/')}`;
      const { id, created } = await mediaOfFile(services, locate, source);
      report.count('media', created ? 'created' : 'unchanged');
      replacements.set(target, `media:${id}`);
    } catch (error) {
      report.fail('media', shownAs, (error as Error).message);
    }
  }
  if (replacements.size === 0) return body;
  return body.replace(IMAGE, (match, open: string, target: string, rest: string) => {
    const replacement = replacements.get(target);
    return replacement === undefined ? match : `${open}${replacement}${rest})`;
  });
}
