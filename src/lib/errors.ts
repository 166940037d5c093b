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
