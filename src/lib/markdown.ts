import MarkdownIt from 'markdown-it';

export const EXCERPT_MAX_LENGTH = 200;

// html: false escapes raw HTML in the source instead of passing it through.
const markdown = new MarkdownIt({ html: false, linkify: false, typographer: false });

/** The plain text of the first paragraph of a Markdown body. */
export function firstParagraphText(body: string): string {
  const tokens = markdown.parse(body, {});
  const start = tokens.findIndex((token) => token.type === 'paragraph_open');
  const inline = start >= 0 ? tokens[start + 1] : undefined;
  if (!inline?.children) return '';
  return inline.children
    .map((child) => {
      if (child.type === 'softbreak' || child.type === 'hardbreak') return ' ';
      if (child.type === 'text' || child.type === 'code_inline') return child.content;
      if (child.type === 'image') return child.content;
      return '';
    })
    .join('')
    .replace(/\s+/g, ' ')
    .trim();
}

/** At most `max` characters, cut at a word boundary, with "…" when something was cut. */
export function truncateAtWord(text: string, max = EXCERPT_MAX_LENGTH): string {
  if (text.length <= max) return text;
  const cut = text.slice(0, max - 1);
  const lastSpace = cut.lastIndexOf(' ');
  return `${(lastSpace > max / 2 ? cut.slice(0, lastSpace) : cut).replace(/[\s,;:.–—-]+$/, '')}…`;
}

/** The excerpt served when the editor wrote none: the first paragraph, shortened. */
export function deriveExcerpt(body: string): string {
  return truncateAtWord(firstParagraphText(body));
}
