import { randomBytes } from 'node:crypto';
import { eq } from 'drizzle-orm';
import type { Database } from './database.js';

/**
 * A setting's value, creating it with `initial()` on first use. Insert-or-ignore then read:
 * processes and nodes starting together all end up with the first one's value.
 */
export async function persistentSetting(db: Database, name: string, initial: () => string): Promise<string> {
  const { settings } = db.tables;
  await db.writeAlone((query) =>
    query.insert(settings).values({ name, value: initial() }).onConflictDoNothing(),
  );
  const [row] = await db
    .query()
    .select({ value: settings.value })
    .from(settings)
    .where(eq(settings.name, name));
  return row?.value ?? '';
}

/** The key that signs list cursors: one per database, so every node reads every node's cursors. */
export const cursorSecret = (db: Database) =>
  persistentSetting(db, 'cursor_secret', () => randomBytes(32).toString('hex'));
