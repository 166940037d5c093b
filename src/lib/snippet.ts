/** One thing a reader searched for: a word, a prefix (secur*) or a phrase of several words. */
export interface SearchTerm {
  tokens: string[];
  prefix: boolean;
}

/** How much of a field a snippet looks through: the cost stays the same whatever the document holds. */
export const SNIPPET_SCAN_CHARACTERS = 20_000;
const WINDOW_TOKENS = 24;
const LEAD_TOKENS = 6;

const TOKEN = /[\p{L}\p{N}\p{M}]+/gu;

/** A token as the index compares it: lower case, accents removed (unicode61, remove_diacritics). */
const ASCII = /^[0-9A-Za-z]*$/;
export const foldToken = (token: string) =>
  // Most tokens are ASCII: nothing to decompose (NFD is most of the cost of a snippet).
  ASCII.test(token) ? token.toLowerCase() : token.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();

const escapeHtml = (text: string) =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );

interface Token {
  start: number;
  end: number;
  folded: string;
}

/**
 * The tokens of a text from `start` (a token boundary), read only as far as asked: folding every
 * token of a 20,000-character body costs more than the search query did.
 */
function lazyTokens(text: string, start = 0) {
  const tokens: Token[] = [];
  const pattern = new RegExp(TOKEN);
  pattern.lastIndex = start;
  const matches = text.matchAll(pattern);
  let exhausted = false;
  return {
    tokens,
    /** Reads tokens until there are `count` of them (or no more); returns the array. */
    reach(count: number): Token[] {
      while (!exhausted && tokens.length < count) {
        const next = matches.next();
        if (next.done) exhausted = true;
        else {
          const match = next.value;
          tokens.push({
            start: match.index,
            end: match.index + match[0].length,
            folded: foldToken(match[0]),
          });
        }
      }
      return tokens;
    },
  };
}

/**
 * Text whose tokens are ASCII letters and digits: typographic punctuation (curly quotes, dashes,
 * ellipses) aside, nothing folds but case, so a token matches only where the lower-cased text
 * holds the term at a token boundary.
 */
const NOT_PLAIN = /[\u0080-\u1FFF\u2070-\uFFFF]/;
const WORD_CHARACTER = /[0-9a-z]/;
/** How far before its first possible match a field starts being read: room for the lead. */
const LOOKBACK_CHARACTERS = 300;

/**
 * Where in a plain text the first match can start at the earliest (-1: nowhere), found with
 * indexOf instead of tokenising; undefined when the text is not plain and only reading tells.
 */
function earliestMatch(text: string, terms: SearchTerm[]): number | undefined {
  if (NOT_PLAIN.test(text)) return undefined;
  const lower = text.toLowerCase();
  let earliest = -1;
  for (const term of terms) {
    const first = term.tokens[0];
    if (!first) continue;
    for (let at = lower.indexOf(first); at >= 0; at = lower.indexOf(first, at + 1)) {
      if (earliest >= 0 && at >= earliest) break;
      if (at === 0 || !WORD_CHARACTER.test(lower[at - 1] as string)) {
        earliest = at;
        break;
      }
    }
  }
  return earliest;
}

interface FieldMatch {
  text: string;
  lazy: ReturnType<typeof lazyTokens>;
  /** The matching token's index in `lazy.tokens`. */
  first: number;
}

/** The first match in a text, reading its tokens from `start`. */
function scanFrom(
  text: string,
  start: number,
  terms: SearchTerm[],
  lookahead: number,
): FieldMatch | undefined {
  const lazy = lazyTokens(text, start);
  for (let at = 0; at < lazy.reach(at + lookahead).length; at++) {
    if (terms.some((term) => matchLength(lazy.tokens, at, term) > 0)) return { text, lazy, first: at };
  }
  return undefined;
}

/**
 * The first match in a field. A plain field is read from a little before its earliest possible
 * match (none: not read at all), which finds what reading from the start finds: no match starts
 * earlier, and the lead tokens before it are read too (else it is read from the start).
 */
function firstMatchIn(text: string, terms: SearchTerm[], lookahead: number): FieldMatch | undefined {
  const earliest = earliestMatch(text, terms);
  if (earliest === -1) return undefined;
  if (earliest !== undefined && earliest > LOOKBACK_CHARACTERS) {
    let start = earliest - LOOKBACK_CHARACTERS;
    while (start > 0 && WORD_CHARACTER.test((text[start - 1] as string).toLowerCase())) start--;
    const found = scanFrom(text, start, terms, lookahead);
    if (!found || found.first > LEAD_TOKENS) return found;
  }
  return scanFrom(text, 0, terms, lookahead);
}

/** How many tokens from `at` a term matches (0 for none). */
function matchLength(tokens: Token[], at: number, term: SearchTerm): number {
  for (let i = 0; i < term.tokens.length; i++) {
    const token = tokens[at + i]?.folded;
    const wanted = term.tokens[i] ?? '';
    const last = i === term.tokens.length - 1;
    if (token === undefined || !(token === wanted || (last && term.prefix && token.startsWith(wanted))))
      return 0;
  }
  return term.tokens.length;
}

/**
 * A short passage around the first match, HTML-escaped, matches wrapped in `<tag>` (or left
 * bare with a null tag). Fields are tried in order; each is scanned only to
 * SNIPPET_SCAN_CHARACTERS, so a body of a million matches costs what a short one does.
 */
export function buildSnippet(fields: string[], terms: SearchTerm[], tag: string | null): string {
  // A phrase looks this many tokens ahead of where it starts.
  const lookahead = Math.max(1, ...terms.map((term) => term.tokens.length));
  let chosen: FieldMatch | undefined;
  let unmatched: string | undefined;
  for (const field of fields) {
    const text = field.slice(0, SNIPPET_SCAN_CHARACTERS);
    chosen = firstMatchIn(text, terms, lookahead);
    if (chosen) break;
    unmatched ??= text;
  }
  // No field matches (the index matched what the scanned prefix does not show): the first field's start.
  if (!chosen && unmatched !== undefined) chosen = { text: unmatched, lazy: lazyTokens(unmatched), first: 0 };
  if (!chosen) return '';
  const { text, lazy, first } = chosen;
  const from = Math.max(0, first - LEAD_TOKENS);
  // The window, what its last phrase may look at, and one more to know whether text follows.
  const tokens = lazy.reach(from + WINDOW_TOKENS + lookahead + 1);
  if (tokens.length === 0) return '';
  const to = Math.min(tokens.length, from + WINDOW_TOKENS);
  const marked = new Set<number>();
  for (let at = from; at < to; at++) {
    for (const term of terms) {
      const length = matchLength(tokens, at, term);
      for (let i = 0; i < length && at + i < to; i++) marked.add(at + i);
    }
  }
  // A run of matched tokens (a phrase) is one highlight, the spaces between them included.
  const open = tag ? `<${tag}>` : '';
  const close = tag ? `</${tag}>` : '';
  // Punctuation just before the window (an opening quote or bracket) belongs to it.
  const before = text.slice(from > 0 ? (tokens[from - 1] as Token).end : 0, (tokens[from] as Token).start);
  let html = from > 0 ? `…${escapeHtml(before.trimStart())}` : escapeHtml(before);
  for (let at = from; at < to; at++) {
    const token = tokens[at] as Token;
    if (marked.has(at) && !marked.has(at - 1)) html += open;
    html += escapeHtml(text.slice(token.start, token.end));
    const last = at + 1 === to;
    if (marked.has(at) && (last || !marked.has(at + 1))) html += close;
    const next = tokens[at + 1];
    html += escapeHtml(text.slice(token.end, last ? (next ? token.end : text.length) : next?.start));
  }
  return to < tokens.length || text.length === SNIPPET_SCAN_CHARACTERS ? `${html}…` : html;
}
