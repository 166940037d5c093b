import { and, eq, lt } from 'drizzle-orm';
import type { Asynchronous } from '../../db/asynchronous.js';
import type { PgDb } from '../../db/postgres/index.js';
import { idempotencyKeys } from '../../db/postgres/schema.js';
import { executor, writeTransaction } from '../../db/postgres/transaction.js';
import { before, IDEMPOTENCY_TTL_MS, type IdempotencyRepository, verdict } from './repository.js';

const where = (client: string, key: string) =>
  and(eq(idempotencyKeys.client, client), eq(idempotencyKeys.key, key));

/** Idempotency keys on PostgreSQL (see ./repository.ts). */
export function createPostgresIdempotencyRepository(db: PgDb): Asynchronous<IdempotencyRepository> {
  return {
    // The row is locked (or its absence, by the write lock) so racing duplicates see each other.
    begin: (client, key, requestHash, at) =>
      writeTransaction(db, async () => {
        const tx = executor(db);
        const [row] = await tx.select().from(idempotencyKeys).where(where(client, key)).for('update');
        const refused = verdict(row, requestHash, at);
        if (refused) return refused;
        await tx
          .insert(idempotencyKeys)
          .values({ client, key, requestHash, createdAt: at })
          .onConflictDoUpdate({
            target: [idempotencyKeys.client, idempotencyKeys.key],
            set: { requestHash, status: null, body: null, headers: null, createdAt: at },
          });
        return { kind: 'first' as const };
      }),

    async complete(client, key, response) {
      await executor(db)
        .update(idempotencyKeys)
        .set({ status: response.status, body: response.body, headers: response.headers })
        .where(where(client, key));
    },

    async release(client, key) {
      await executor(db).delete(idempotencyKeys).where(where(client, key));
    },

    async expire(at) {
      const gone = await executor(db)
        .delete(idempotencyKeys)
        .where(lt(idempotencyKeys.createdAt, before(at, IDEMPOTENCY_TTL_MS)))
        .returning({ key: idempotencyKeys.key });
      return gone.length;
    },
  };
}
