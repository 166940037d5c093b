import { createHash, randomBytes } from 'node:crypto';
import { asc, count, eq, sql } from 'drizzle-orm';
import { writeTransaction } from '../../db/helpers.js';
import type { Db } from '../../db/index.js';
import { API_SCOPES, apiKeys } from '../../db/schema.js';

export type Scope = (typeof API_SCOPES)[number];
export { API_SCOPES };

export interface ApiKey {
  id: number;
  name: string;
  prefix: string;
  scopes: Scope[];
  createdAt: string;
  lastUsedAt: string | null;
}

const KEY_MARKER = 'bsk_';
const PREFIX_LENGTH = KEY_MARKER.length + 8;
// Writing lastUsedAt on every request would turn each read into a write; once a minute is plenty.
const LAST_USED_RESOLUTION_MS = 60_000;

export const hashKey = (key: string) => createHash('sha256').update(key).digest('hex');

/** A new key (32 random bytes, `bsk_`-marked) and the row that stores it: only its SHA-256. */
export function newKey(name: string, scopes: Scope[], at: Date) {
  const key = `${KEY_MARKER}${randomBytes(32).toString('base64url')}`;
  const row = {
    name,
    prefix: key.slice(0, PREFIX_LENGTH),
    hash: hashKey(key),
    scopes: [...new Set(scopes)],
    createdAt: at.toISOString(),
  };
  return { key, row };
}

/** Whether a use at `at` is worth writing down (once a minute at most). */
export const wantsLastUsed = (key: { lastUsedAt: string | null }, at: Date) =>
  !key.lastUsedAt || at.getTime() - Date.parse(key.lastUsedAt) > LAST_USED_RESOLUTION_MS;

const columns = {
  id: apiKeys.id,
  name: apiKeys.name,
  prefix: apiKeys.prefix,
  scopes: apiKeys.scopes,
  createdAt: apiKeys.createdAt,
  lastUsedAt: apiKeys.lastUsedAt,
};

export function createKeysRepository(db: Db, now: () => Date) {
  // Prepared once: every keyed request runs it.
  const byHash = db
    .select(columns)
    .from(apiKeys)
    .where(eq(apiKeys.hash, sql.placeholder('hash')))
    .prepare();
  return {
    /** Makes a key: 32 random bytes, `bsk_`-marked; only its SHA-256 is stored. */
    create(name: string, scopes: Scope[]): ApiKey & { key: string } {
      const { key, row } = newKey(name, scopes, now());
      return { ...db.insert(apiKeys).values(row).returning(columns).get(), key };
    },

    /** The key with this secret, marking it used; undefined for unknown or revoked keys. */
    authenticate(key: string): ApiKey | undefined {
      const row = byHash.get({ hash: hashKey(key) });
      if (!row) return undefined;
      const at = now();
      if (wantsLastUsed(row, at)) {
        row.lastUsedAt = at.toISOString();
        db.update(apiKeys).set({ lastUsedAt: row.lastUsedAt }).where(eq(apiKeys.id, row.id)).run();
      }
      return row;
    },

    list(page: number, perPage: number): { items: ApiKey[]; total: number } {
      const items = db
        .select(columns)
        .from(apiKeys)
        .orderBy(asc(apiKeys.id))
        .limit(perPage)
        .offset((page - 1) * perPage)
        .all();
      const total = db.select({ n: count() }).from(apiKeys).get()?.n ?? 0;
      return { items, total };
    },

    find(id: number): ApiKey | undefined {
      return db.select(columns).from(apiKeys).where(eq(apiKeys.id, id)).get();
    },

    /** Revokes a key at once: the row goes, so the next request with it is a 401. */
    revoke(id: number): boolean {
      return db.delete(apiKeys).where(eq(apiKeys.id, id)).run().changes > 0;
    },

    /**
     * On the first start of an empty database, makes an admin key and returns its secret (to
     * print once); otherwise, or when the environment supplies an admin key, returns undefined.
     */
    bootstrap(environmentHasAdminKey: boolean): string | undefined {
      if (environmentHasAdminKey) return undefined;
      return writeTransaction(db, () => {
        const existing = db.select({ n: count() }).from(apiKeys).get()?.n ?? 0;
        return existing === 0 ? this.create('bootstrap admin', ['admin']).key : undefined;
      });
    },
  };
}

export type KeysRepository = ReturnType<typeof createKeysRepository>;
