import type { FastifyRequest } from 'fastify';
import { DomainError } from '../lib/errors.js';
import {
  audienceName,
  type CachingOptions,
  ENCODING_SUFFIX,
  parseTags,
  sign,
  type ValidatorBasis,
} from './caching.js';

/**
 * The version an If-Match header lets a write apply to: undefined for `*` or no header (428
 * when `required`). The tags are compared strongly with the resource's current ETag for this
 * caller (any encoding of it): a weak tag, another resource's or an older one fails with 412.
 */
export function expectedVersion(
  request: FastifyRequest,
  current: ValidatorBasis | undefined,
  options: Pick<CachingOptions, 'secret'> & { required: boolean },
): number | undefined {
  const header = request.headers['if-match'];
  if (header === undefined) {
    if (options.required) {
      throw new DomainError(
        'precondition-required',
        'if-match-required',
        'This server requires If-Match with the ETag you last read, so edits cannot overwrite each other',
      );
    }
    return undefined;
  }
  // Not there (or hidden): the write answers 404, not 412.
  if (!current) return undefined;
  const tags = parseTags(header);
  if (tags.includes('*')) return undefined;
  const etag = `${current.prefix}.${sign(options, current.basis, '', audienceName(request))}`;
  if (!tags.some((tag) => tag.replace(ENCODING_SUFFIX, '') === etag)) {
    throw new DomainError(
      'precondition-failed',
      'stale-version',
      'If-Match does not name the current ETag of this article (strong comparison): fetch it again and reapply your change',
      { currentVersion: current.version },
    );
  }
  return current.version;
}
