import { and, eq, lt } from 'drizzle-orm';
import type { Database } from '../../db/database.js';
import type { Begin, IdempotencyStore, StoredResponse } from '../../http/idempotency.js';

export type { Begin, StoredResponse };

/** How long a response is kept for replay. */
export const IDEMPOTENCY_TTL_MS = 24 * 3_600_000;
/** A first request still unanswered after this died with its process: a retry may take over. */
const IN_FLIGHT_MS = 60_000;

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

export interface IdempotencyRepository extends IdempotencyStore {
  /** Forgets keys past their 24 hours; how many. */
  expire(at: string): Promise<number>;
}

/** Idempotency keys (IETF httpapi draft): the first response to each (client, key), for 24 hours. */
export function createIdempotencyRepository(db: Database): IdempotencyRepository {
  const { idempotencyKeys } = db.tables;
  const where = (client: string, key: string) =>
    and(eq(idempotencyKeys.client, client), eq(idempotencyKeys.key, key));

  return {
    // Writers run one at a time (Database.write), so a racing duplicate sees this one's row.
    begin: (client, key, requestHash, at) =>
      db.write(async () => {
        const query = db.query();
        const [row] = await query.select().from(idempotencyKeys).where(where(client, key));
        const refused = verdict(row, requestHash, at);
        if (refused) return refused;
        await query
          .insert(idempotencyKeys)
          .values({ client, key, requestHash, createdAt: at })
          .onConflictDoUpdate({
            target: [idempotencyKeys.client, idempotencyKeys.key],
            set: { requestHash, status: null, body: null, headers: null, createdAt: at },
          });
        return { kind: 'first' as const };
      }),

    async complete(client, key, response) {
      await db.writeAlone((query) =>
        query
          .update(idempotencyKeys)
          .set({ status: response.status, body: response.body, headers: response.headers })
          .where(where(client, key)),
      );
    },

    async release(client, key) {
      await db.writeAlone((query) => query.delete(idempotencyKeys).where(where(client, key)));
    },

    async expire(at) {
      const gone = await db.writeAlone((query) =>
        query
          .delete(idempotencyKeys)
          .where(lt(idempotencyKeys.createdAt, before(at, IDEMPOTENCY_TTL_MS)))
          .returning({ key: idempotencyKeys.key }),
      );
      return gone.length;
    },
  };
}
