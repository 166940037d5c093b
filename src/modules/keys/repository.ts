import { createHash, randomBytes } from 'node:crypto';
import { asc, eq, sql } from 'drizzle-orm';
import type { Database, Query } from '../../db/database.js';
import { withPagination } from '../../db/helpers.js';
import { API_SCOPES, type Scope } from '../../lib/scopes.js';

export { API_SCOPES, type Scope };

export interface ApiKey {
  id: number;
  name: string;
  prefix: string;
  scopes: Scope[];
  /** The author the key writes as, if any. */
  author: { id: number; slug: string; name: string } | null;
  createdAt: string;
  lastUsedAt: string | null;
}

/** What a request's key is, for authorisation and for the record of who wrote. */
export interface KeyHolder {
  id: number;
  name: string;
  scopes: Scope[];
  authorId: number | null;
}

const KEY_MARKER = 'bsk_';
const PREFIX_LENGTH = KEY_MARKER.length + 8;
// Writing lastUsedAt on every request would turn each read into a write; once a minute is plenty.
const LAST_USED_RESOLUTION_MS = 60_000;

export const hashKey = (key: string) => createHash('sha256').update(key).digest('hex');

/** A new key (32 random bytes, `bsk_`-marked) and the row that stores it: only its SHA-256. */
export function newKey(name: string, scopes: Scope[], at: Date, authorId: number | null = null) {
  const key = `${KEY_MARKER}${randomBytes(32).toString('base64url')}`;
  const row = {
    name,
    prefix: key.slice(0, PREFIX_LENGTH),
    hash: hashKey(key),
    scopes: [...new Set(scopes)],
    authorId,
    createdAt: at.toISOString(),
  };
  return { key, row };
}

/** Whether a use at `at` is worth writing down (once a minute at most). */
export const wantsLastUsed = (key: { lastUsedAt: string | null }, at: Date) =>
  !key.lastUsedAt || at.getTime() - Date.parse(key.lastUsedAt) > LAST_USED_RESOLUTION_MS;

export interface KeysRepository {
  /** Makes a key: 32 random bytes, `bsk_`-marked; only its SHA-256 is stored. */
  create(name: string, scopes: Scope[], authorId?: number): Promise<ApiKey & { key: string }>;
  /** The key with this secret, marking it used; undefined for unknown or revoked keys. */
  authenticate(key: string): Promise<(KeyHolder & { lastUsedAt: string | null }) | undefined>;
  list(page: number, perPage: number): Promise<{ items: ApiKey[]; total: number }>;
  find(id: number): Promise<ApiKey | undefined>;
  /** Revokes a key at once: the row goes, so the next request with it is a 401. */
  revoke(id: number): Promise<boolean>;
  /**
   * On the first start of an empty database, makes an admin key and returns its secret (to
   * print once); otherwise, or when the environment supplies an admin key, returns undefined.
   */
  bootstrap(environmentHasAdminKey: boolean): Promise<string | undefined>;
}

const toApiKey = (row: {
  id: number;
  name: string;
  prefix: string;
  scopes: Scope[];
  authorId: number | null;
  authorSlug: string | null;
  authorName: string | null;
  createdAt: string;
  lastUsedAt: string | null;
}): ApiKey => {
  const { authorId, authorSlug, authorName, ...key } = row;
  const author = authorId === null ? null : { id: authorId, slug: authorSlug ?? '', name: authorName ?? '' };
  return { ...key, author };
};

export function createKeysRepository(db: Database, now: () => Date): KeysRepository {
  const { apiKeys, authors } = db.tables;
  const columns = {
    id: apiKeys.id,
    name: apiKeys.name,
    prefix: apiKeys.prefix,
    scopes: apiKeys.scopes,
    authorId: apiKeys.authorId,
    authorSlug: authors.slug,
    authorName: authors.name,
    createdAt: apiKeys.createdAt,
    lastUsedAt: apiKeys.lastUsedAt,
  };
  const keysWithAuthors = (query: Query) =>
    query.select(columns).from(apiKeys).leftJoin(authors, eq(authors.id, apiKeys.authorId));
  // Prepared once: every keyed request runs it.
  const byHash = db.readers
    .select({
      id: apiKeys.id,
      name: apiKeys.name,
      scopes: apiKeys.scopes,
      authorId: apiKeys.authorId,
      lastUsedAt: apiKeys.lastUsedAt,
    })
    .from(apiKeys)
    .where(eq(apiKeys.hash, sql.placeholder('hash')))
    .prepare('key_by_hash');
  const find = async (id: number) => {
    const [row] = await keysWithAuthors(db.query()).where(eq(apiKeys.id, id));
    return row && toApiKey(row);
  };
  const create = async (name: string, scopes: Scope[], authorId?: number) => {
    const { key, row } = newKey(name, scopes, now(), authorId);
    const [created] = await db.writeAlone((query) =>
      query.insert(apiKeys).values(row).returning({ id: apiKeys.id }),
    );
    const stored = created && (await find(created.id));
    if (!stored) throw new Error('key not written');
    return { ...stored, key };
  };

  return {
    create,

    async authenticate(key) {
      const [row] = await byHash.execute({ hash: hashKey(key) });
      if (!row) return undefined;
      const at = now();
      if (wantsLastUsed(row, at)) {
        row.lastUsedAt = at.toISOString();
        const { lastUsedAt, id } = row;
        await db.writeAlone((query) => query.update(apiKeys).set({ lastUsedAt }).where(eq(apiKeys.id, id)));
      }
      return row;
    },

    async list(page, perPage) {
      const rows = await withPagination(
        keysWithAuthors(db.query()).orderBy(asc(apiKeys.id)).$dynamic(),
        page,
        perPage,
      );
      const total = await db.query().$count(apiKeys);
      return { items: rows.map(toApiKey), total };
    },

    find,

    async revoke(id) {
      const deleted = await db.writeAlone((query) =>
        query.delete(apiKeys).where(eq(apiKeys.id, id)).returning({ id: apiKeys.id }),
      );
      return deleted.length > 0;
    },

    // Nodes starting together on an empty database: the write lock lets one of them make the key.
    async bootstrap(environmentHasAdminKey) {
      if (environmentHasAdminKey) return undefined;
      return db.write(async () => {
        const existing = await db.query().$count(apiKeys);
        return existing === 0 ? (await create('bootstrap admin', ['admin'])).key : undefined;
      });
    },
  };
}
