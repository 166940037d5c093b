import { DomainError } from './errors.js';

export interface SortKey<Field extends string> {
  field: Field;
  descending: boolean;
}

/** Parses `sort`; an unknown or repeated field is a 400 naming it. */
export function parseSort<Field extends string>(
  sort: string | undefined,
  fields: readonly Field[],
  fallback: string,
): SortKey<Field>[] {
  const keys = (sort ?? fallback).split(',').map((part) => {
    const descending = part.startsWith('-');
    const field = descending ? part.slice(1) : part;
    if (!fields.includes(field as Field)) {
      throw new DomainError(
        'bad-request',
        'invalid-sort',
        `Cannot sort by "${field}"; use one of: ${fields.join(', ')}`,
      );
    }
    return { field: field as Field, descending };
  });
  if (new Set(keys.map((key) => key.field)).size !== keys.length) {
    throw new DomainError('bad-request', 'invalid-sort', 'A sort field may appear only once');
  }
  return keys;
}
