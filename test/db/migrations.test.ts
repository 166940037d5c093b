import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { MIGRATIONS_FOLDER, openDatabase } from '../../src/db/index.js';
import { buildTestApp } from '../helpers/app.js';

// SQLite only, with or without TEST_DATABASE_URL: upgrading SQLite files that older versions
// wrote. PostgreSQL's migrations are tested in postgres.test.ts.

interface Journal {
  entries: { idx: number; tag: string }[];
}

/** A copy of the migrations folder that stops after the first `count` migrations. */
function migrationsUpTo(dir: string, count: number): string {
  const folder = join(dir, `migrations-${count}`);
  cpSync(MIGRATIONS_FOLDER, folder, { recursive: true });
  const journalFile = join(folder, 'meta', '_journal.json');
  const journal = JSON.parse(readFileSync(journalFile, 'utf8')) as Journal;
  journal.entries = journal.entries.slice(0, count);
  writeFileSync(journalFile, JSON.stringify(journal));
  return folder;
}

const journal = JSON.parse(readFileSync(join(MIGRATIONS_FOLDER, 'meta', '_journal.json'), 'utf8')) as Journal;

t.test('there is more than one migration to upgrade through', async (t) => {
  t.ok(journal.entries.length >= 2);
});

for (let applied = 1; applied < journal.entries.length; applied++) {
  t.test(`a database at migration ${applied} upgrades in place, keeping its data`, async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'broadsheet-migrate-'));
    t.teardown(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, 'old.db');

    const old = openDatabase(file, migrationsUpTo(dir, applied));
    const at = '2025-01-01T00:00:00.000Z';
    old.sqlite
      .prepare('insert into sections (slug, name, position, created_at, updated_at) values (?, ?, 0, ?, ?)')
      .run('world', 'World', at, at);
    // Bodies lived in `articles` until migration 0011 moved them to `article_bodies`.
    const inline = (old.sqlite.prepare('pragma table_info(articles)').all() as { name: string }[]).some(
      (column) => column.name === 'body',
    );
    const { lastInsertRowid } = old.sqlite
      .prepare(
        `insert into articles (slug, title, ${inline ? 'body, ' : ''}status, section_id, published_at, created_at, updated_at) values ('kept', 'Kept', ${inline ? "'Body ’quoted’', " : ''}'published', 1, ?, ?, ?)`,
      )
      .run(at, at, at);
    if (!inline) {
      old.sqlite
        .prepare("insert into article_bodies (article_id, body) values (?, 'Body ’quoted’')")
        .run(lastInsertRowid);
    }
    old.sqlite.close();

    const { call } = await buildTestApp(t, { databaseFile: file });
    const article = await call('GET', '/v1/articles/kept', { key: null });
    t.equal(article.status, 200, 'the old article reads through the new code');
    t.equal(article.json.body, 'Body ’quoted’');
    t.equal(article.json.section.slug, 'world');
    const created = await call('POST', '/v1/articles', {
      body: { title: 'New', section: 'world', tags: ['t'] },
    });
    t.equal(created.status, 201, 'and new writes work on the upgraded schema');
  });
}

t.test('opening an up-to-date database again changes nothing', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'broadsheet-migrate-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'db.sqlite');
  openDatabase(file).sqlite.close();
  const again = openDatabase(file);
  t.teardown(() => again.sqlite.close());
  const rows = again.sqlite.prepare('select count(*) as n from __drizzle_migrations').get() as { n: number };
  t.equal(rows.n, journal.entries.length);
  t.equal(again.sqlite.pragma('journal_mode', { simple: true }), 'wal');
  t.equal(again.sqlite.pragma('foreign_keys', { simple: true }), 1);
});
