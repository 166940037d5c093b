import { asc, count, eq, sql } from 'drizzle-orm';
import type { Asynchronous } from '../../db/asynchronous.js';
import type { PgDb } from '../../db/postgres/index.js';
import { apiKeys } from '../../db/postgres/schema.js';
import { executor, writeTransaction } from '../../db/postgres/transaction.js';
import {
  type ApiKey,
  hashKey,
  type KeysRepository,
  newKey,
  type Scope,
  wantsLastUsed,
} from './repository.js';

const columns = {
  id: apiKeys.id,
  name: apiKeys.name,
  prefix: apiKeys.prefix,
  scopes: apiKeys.scopes,
  createdAt: apiKeys.createdAt,
  lastUsedAt: apiKeys.lastUsedAt,
};

/** API keys on PostgreSQL (see ./repository.ts). */
export function createPostgresKeysRepository(db: PgDb, now: () => Date): Asynchronous<KeysRepository> {
  const create = async (name: string, scopes: Scope[]): Promise<ApiKey & { key: string }> => {
    const { key, row } = newKey(name, scopes, now());
    const [created] = await executor(db).insert(apiKeys).values(row).returning(columns);
    if (!created) throw new Error('key not written');
    return { ...created, key };
  };
  return {
    create,

    async authenticate(key) {
      const [row] = await executor(db)
        .select(columns)
        .from(apiKeys)
        .where(eq(apiKeys.hash, hashKey(key)));
      if (!row) return undefined;
      const at = now();
      if (wantsLastUsed(row, at)) {
        row.lastUsedAt = at.toISOString();
        await executor(db).update(apiKeys).set({ lastUsedAt: row.lastUsedAt }).where(eq(apiKeys.id, row.id));
      }
      return row;
    },

    async list(page, perPage) {
      const items = await executor(db)
        .select(columns)
        .from(apiKeys)
        .orderBy(asc(apiKeys.id))
        .limit(perPage)
        .offset((page - 1) * perPage);
      const [total] = await executor(db).select({ n: count() }).from(apiKeys);
      return { items, total: total?.n ?? 0 };
    },

    async find(id) {
      const [row] = await executor(db).select(columns).from(apiKeys).where(eq(apiKeys.id, id));
      return row;
    },

    async revoke(id) {
      const deleted = await executor(db)
        .delete(apiKeys)
        .where(eq(apiKeys.id, id))
        .returning({ id: apiKeys.id });
      return deleted.length > 0;
    },

    // Nodes starting together on an empty database: the write lock lets one of them make the key.
    async bootstrap(environmentHasAdminKey) {
      if (environmentHasAdminKey) return undefined;
      return writeTransaction(db, async () => {
        const [existing] = await executor(db).select({ n: sql<number>`count(*)::int` }).from(apiKeys);
        return (existing?.n ?? 0) === 0 ? (await create('bootstrap admin', ['admin'])).key : undefined;
      });
    },
  };
}
