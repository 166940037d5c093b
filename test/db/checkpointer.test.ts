import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { sql } from 'drizzle-orm';
import t from 'tap';
import { startCheckpointer } from '../../src/db/checkpointer.js';
import { openSqliteDatabase } from '../../src/db/sqlite.js';
import { eventually } from '../helpers/eventually.js';

// SQLite only: where its write-ahead log is copied into the file, and by whom.
t.test(
  'a store that keeps writing has its log copied into the file by a thread, not by a COMMIT',
  async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'broadsheet-checkpoints-'));
    t.teardown(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, 'store.db');
    const db = openSqliteDatabase(file);
    t.teardown(() => db.close());
    const { settings } = db.tables;
    const write = (n: number) =>
      db.write(() =>
        db
          .query()
          .insert(settings)
          .values({ name: `row-${n}`, value: 'x'.repeat(2000) }),
      );

    // 99 writes of 2 KB: a few hundred pages of log, under the 1,000 at which a COMMIT copies it.
    for (let n = 1; n < 100; n++) await write(n);
    const before = statSync(file).size;
    t.ok(
      !(await eventually(() => statSync(file).size > before, { withinMs: 500 })),
      'nothing copied the log yet: the file holds none of the new rows',
    );

    // The hundredth starts the thread, which copies the log within its interval.
    await write(100);
    t.ok(
      await eventually(() => statSync(file).size > before),
      'the file grew with the rows while no write was running',
    );
    const [row] = await db
      .query()
      .select({ rows: sql<number>`count(*)` })
      .from(settings)
      .where(sql`name like 'row-%'`);
    t.equal(row?.rows, 100, 'every row is there');
  },
);

t.test('a thread that cannot checkpoint hands the job back to the writer', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'broadsheet-checkpoints-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const writer = new Database(join(dir, 'store.db'));
  t.teardown(() => writer.close());
  const autocheckpoint = () => writer.pragma('wal_autocheckpoint', { simple: true });
  // The thread's connection fails to open: the folder it names does not exist.
  const checkpointer = startCheckpointer(join(dir, 'missing', 'store.db'), writer);
  t.teardown(() => checkpointer.stop());
  t.ok(await eventually(() => autocheckpoint() === 1000), "the writer checkpoints at SQLite's default again");
});
