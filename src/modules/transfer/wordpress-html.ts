import { gfm } from '@joplin/turndown-plugin-gfm';
import { decodeHTML } from 'entities';
import TurndownService from 'turndown';

const turndown = new TurndownService({
  headingStyle: 'atx',
  codeBlockStyle: 'fenced',
  bulletListMarker: '-',
  emDelimiter: '*',
});
turndown.use(gfm);

const BLOCK_COMMENT = /<!--\s*\/?wp:[\s\S]*?-->/g;
const BLOCK_START =
  /^<\/?(p|h[1-6]|ul|ol|li|blockquote|table|thead|tbody|tr|pre|figure|div|hr|dl|dt|dd|section|iframe)\b/i;
const SHORTCODE = /\[(\/?)([a-z][a-z0-9_-]*)([^\]]*)\]/gi;

/** Plain text from WordPress markup: tags removed, entities decoded (titles, excerpts). */
export const plainText = (html: string) =>
  decodeHTML(html.replace(BLOCK_COMMENT, '').replace(/<[^>]*>/g, ''))
    .replace(/\s+/g, ' ')
    .trim();

/**
 * WordPress's autop: the classic editor stores paragraphs as text separated by blank lines,
 * with single newlines as line breaks. Blocks that are already HTML are left as they are.
 */
function autop(html: string): string {
  return html
    .split(/\n\s*\n/)
    .map((chunk) => chunk.trim())
    .filter(Boolean)
    .map((chunk) => (BLOCK_START.test(chunk) ? chunk : `<p>${chunk.replace(/\n/g, '<br>\n')}</p>`))
    .join('\n');
}

/** `[embed]url[/embed]` and `[caption …]<img>text[/caption]` become what they show. */
function knownShortcodes(html: string): string {
  return html
    .replace(/\[embed[^\]]*\]\s*(\S+?)\s*\[\/embed\]/gi, '<p><a href="$1">$1</a></p>')
    .replace(/\[caption[^\]]*\]([\s\S]*?)\[\/caption\]/gi, (_, inner: string) => {
      const image = inner.match(/<img[^>]*>/i)?.[0] ?? '';
      const caption = inner.replace(/<a[^>]*>\s*<img[^>]*>\s*<\/a>|<img[^>]*>/i, '').trim();
      return `<figure>${image}<figcaption>${caption}</figcaption></figure>`;
    });
}

export interface ConvertedBody {
  markdown: string;
  /** Shortcodes left in the text (no Markdown equivalent), by name. */
  shortcodes: string[];
}

/**
 * A WordPress post body as Markdown (turndown with GitHub's tables and strikethrough): block
 * editor comments dropped, autop applied, embeds and captions kept as links and figures, other
 * shortcodes kept as text and counted. Absolute URLs stay as they are.
 */
export function wordpressToMarkdown(html: string): ConvertedBody {
  const withoutBlocks = knownShortcodes(html.replace(BLOCK_COMMENT, '').replace(/\r\n/g, '\n'));
  const shortcodes = [...withoutBlocks.matchAll(SHORTCODE)]
    .filter((match) => match[1] === '')
    .map((match) => match[2]?.toLowerCase() ?? '');
  const markdown = turndown.turndown(autop(withoutBlocks)).trim();
  return { markdown: markdown === '' ? '' : `${markdown}\n`, shortcodes };
}
