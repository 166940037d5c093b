import { randomBytes } from 'node:crypto';
import { eq } from 'drizzle-orm';
import type { Db } from './index.js';
import { settings } from './schema.js';

/** A setting's value, creating it with `initial()` on first use (race-free: insert or ignore). */
export function persistentSetting(db: Db, name: string, initial: () => string): string {
  db.insert(settings).values({ name, value: initial() }).onConflictDoNothing().run();
  return (
    db.select({ value: settings.value }).from(settings).where(eq(settings.name, name)).get()?.value ?? ''
  );
}

/** The key that signs list cursors: random once per database, so cursors survive restarts. */
export const cursorSecret = (db: Db) =>
  persistentSetting(db, 'cursor_secret', () => randomBytes(32).toString('hex'));
