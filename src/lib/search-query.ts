import { DomainError } from './errors.js';
import { foldToken, type SearchTerm } from './snippet.js';

/**
 * Turns what a reader types into a safe FTS5 MATCH expression (SQLite), or a tsquery
 * (PostgreSQL), from one parse: the two stores understand the same query language.
 *
 * Supported: words (implicitly ANDed), "quoted phrases", prefixes (secur*), AND / OR / NOT
 * (upper case; lower-case and/or/not are words), -word for NOT, and brackets. Punctuation inside a
 * word is text, as the index sees it: cease-fire, U.S. and Zelenskyy’s become phrases of their
 * parts. Every term is emitted as a quoted FTS5 string, so no input can inject FTS5 syntax; a
 * query that cannot mean anything is a 400 saying why.
 */

type Token =
  | { kind: 'word'; text: string; prefix: boolean }
  | { kind: 'phrase'; text: string }
  | { kind: 'and' | 'or' | 'not' | 'minus' | 'open' | 'close' };

type Node =
  | { kind: 'term'; fts: string; tsquery: string; term: SearchTerm }
  | { kind: 'and'; positive: Node[]; negative: Node[] }
  | { kind: 'or'; options: Node[] };

const invalid = (detail: string) =>
  new DomainError('bad-request', 'invalid-search', `Invalid search query: ${detail}`);

/** The index's tokens for a piece of text: runs of letters, digits and marks, lower-cased. */
export function indexTokens(text: string): string[] {
  return text.toLowerCase().match(/[\p{L}\p{N}\p{M}]+/gu) ?? [];
}

function tokenize(query: string): Token[] {
  const tokens: Token[] = [];
  const pattern = /\s*(?:"([^"]*)("?)|(\()|(\))|(-)(?=\S)|([^\s()"]+))/gy;
  let consumed = 0;
  let match: RegExpExecArray | null = pattern.exec(query);
  while (match !== null && match[0] !== '') {
    consumed = pattern.lastIndex;
    const [, phrase, closing, open, close, minus, word] = match;
    if (phrase !== undefined) {
      if (closing !== '"') throw invalid('a quote is not closed');
      tokens.push({ kind: 'phrase', text: phrase });
    } else if (open) tokens.push({ kind: 'open' });
    else if (close) tokens.push({ kind: 'close' });
    else if (minus) tokens.push({ kind: 'minus' });
    else if (word === 'AND' || word === 'OR' || word === 'NOT')
      tokens.push({ kind: word.toLowerCase() as 'and' });
    else if (word !== undefined) {
      const prefix = word.endsWith('*');
      tokens.push({ kind: 'word', text: prefix ? word.slice(0, -1) : word, prefix });
    }
    match = pattern.exec(query);
  }
  if (consumed < query.trimEnd().length) throw invalid(`cannot read "${query.slice(consumed).trim()}"`);
  return tokens;
}

/** A tsquery lexeme, quoted (tokens are letters, digits and marks, but quoting costs nothing). */
const lexeme = (token: string) => `'${token.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;

function term(text: string, prefix: boolean, quoted: boolean): Node | undefined {
  const parts = indexTokens(text);
  if (parts.length === 0) {
    if (prefix) throw invalid('a * must follow the start of a word, as in secur*');
    if (quoted) throw invalid('a quoted phrase needs at least one word');
    return undefined; // a lone dash or other punctuation: nothing to search for
  }
  if (prefix && (parts.at(-1) as string).length < SEARCH_MIN_PREFIX) {
    throw invalid(`a prefix needs at least ${SEARCH_MIN_PREFIX} letters before the *, as in se*`);
  }
  const tokens = parts.map(foldToken);
  return {
    kind: 'term',
    fts: `"${parts.join(' ')}"${prefix ? ' *' : ''}`,
    // Folded here: the PostgreSQL index folds the same way (migrations-postgres 0001), and the
    // text is cast to tsquery as it is, not parsed again by a text search configuration.
    tsquery: `${tokens.map(lexeme).join(' <-> ')}${prefix ? ':*' : ''}`,
    term: { tokens, prefix },
  };
}

class Parser {
  private position = 0;
  constructor(private readonly tokens: Token[]) {}

  parse(): Node {
    if (this.tokens.length === 0) throw invalid('it is empty');
    const node = this.or();
    if (this.position < this.tokens.length) throw invalid('a closing bracket has no opening one');
    return node;
  }

  private peek() {
    return this.tokens[this.position];
  }

  private or(): Node {
    const options = [this.and()];
    while (this.peek()?.kind === 'or') {
      this.position++;
      if (!this.peek() || this.peek()?.kind === 'close') throw invalid('OR needs a term after it');
      options.push(this.and());
    }
    return options.length === 1 ? (options[0] as Node) : { kind: 'or', options };
  }

  private and(): Node {
    const positive: Node[] = [];
    const negative: Node[] = [];
    for (;;) {
      const token = this.peek();
      if (!token || token.kind === 'or' || token.kind === 'close') break;
      if (token.kind === 'and') {
        this.position++;
        const next = this.peek();
        if (!next || next.kind === 'or' || next.kind === 'close') throw invalid('AND needs a term after it');
        continue;
      }
      if (token.kind === 'not' || token.kind === 'minus') {
        this.position++;
        const next = this.peek();
        if (!next || next.kind === 'or' || next.kind === 'close' || next.kind === 'and') {
          throw invalid(`${token.kind === 'not' ? 'NOT' : '-'} needs a term after it`);
        }
        const excluded = this.primary();
        if (excluded) negative.push(excluded);
        continue;
      }
      const included = this.primary();
      if (included) positive.push(included);
    }
    if (positive.length === 0 && negative.length > 0) {
      throw invalid('it only excludes; add a word to look for');
    }
    if (positive.length === 0 && this.peek()?.kind === 'or') throw invalid('OR needs a term before it');
    if (positive.length === 0) throw invalid('it has no words to search for');
    return positive.length === 1 && negative.length === 0
      ? (positive[0] as Node)
      : { kind: 'and', positive, negative };
  }

  private primary(): Node | undefined {
    const token = this.tokens[this.position++];
    if (!token) throw invalid('it ends too early');
    if (token.kind === 'open') {
      if (this.peek()?.kind === 'close') throw invalid('brackets are empty');
      const inner = this.or();
      if (this.tokens[this.position++]?.kind !== 'close') throw invalid('a bracket is not closed');
      return inner;
    }
    if (token.kind === 'phrase') return term(token.text, false, true);
    if (token.kind === 'word') return term(token.text, token.prefix, false);
    throw invalid(`"${token.kind.toUpperCase()}" cannot stand here`);
  }
}

function render(node: Node): string {
  if (node.kind === 'term') return node.fts;
  if (node.kind === 'or') return `(${node.options.map(render).join(' OR ')})`;
  const positive = node.positive.map(render).join(' AND ');
  const body = node.positive.length > 1 ? `(${positive})` : positive;
  return node.negative.reduce((expression, excluded) => `(${expression} NOT ${render(excluded)})`, body);
}

function renderTsquery(node: Node): string {
  if (node.kind === 'term') return node.tsquery;
  if (node.kind === 'or') return `(${node.options.map(renderTsquery).join(' | ')})`;
  const parts = [
    ...node.positive.map(renderTsquery),
    ...node.negative.map((excluded) => `!(${renderTsquery(excluded)})`),
  ];
  return `(${parts.join(' & ')})`;
}

/**
 * The query ts_rank scores by: what is searched for, without what is excluded and with its words
 * ORed. ts_rank scores a query with `!` next to nothing (1e-21 for `kyiv & !draft`), where FTS5's
 * bm25 scores the matched phrases alone; and for `a & b & …` it compares the positions of every
 * pair of words, which cost 1.2 ms a document for twelve common words (2.5 s over 2,000
 * articles). ORed, it sums each word's weight in one pass; which documents match is decided by
 * the query itself.
 */
function renderRankTsquery(node: Node): string {
  if (node.kind === 'term') return node.tsquery;
  if (node.kind === 'or') return `(${node.options.map(renderRankTsquery).join(' | ')})`;
  if (node.positive.length === 0) return renderTsquery(node);
  return `(${node.positive.map(renderRankTsquery).join(' | ')})`;
}

/** The terms a snippet highlights: everything searched for, except what is excluded. */
function wanted(node: Node): SearchTerm[] {
  if (node.kind === 'term') return [node.term];
  if (node.kind === 'or') return node.options.flatMap(wanted);
  return node.positive.flatMap(wanted);
}

export const SEARCH_QUERY_MAX_LENGTH = 200;
/**
 * Bounds on what one query may ask of the index, so every search costs tens of milliseconds
 * even over an archive of long articles: each word is a doclist to walk (a phrase's words
 * included), and a one-letter prefix is most of the index (the indexes keep 2- and 3-letter
 * prefixes ready).
 */
export const SEARCH_MAX_WORDS = 12;
export const SEARCH_MIN_PREFIX = 2;

function countWords(node: Node): number {
  if (node.kind === 'term') return node.term.tokens.length;
  if (node.kind === 'or') return node.options.reduce((sum, option) => sum + countWords(option), 0);
  return [...node.positive, ...node.negative].reduce((sum, part) => sum + countWords(part), 0);
}

export interface ParsedSearch {
  /** The FTS5 MATCH expression (SQLite). */
  fts: string;
  /** The same query as tsquery text (PostgreSQL). */
  tsquery: string;
  /** The tsquery that ranks the matches: tsquery without its exclusions, its words ORed. */
  rankTsquery: string;
  /** What snippets highlight. */
  terms: SearchTerm[];
}

/**
 * A reader's query for either store, and the terms to highlight; throws a 400 DomainError when
 * it means nothing.
 */
export function parseSearch(query: string): ParsedSearch {
  if (query.length > SEARCH_QUERY_MAX_LENGTH)
    throw invalid(`it is longer than ${SEARCH_QUERY_MAX_LENGTH} characters`);
  const tree = new Parser(tokenize(query)).parse();
  const words = countWords(tree);
  if (words > SEARCH_MAX_WORDS) {
    throw invalid(`it has ${words} words; at most ${SEARCH_MAX_WORDS} are searched for at once`);
  }
  return {
    fts: render(tree),
    tsquery: renderTsquery(tree),
    rankTsquery: renderRankTsquery(tree),
    terms: wanted(tree),
  };
}
