import { randomBytes } from 'node:crypto';
import { eq } from 'drizzle-orm';
import type { PgDb } from './index.js';
import { settings } from './schema.js';

/**
 * A setting's value, creating it with `initial()` on first use. Insert-or-ignore then read:
 * nodes starting together all end up with the first one's value.
 */
export async function persistentSetting(db: PgDb, name: string, initial: () => string): Promise<string> {
  await db.insert(settings).values({ name, value: initial() }).onConflictDoNothing();
  const [row] = await db.select({ value: settings.value }).from(settings).where(eq(settings.name, name));
  return row?.value ?? '';
}

/** The key that signs list cursors: one per database, so every node reads every node's cursors. */
export const cursorSecret = (db: PgDb) =>
  persistentSetting(db, 'cursor_secret', () => randomBytes(32).toString('hex'));
