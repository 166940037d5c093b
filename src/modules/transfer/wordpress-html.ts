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
const SHORTCODE = /\[(\/?)([a-z][a-z0-9_-]*)([^\]]*)\]/gi;

/** Plain text from WordPress markup: tags removed, entities decoded (titles, excerpts). */
export const plainText = (html: string) =>
  decodeHTML(html.replace(BLOCK_COMMENT, '').replace(/<[^>]*>/g, ''))
    .replace(/\s+/g, ' ')
    .trim();

// wpautop's block elements (wp-includes/formatting.php), iframe added for embeds.
const ALL_BLOCKS =
  '(?:table|thead|tfoot|caption|col|colgroup|tbody|tr|td|th|div|dl|dd|dt|ul|ol|li|pre|form|map|area|blockquote|address|math|style|p|h[1-6]|hr|fieldset|legend|section|article|aside|hgroup|header|footer|nav|figure|figcaption|details|menu|summary|iframe)';
const BLOCK_TAG = `</?${ALL_BLOCKS}[^>]*>`;

/**
 * WordPress's wpautop, step for step: the classic editor stores paragraphs as text separated by
 * blank lines and single newlines as line breaks, but block-level HTML stands on its own: each
 * block tag is set apart first, so a list written one `<li>` a line stays one list, and no
 * line break lands between its items. `<pre>` is left exactly as written.
 */
function autop(html: string): string {
  const pres: string[] = [];
  let text = html.replace(/<pre[\s\S]*?<\/pre>/gi, (pre) => `<pre data-autop="${pres.push(pre) - 1}"></pre>`);
  text = text.replace(/<br\s*\/?>\s*<br\s*\/?>/gi, '\n\n');
  text = text.replace(new RegExp(`(<${ALL_BLOCKS}[\\s/>])`, 'gi'), '\n\n$1');
  text = text.replace(new RegExp(`(</${ALL_BLOCKS}>)`, 'gi'), '$1\n\n');
  // What is left between block tags is a paragraph, unless a block tag opens it (an item's
  // text, `<li>First`): wpautop wraps that too and leaves a stray </p> that parsers turn into an
  // empty paragraph, loosening the list.
  const opensWithBlock = new RegExp(`^${BLOCK_TAG}`, 'i');
  const closingBlock = new RegExp(`(</${ALL_BLOCKS}>)$`, 'i');
  text = text
    .split(/\n\s*\n/)
    .map((paragraph) => paragraph.trim())
    .filter(Boolean)
    .map((paragraph) =>
      opensWithBlock.test(paragraph)
        ? `${paragraph}\n`
        : `<p>${closingBlock.test(paragraph) ? paragraph.replace(closingBlock, '</p>$1') : `${paragraph}</p>`}\n`,
    )
    .join('');
  // Single newlines inside paragraphs are line breaks; beside a block tag they are nothing.
  text = text.replace(/(?<!<br>)\s*\n/g, '<br>\n');
  text = text.replace(new RegExp(`(${BLOCK_TAG})\\s*<br>`, 'gi'), '$1');
  text = text.replace(/<br>(\s*<\/?(?:p|li|div|dl|dd|dt|th|pre|td|ul|ol)[^>]*>)/gi, '$1');
  // A classic-editor <pre> holds its code bare: as <pre><code> it becomes a fenced block.
  return text.replace(/<pre data-autop="(\d+)"><\/pre>/g, (_, index: string) =>
    (pres[Number(index)] ?? '').replace(
      /^<pre([^>]*)>(?!\s*<code)([\s\S]*)<\/pre>$/i,
      '<pre$1><code>$2</code></pre>',
    ),
  );
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

/** The media id an `<img>` of the site's own uploads became, if it did. */
export type ImageResolver = (image: { src: string; className: string }) => number | undefined;

type Element = TurndownService.Node & HTMLElement;

const markdownAlt = (text: string) =>
  text
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/([\\[\]])/g, '\\$1');
const markdownTitle = (text: string) =>
  text
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/(["\\])/g, '\\$1');

/**
 * A converter that writes images of the site's uploads as `media:ID`: a figure with its
 * caption as the image's title (which renders as its caption), and a link around an image to
 * its own file dropped (the figure is the image now).
 */
function withImages(resolve: ImageResolver): TurndownService {
  const converter = new TurndownService(turndown.options);
  converter.use(gfm);
  const mediaOf = (image: Element | null) =>
    image
      ? resolve({ src: image.getAttribute('src') ?? '', className: image.getAttribute('class') ?? '' })
      : undefined;
  const imageMarkdown = (image: Element, id: number, caption = '') =>
    `![${markdownAlt(image.getAttribute('alt') ?? '')}](media:${id}${caption === '' ? '' : ` "${markdownTitle(caption)}"`})`;
  converter.addRule('media-figure', {
    filter: (node) => node.nodeName === 'FIGURE' && mediaOf(node.querySelector('img')) !== undefined,
    replacement: (_content, node) => {
      const image = (node as Element).querySelector('img') as Element;
      const caption = (node as Element).querySelector('figcaption')?.textContent ?? '';
      return `\n\n${imageMarkdown(image, mediaOf(image) as number, caption)}\n\n`;
    },
  });
  converter.addRule('media-link', {
    filter: (node) =>
      node.nodeName === 'A' &&
      node.children.length === 1 &&
      node.textContent?.trim() === '' &&
      mediaOf(node.querySelector('img')) !== undefined,
    replacement: (_content, node) => {
      const image = (node as Element).querySelector('img') as Element;
      return imageMarkdown(image, mediaOf(image) as number);
    },
  });
  converter.addRule('media-image', {
    filter: (node) => node.nodeName === 'IMG' && mediaOf(node as Element) !== undefined,
    replacement: (_content, node) => imageMarkdown(node as Element, mediaOf(node as Element) as number),
  });
  return converter;
}

export interface ConvertedBody {
  markdown: string;
  /** Shortcodes left in the text (no Markdown equivalent), by name. */
  shortcodes: string[];
}

/**
 * A WordPress post body as Markdown (turndown with GitHub's tables and strikethrough): block
 * editor comments dropped, autop applied, embeds and captions kept as links and figures, other
 * shortcodes kept as text and counted. Absolute URLs stay as they are, but images the resolver
 * knows (the site's uploads, imported as media) become `media:ID`.
 */
export function wordpressToMarkdown(html: string, images?: ImageResolver): ConvertedBody {
  const withoutBlocks = knownShortcodes(html.replace(BLOCK_COMMENT, '').replace(/\r\n/g, '\n'));
  const shortcodes = [...withoutBlocks.matchAll(SHORTCODE)]
    .filter((match) => match[1] === '')
    .map((match) => match[2]?.toLowerCase() ?? '');
  const markdown = (images ? withImages(images) : turndown).turndown(autop(withoutBlocks)).trim();
  return { markdown: markdown === '' ? '' : `${markdown}\n`, shortcodes };
}
