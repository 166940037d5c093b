import { createHmac, timingSafeEqual } from 'node:crypto';
import { DomainError } from './errors.js';

/** Where a page ended: the sort values of its last item, then its id. */
export interface CursorPosition {
  values: (string | number | null)[];
  id: number;
}

const invalidCursor = (why: string) =>
  new DomainError(
    'bad-request',
    'invalid-cursor',
    `Invalid cursor: ${why}. Start again from the first page.`,
  );

/**
 * Opaque, signed list cursors. The payload names the query it belongs to (a digest of sort and
 * filters), so a cursor cannot be replayed against another query, and the HMAC (keyed by a
 * secret kept in the database, so cursors survive restarts) makes an edited cursor a 400.
 */
export function createCursorCodec(secret: string) {
  const sign = (payload: string) =>
    createHmac('sha256', secret).update(payload).digest('base64url').slice(0, 22);
  return {
    encode(queryKey: string, position: CursorPosition): string {
      const payload = Buffer.from(
        JSON.stringify({ q: queryKey, v: position.values, i: position.id }),
      ).toString('base64url');
      return `${payload}.${sign(payload)}`;
    },

    decode(queryKey: string, cursor: string): CursorPosition {
      const [payload, signature, extra] = cursor.split('.');
      if (!payload || !signature || extra !== undefined) throw invalidCursor('it is not one of ours');
      const expected = Buffer.from(sign(payload));
      const given = Buffer.from(signature);
      if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
        throw invalidCursor('it was altered or comes from another server');
      }
      const decoded = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as {
        q: string;
        v: (string | number | null)[];
        i: number;
      };
      if (decoded.q !== queryKey) throw invalidCursor('it belongs to a different sort, search or filter');
      return { values: decoded.v, id: decoded.i };
    },
  };
}

export type CursorCodec = ReturnType<typeof createCursorCodec>;
