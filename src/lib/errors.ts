/**
 * Errors the domain layer (repositories, services) throws. They carry no HTTP status: the
 * error handler in src/http/errors.ts maps each kind to one.
 */
export type DomainErrorKind =
  | 'not-found'
  | 'conflict'
  | 'unprocessable'
  | 'precondition-failed'
  | 'precondition-required'
  | 'forbidden'
  | 'bad-request'
  | 'payload-too-large'
  | 'unsupported-media-type'
  | 'unavailable';

export class DomainError extends Error {
  constructor(
    readonly kind: DomainErrorKind,
    /** Stable machine-readable code; becomes the problem `type`. */
    readonly code: string,
    message: string,
    /** Extra members for the problem body (e.g. the slug holder on a conflict). */
    readonly extensions: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export const notFound = (resource: string, idOrSlug: string | number) =>
  new DomainError('not-found', 'not-found', `No ${resource} with id or slug "${idOrSlug}"`);

/**
 * A constraint error (unique, foreign key, not null, check) from either store: SQLite's
 * `SQLITE_CONSTRAINT_*` codes, PostgreSQL's SQLSTATE class 23. Drizzle wraps a PostgreSQL
 * driver error in a DrizzleQueryError whose `cause` carries the code.
 */
export function isConstraintViolation(error: unknown): boolean {
  for (let current = error; current instanceof Error; current = current.cause) {
    const code = String((current as { code?: unknown }).code);
    if (code.startsWith('SQLITE_CONSTRAINT') || /^23[0-9A-Z]{3}$/.test(code)) return true;
  }
  return false;
}
