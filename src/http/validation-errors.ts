import { DATE_OR_DATE_TIME_PATTERN, EMAIL_PATTERN, FRONT_MATTER_PATTERN } from './schemas.js';

// Ajv's errors turned into the `errors: [{ path, message }]` of a validation problem.

export interface AjvError {
  instancePath: string;
  keyword: string;
  message?: string;
  params: Record<string, unknown>;
}

/** How many field errors a 400 lists: a body of 90,000 unknown keys must not get a megabyte back. */
export const MAX_LISTED_ERRORS = 20;

const DATE_FORMATS = new Set(['date', 'date-time']);

/**
 * A comma-separated list of known names (`fields`, `sort`) refused by its pattern, said in
 * words: the names the pattern knows are read back from it, and the value's unknown or
 * repeated ones named.
 */
function listMessage(pattern: string, value: unknown): string | undefined {
  const names = /\(((?:[A-Za-z]+\|)+[A-Za-z]+)\)/.exec(pattern)?.[1]?.split('|');
  if (!names || typeof value !== 'string') return undefined;
  const given = value.split(',').map((item) => item.replace(/^-/, ''));
  const unknown = given.filter((item) => !names.includes(item));
  if (unknown.length > 0) return `names unknown fields: ${unknown.join(', ')} (known: ${names.join(', ')})`;
  const repeated = given.filter((item, index) => given.indexOf(item) !== index);
  if (repeated.length > 0) return `names ${repeated.join(', ')} more than once`;
  return `lists too many fields (known: ${names.join(', ')})`;
}

/** One Ajv error as `{ path, message }`, with a path that names the offending field itself. */
function fieldError(context: string, error: AjvError, alternatives: AjvError[], data: unknown) {
  let path = `/${context}${error.instancePath}`;
  let message = error.message ?? 'is invalid';
  const listed =
    error.keyword === 'pattern'
      ? listMessage(String(error.params.pattern), valueAt(data, error.instancePath))
      : undefined;
  if (error.keyword === 'additionalProperties') {
    path += `/${String(error.params.additionalProperty)}`;
    message = 'is not a known field';
  } else if (error.keyword === 'required') {
    path += `/${String(error.params.missingProperty)}`;
    message = 'is required';
  } else if (error.keyword === 'enum') {
    const allowed = (error.params.allowedValues as unknown[]).map((value) => JSON.stringify(value));
    message = `must be one of ${allowed.join(', ')}`;
  } else if (error.keyword === 'format' && DATE_FORMATS.has(String(error.params.format))) {
    message = `must be an ISO 8601 ${error.params.format === 'date' ? 'date (2026-11-28)' : 'date-time (2026-11-28T09:30:00Z)'}`;
  } else if (error.keyword === 'anyOf') {
    // The alternatives' own errors say how each failed; name the forms the value may take instead.
    const dates = alternatives.filter(
      (e) => e.keyword === 'format' && DATE_FORMATS.has(String(e.params.format)),
    );
    message =
      dates.length > 0
        ? 'must be an ISO 8601 date (2026-11-28) or date-time (2026-11-28T09:30:00Z)'
        : `must be ${[...new Set(alternatives.map((e) => (e.message ?? 'valid').replace(/^must be /, '')))].join(', or ')}`;
  } else if (error.keyword === 'pattern' && error.params.pattern === DATE_OR_DATE_TIME_PATTERN) {
    message = 'must be an ISO 8601 date (2026-11-28) or date-time with offset (2026-11-28T09:30:00Z)';
  } else if (listed !== undefined) {
    message = listed;
  } else if (error.keyword === 'pattern' && error.params.pattern === FRONT_MATTER_PATTERN) {
    message = 'line 1: the file must start with a --- front matter fence';
  } else if (error.keyword === 'pattern' && error.params.pattern === EMAIL_PATTERN) {
    message = 'must be an email address like name@example.org';
  } else if (error.keyword === 'format' && error.params.format === 'email') {
    message = 'must be an email address like name@example.org';
  } else if (error.keyword === 'not' && error.instancePath === '') {
    // The one `not` in the schemas: article lists page by `cursor` or by `page`.
    message = 'uses both `cursor` and `page`; page by one or the other';
  }
  return { path, message };
}

/** The value at an Ajv instance path (`/fields`) in the request part it checked. */
function valueAt(data: unknown, path: string): unknown {
  return path
    .split('/')
    .slice(1)
    .reduce<unknown>((value, key) => (value as Record<string, unknown> | undefined)?.[key], data);
}

/** Ajv errors as field errors, the alternatives of an anyOf folded into it, at most MAX_LISTED_ERRORS. */
export function fieldErrors(context: string, errors: AjvError[], data?: unknown) {
  const anyOfPaths = new Set(errors.filter((e) => e.keyword === 'anyOf').map((e) => e.instancePath));
  const listed: { path: string; message: string }[] = [];
  let more = 0;
  const seen = new Set<string>();
  for (const error of errors) {
    if (error.keyword !== 'anyOf' && anyOfPaths.has(error.instancePath)) continue;
    // Two rules saying the same of one field (format and pattern of an email) are listed once.
    const key = `${error.instancePath}|${error.keyword === 'pattern' || error.keyword === 'format' ? 'form' : error.keyword}|${String(error.params.additionalProperty ?? error.params.missingProperty ?? '')}`;
    if (seen.has(key)) continue;
    seen.add(key);
    if (listed.length >= MAX_LISTED_ERRORS) {
      more++;
      continue;
    }
    const alternatives =
      error.keyword === 'anyOf'
        ? errors.filter((e) => e !== error && e.instancePath === error.instancePath)
        : [];
    listed.push(fieldError(context, error, alternatives, data));
  }
  return { listed, more };
}
