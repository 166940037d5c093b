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

t.test('free-text bylines from before authors become author records, linked in place', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'broadsheet-migrate-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'old.db');
  const before = journal.entries.findIndex((entry) => entry.tag === '0021_authors');
  t.ok(before > 0, 'the authors migration is in the journal');
  const old = openDatabase(file, migrationsUpTo(dir, before));
  const at = '2025-01-01T00:00:00.000Z';
  const insert = old.sqlite.prepare(
    `insert into articles (slug, title, status, author, published_at, created_at, updated_at) values (?, ?, 'published', ?, ?, ?, ?)`,
  );
  const bylines = ['Ada Reporter', 'ada reporter', 'José Núñez', 'Bo Stringer', null, '  '];
  bylines.forEach((author, index) => {
    insert.run(`story-${index}`, `Story ${index}`, author, at, at, at);
  });
  old.sqlite.prepare("insert into article_bodies (article_id, body) select id, 'Text' from articles").run();
  old.sqlite.close();

  const { call } = await buildTestApp(t, { databaseFile: file });
  const byline = async (index: number) =>
    (await call('GET', `/v1/articles/story-${index}`, { key: null })).json;
  const first = await byline(0);
  t.same(first.authors, [{ id: first.authors[0].id, slug: 'ada-reporter', name: 'Ada Reporter' }]);
  t.equal(first.byline, 'Ada Reporter');
  t.equal(first.author, 'Ada Reporter', 'the old field still reads the same');
  t.same(
    (await byline(1)).authors.map((author: { slug: string }) => author.slug),
    ['ada-reporter'],
    'names differing in case are one author, as articles match names',
  );
  t.same(
    (await byline(2)).authors.map((author: { slug: string }) => author.slug),
    ['jose-nunez'],
  );
  t.same((await byline(4)).authors, [], 'no byline stays none');
  t.equal((await byline(5)).byline, null, 'a blank byline is dropped');

  const authors = await call('GET', '/v1/authors');
  t.same(
    authors.json.data.map((author: { name: string; articleCount: number }) => [
      author.name,
      author.articleCount,
    ]),
    [
      ['Ada Reporter', 2],
      ['Bo Stringer', 1],
      ['José Núñez', 1],
    ],
  );
  const filtered = await call('GET', '/v1/articles?author=ada-reporter', { key: null });
  t.same(filtered.json.data.map((article: { slug: string }) => article.slug).sort(), ['story-0', 'story-1']);

  const reopened = openDatabase(file);
  t.teardown(() => reopened.sqlite.close());
  const left = reopened.sqlite.prepare('select count(*) as n from articles where author is not null').get();
  t.same(left, { n: 0 }, 'the free text is cleared, so the next start has nothing to do');
});
