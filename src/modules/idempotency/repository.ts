import { and, eq, lt } from 'drizzle-orm';
import { writeTransaction } from '../../db/helpers.js';
import type { Db } from '../../db/index.js';
import { idempotencyKeys } from '../../db/schema.js';

/** How long a response is kept for replay. */
export const IDEMPOTENCY_TTL_MS = 24 * 3_600_000;
/** A first request still unanswered after this died with its process: a retry may take over. */
const IN_FLIGHT_MS = 60_000;

export interface StoredResponse {
  status: number;
  body: string;
  headers: Record<string, string>;
}

export type Begin =
  | { kind: 'first' }
  | { kind: 'replay'; response: StoredResponse }
  | { kind: 'other-request' }
  | { kind: 'in-flight' };

export const before = (at: string, ms: number) => new Date(Date.parse(at) - ms).toISOString();

/** What a stored key means for a new request with it; undefined when the request may go first. */
export function verdict(
  row:
    | {
        requestHash: string;
        status: number | null;
        body: string | null;
        headers: Record<string, string> | null;
        createdAt: string;
      }
    | undefined,
  requestHash: string,
  at: string,
): Begin | undefined {
  const expired = row && row.createdAt < before(at, IDEMPOTENCY_TTL_MS);
  const abandoned = row && row.status === null && row.createdAt < before(at, IN_FLIGHT_MS);
  if (!row || expired) return undefined;
  if (row.requestHash !== requestHash) return { kind: 'other-request' };
  if (row.status !== null) {
    return {
      kind: 'replay',
      response: { status: row.status, body: row.body ?? '', headers: row.headers ?? {} },
    };
  }
  return abandoned ? undefined : { kind: 'in-flight' };
}

/** Idempotency keys (IETF httpapi draft): the first response to each (client, key), for 24 hours. */
export function createIdempotencyRepository(db: Db) {
  const where = (client: string, key: string) =>
    and(eq(idempotencyKeys.client, client), eq(idempotencyKeys.key, key));

  return {
    /** Claims the key for this request, or says why it cannot: one transaction, so racing duplicates see each other. */
    begin(client: string, key: string, requestHash: string, at: string): Begin {
      return writeTransaction(db, () => {
        const refused = verdict(
          db.select().from(idempotencyKeys).where(where(client, key)).get(),
          requestHash,
          at,
        );
        if (refused) return refused;
        db.insert(idempotencyKeys)
          .values({ client, key, requestHash, createdAt: at })
          .onConflictDoUpdate({
            target: [idempotencyKeys.client, idempotencyKeys.key],
            set: { requestHash, status: null, body: null, headers: null, createdAt: at },
          })
          .run();
        return { kind: 'first' };
      });
    },

    complete(client: string, key: string, response: StoredResponse): void {
      db.update(idempotencyKeys)
        .set({ status: response.status, body: response.body, headers: response.headers })
        .where(where(client, key))
        .run();
    },

    /** Forgets a key whose request failed on the server's side, so a retry runs again. */
    release(client: string, key: string): void {
      db.delete(idempotencyKeys).where(where(client, key)).run();
    },

    expire(at: string): number {
      return db
        .delete(idempotencyKeys)
        .where(lt(idempotencyKeys.createdAt, before(at, IDEMPOTENCY_TTL_MS)))
        .run().changes;
    },
  };
}

export type IdempotencyRepository = ReturnType<typeof createIdempotencyRepository>;
