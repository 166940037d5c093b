import { isMap, isScalar, LineCounter, parseDocument, type YAMLMap } from 'yaml';
import { DomainError } from '../../lib/errors.js';
import type { ArticleCreate } from '../articles/schemas.js';
import { articleValidator as validator } from './article-input.js';

const FENCE = /^---[ \t]*\r?\n/;
/**
 * Twice what the longest honest front matter takes (every field at its limit, 50 tags): YAML
 * parsing costs ~20 µs a key, so this keeps one file to a few milliseconds of the event loop.
 */
export const FRONT_MATTER_MAX_BYTES = 16_384;
const CLOSING = /\r?\n---[ \t]*(\r?\n|$)/;

interface LineError {
  path: string;
  message: string;
  line: number;
}

/** A 400 whose `errors` point into the body (`/body/tags/2`) and say the line of the file. */
const refuse = (errors: LineError[]) =>
  new DomainError(
    'bad-request',
    'invalid-front-matter',
    `The front matter is not a valid article: ${errors.map((error) => `line ${error.line}: ${error.message}`).join('; ')}`,
    {
      errors: errors.map((error) => ({
        path: `/body${error.path === '/' ? '' : error.path}`,
        message: `line ${error.line}: ${error.message}`,
      })),
    },
  );

/** Where keys repeat one already given, in one pass. */
function duplicateKeys(map: YAMLMap): number[] {
  const seen = new Set<string>();
  const repeated: number[] = [];
  for (const pair of map.items) {
    const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
    if (seen.has(key)) repeated.push((pair.key as { range?: [number] } | null)?.range?.[0] ?? 0);
    seen.add(key);
  }
  return repeated;
}

/**
 * A Markdown file with YAML front matter (`---` fences, as static-site generators write them)
 * as the article it describes: the front matter gives the fields, the rest is the body, byte
 * for byte (one blank line after the fence is part of the fence). Every problem names its line.
 */
export function articleFromMarkdown(text: string): ArticleCreate {
  if (!FENCE.test(text)) {
    throw refuse([{ path: '/', line: 1, message: 'the file must start with a --- front matter fence' }]);
  }
  const opening = text.match(FENCE)?.[0] ?? '';
  const rest = text.slice(opening.length);
  const closing = CLOSING.exec(rest);
  if (!closing) throw refuse([{ path: '/', line: 1, message: 'the front matter has no closing --- fence' }]);
  const yamlText = rest.slice(0, closing.index);
  if (Buffer.byteLength(yamlText) > FRONT_MATTER_MAX_BYTES) {
    throw refuse([
      { path: '/', line: 2, message: `the front matter is larger than ${FRONT_MATTER_MAX_BYTES} bytes` },
    ]);
  }
  const body = rest.slice(closing.index + closing[0].length).replace(/^\r?\n/, '');
  // Lines in messages count from the top of the file: the opening fence is line 1.
  const lines = new LineCounter();
  // yaml's own uniqueKeys compares every key with every other; duplicateKeys does it in one pass.
  const document = parseDocument(yamlText, { lineCounter: lines, uniqueKeys: false });
  const lineOf = (offset: number) => lines.linePos(offset).line + 1;
  if (document.errors.length > 0) {
    throw refuse(
      document.errors.map((error) => ({
        path: '/',
        line: lineOf(error.pos[0]),
        // yaml's own position counts from the start of the front matter: ours replaces it.
        message: (error.message.split('\n')[0] ?? error.message).replace(/ at line \d+, column \d+:?$/, ''),
      })),
    );
  }
  if (!isMap(document.contents)) {
    throw refuse([{ path: '/', line: 2, message: 'the front matter must be a mapping of field: value' }]);
  }
  const duplicates = duplicateKeys(document.contents);
  if (duplicates.length > 0) {
    throw refuse(
      duplicates.map((at) => ({ path: '/', line: lineOf(at), message: 'Map keys must be unique' })),
    );
  }
  let fields: Record<string, unknown>;
  try {
    fields = document.toJS() as Record<string, unknown>;
  } catch (error) {
    // yaml refuses aliases that expand past maxAliasCount (a "billion laughs"), and the like.
    throw refuse([{ path: '/', line: 2, message: (error as Error).message }]);
  }
  const article = { ...fields, ...(body === '' ? {} : { body }) };
  if (validator.Check(article)) return article as ArticleCreate;
  const errors = [...validator.Errors(article)]
    // Each unknown field has its own error ("schema is false") naming it; the summary is noise.
    .filter((error) => error.keyword !== 'additionalProperties')
    .slice(0, 20)
    .map((error) => {
      const path = error.instancePath.split('/').filter(Boolean);
      const node = document.getIn(path, true) as { range?: [number, number, number] } | undefined;
      const key = document.getIn(path.slice(0, 1), true) as { range?: [number, number, number] } | undefined;
      const offset = node?.range?.[0] ?? key?.range?.[0] ?? 0;
      const message = error.message === 'schema is false' ? `unknown field "${path.at(-1)}"` : error.message;
      return { path: error.instancePath || '/', line: lineOf(offset), message };
    })
    .sort((a, b) => a.line - b.line);
  throw refuse(errors);
}
