import MarkdownIt from 'markdown-it';
import type Token from 'markdown-it/lib/token.mjs';
import { deriveSlug } from './slug.js';

export const EXCERPT_MAX_LENGTH = 200;
export const WORDS_PER_MINUTE = 230;
/** Bump when the HTML the renderer produces changes: stored renderings are redone at start. */
export const RENDER_VERSION = 2;

// html: false escapes raw HTML in the source instead of passing it through, so no element or
// attribute (event handlers included) can be smuggled in.
const markdown = new MarkdownIt({ html: false, linkify: true, typographer: false });
// Links and images may not use script-capable or inline schemes at all (markdown-it alone
// would let data:image through).
markdown.validateLink = (url) => !/^\s*(javascript|vbscript|data|file):/i.test(url);

export interface TocEntry {
  level: number;
  text: string;
  id: string;
}

export interface Rendering {
  html: string;
  toc: TocEntry[];
  wordCount: number;
  /** The whole body as plain text, a block a line: what search indexes. */
  text: string;
  /** Plain text of the first paragraph, shortened: the excerpt when the editor wrote none. */
  excerpt: string;
}

/** The text a reader sees in an inline token, markup stripped. */
function inlineText(token: Token | undefined): string {
  return (token?.children ?? [])
    .map((child) => {
      if (child.type === 'softbreak' || child.type === 'hardbreak') return ' ';
      if (child.type === 'text' || child.type === 'code_inline' || child.type === 'image')
        return child.content;
      return '';
    })
    .join('')
    .replace(/\s+/g, ' ')
    .trim();
}

const countWords = (text: string) => text.split(/\s+/).filter((word) => /[\p{L}\p{N}]/u.test(word)).length;

/**
 * Renders a Markdown body once: HTML with an `id` on every heading, the table of contents,
 * the word count and the derived excerpt.
 */
export function renderMarkdown(body: string): Rendering {
  const tokens = markdown.parse(body, {});
  const toc: TocEntry[] = [];
  const usedIds = new Set<string>();
  // The next suffix to try for each base id: a body of many equal headings stays linear.
  const nextSuffix = new Map<string, number>();
  const slugOfText = new Map<string, string>();
  const blocks: string[] = [];
  let excerpt: string | undefined;
  tokens.forEach((token, index) => {
    if (token.type === 'inline') blocks.push(inlineText(token));
    if (token.type === 'code_block' || token.type === 'fence') blocks.push(token.content.trim());
    if (token.type === 'paragraph_open' && excerpt === undefined) excerpt = inlineText(tokens[index + 1]);
    if (token.type === 'heading_open') {
      const text = inlineText(tokens[index + 1]);
      // Transliterating is the costly part: equal headings share one slug.
      const base = slugOfText.get(text) ?? deriveSlug(text);
      slugOfText.set(text, base);
      let id = base;
      let n = nextSuffix.get(base) ?? 2;
      while (usedIds.has(id)) id = `${base}-${n++}`;
      nextSuffix.set(base, n);
      usedIds.add(id);
      token.attrSet('id', id);
      toc.push({ level: Number(token.tag.slice(1)), text, id });
    }
  });
  return {
    html: markdown.renderer.render(tokens, markdown.options, {}),
    toc,
    wordCount: blocks.reduce((total, block) => total + countWords(block), 0),
    text: blocks.join('\n'),
    excerpt: truncateAtWord(excerpt ?? ''),
  };
}

export const readingTimeMinutes = (wordCount: number) => Math.max(1, Math.ceil(wordCount / WORDS_PER_MINUTE));

/** At most `max` characters, cut at a word boundary, with "…" when something was cut. */
export function truncateAtWord(text: string, max = EXCERPT_MAX_LENGTH): string {
  if (text.length <= max) return text;
  const cut = text.slice(0, max - 1);
  const lastSpace = cut.lastIndexOf(' ');
  return `${(lastSpace > max / 2 ? cut.slice(0, lastSpace) : cut).replace(/[\s,;:.–—-]+$/, '')}…`;
}
