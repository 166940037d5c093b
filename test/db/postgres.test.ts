import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import t from 'tap';
import { openDatabase } from '../../src/db/index.js';
import { openPostgres } from '../../src/db/postgres/index.js';
import { freshPostgres, freshPostgresDatabase, needsPostgres, postgresUrl } from '../helpers/postgres.js';

// The PostgreSQL store's schema and migrations. They run where TEST_DATABASE_URL is set
// (.ci/run starts a PostgreSQL for them); plain `npm test` skips them.

const run = promisify(execFile);

interface Catalogue {
  /** table -> column -> whether it may be null */
  columns: Record<string, Record<string, boolean>>;
  /** index name -> "table(col, col)" */
  indexes: Record<string, string>;
}

// Store-specific machinery, not part of the shared model.
const SQLITE_ONLY = /^(articles_fts.*|sqlite_.*|__drizzle_migrations)$/;
const POSTGRES_ONLY = /^(article_search.*|__drizzle_migrations.*)$/;

function sqliteCatalogue(): Catalogue {
  const { sqlite } = openDatabase(':memory:');
  const catalogue: Catalogue = { columns: {}, indexes: {} };
  const tables = sqlite
    .prepare("select name from sqlite_master where type = 'table'")
    .pluck()
    .all() as string[];
  for (const table of tables.filter((name) => !SQLITE_ONLY.test(name))) {
    const columns = sqlite.prepare(`pragma table_info(${table})`).all() as {
      name: string;
      notnull: number;
      pk: number;
    }[];
    catalogue.columns[table] = Object.fromEntries(
      columns.map((column) => [column.name, column.notnull === 0 && column.pk === 0]),
    );
    const indexes = sqlite.prepare(`pragma index_list(${table})`).all() as { name: string; origin: string }[];
    for (const index of indexes.filter((index) => index.origin === 'c' || index.origin === 'u')) {
      if (index.name.startsWith('sqlite_autoindex')) continue;
      const parts = sqlite.prepare(`pragma index_info(${index.name})`).all() as { name: string | null }[];
      catalogue.indexes[index.name] =
        `${table}(${parts.map((part) => part.name ?? 'expression').join(', ')})`;
    }
  }
  sqlite.close();
  return catalogue;
}

async function postgresCatalogue(query: (text: string) => Promise<{ rows: Record<string, string>[] }>) {
  const catalogue: Catalogue = { columns: {}, indexes: {} };
  const { rows: columns } = await query(
    `select table_name, column_name, is_nullable from information_schema.columns
      where table_schema = current_schema() order by table_name, ordinal_position`,
  );
  for (const column of columns) {
    const table = column.table_name as string;
    if (POSTGRES_ONLY.test(table)) continue;
    catalogue.columns[table] ??= {};
    (catalogue.columns[table] as Record<string, boolean>)[column.column_name as string] =
      column.is_nullable === 'YES';
  }
  const { rows: indexes } = await query(
    `select i.relname as index, t.relname as table,
            coalesce(string_agg(coalesce(a.attname, 'expression'), ', ' order by k.ordinality), '') as columns
       from pg_index x
       join pg_class i on i.oid = x.indexrelid
       join pg_class t on t.oid = x.indrelid
       join pg_namespace n on n.oid = t.relnamespace
       cross join lateral unnest(x.indkey) with ordinality as k(attnum, ordinality)
       left join pg_attribute a on a.attrelid = t.oid and a.attnum = k.attnum and k.attnum > 0
      where n.nspname = current_schema() and not x.indisprimary
      group by i.relname, t.relname`,
  );
  for (const index of indexes) {
    if (POSTGRES_ONLY.test(index.table as string)) continue;
    catalogue.indexes[index.index as string] = `${index.table}(${index.columns})`;
  }
  return catalogue;
}

t.test(
  'migrations build the same tables, columns and indexes as on SQLite',
  { skip: needsPostgres },
  async (t) => {
    const store = await freshPostgres(t);
    const postgres = await postgresCatalogue((text) => store.pool.query(text));
    const sqlite = sqliteCatalogue();
    t.ok(Object.keys(sqlite.columns).length >= 16, 'the SQLite catalogue was read');
    t.same(Object.keys(postgres.columns).sort(), Object.keys(sqlite.columns).sort(), 'the same tables');
    for (const [table, columns] of Object.entries(sqlite.columns)) {
      t.same(postgres.columns[table], columns, `${table}: the same columns, nullable alike`);
    }
    t.same(postgres.indexes, sqlite.indexes, 'the same indexes, on the same columns');
  },
);

t.test(
  'migrating again, or from two processes at once, changes nothing',
  { skip: needsPostgres },
  async (t) => {
    const store = await freshPostgres(t);
    const count = async () =>
      Number(
        (await store.pool.query(`select count(*) as n from ${store.schema}.__drizzle_migrations`)).rows[0].n,
      );
    const applied = await count();
    t.ok(applied >= 2);
    const again = await Promise.all([
      openPostgres(postgresUrl as string, { schema: store.schema, poolSize: 1 }),
      openPostgres(postgresUrl as string, { schema: store.schema, poolSize: 1 }),
    ]);
    for (const handle of again) await handle.close();
    t.equal(await count(), applied);
  },
);

t.test(
  'every write to content moves content_state row by row, as SQLite triggers do',
  { skip: needsPostgres },
  async (t) => {
    const { pool } = await freshPostgres(t);
    const generation = async () =>
      (await pool.query('select generation, changed_at from content_state')).rows[0];
    const start = await generation();
    t.match(start.changed_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/, 'changed_at is ISO 8601 UTC text');
    await pool.query(
      `insert into sections (slug, name, created_at, updated_at) values ('a', 'A', 'x', 'x'), ('b', 'B', 'x', 'x')`,
    );
    t.equal((await generation()).generation, start.generation + 2, 'one step per row');
    await pool.query(`update sections set name = 'C' where slug = 'none'`);
    t.equal(
      (await generation()).generation,
      start.generation + 2,
      'a write that changes no row moves nothing',
    );
    await pool.query(
      `insert into webhooks (url, events, secret, created_at, updated_at) values ('https://x.test', '[]', 's', 'x', 'x')`,
    );
    await pool.query(`insert into settings (name, value) values ('n', 'v')`);
    t.equal((await generation()).generation, start.generation + 3, 'webhooks move it; settings do not');
  },
);

t.test(
  'the search document follows titles, bodies, tags and tag renames',
  { skip: needsPostgres },
  async (t) => {
    const { pool } = await freshPostgres(t);
    const matches = async (tsquery: string) =>
      (await pool.query('select article_id from article_search where document @@ $1::tsquery', [tsquery]))
        .rows.length;
    await pool.query(
      `insert into articles (slug, title, created_at, updated_at) values ('a', 'Café in Zürich', 'x', 'x')`,
    );
    t.equal(await matches(`'cafe' <-> 'in' <-> 'zurich'`), 1, 'the title, folded');
    await pool.query(
      `insert into article_bodies (article_id, body_text) values (1, 'A cease-fire, U.S. says')`,
    );
    t.equal(await matches(`'cease' <-> 'fire' & 'u' <-> 's'`), 1, 'the body, cut into words as FTS5 does');
    await pool.query(
      `insert into tags (slug, name, created_at, updated_at) values ('t', 'Élysée', 'x', 'x')`,
    );
    await pool.query('insert into article_tags (article_id, tag_id, position) values (1, 1, 0)');
    t.equal(await matches(`'elysee'`), 1, 'a tag given');
    await pool.query(`update tags set name = 'Matignon' where id = 1`);
    t.equal(await matches(`'elysee'`), 0, 'a renamed tag, gone');
    t.equal(await matches(`'matignon'`), 1, 'and found by its new name');
    t.equal(await matches(`'zurich' <-> 'matignon'`), 0, 'a phrase never runs from one field into the next');
    await pool.query('delete from article_tags');
    t.equal(await matches(`'matignon'`), 0, 'an untagged article');
    await pool.query('delete from articles');
    t.equal(
      (await pool.query('select count(*)::int as n from article_search')).rows[0].n,
      0,
      'deleted with its article',
    );
  },
);

t.test(
  'npm run migrate prepares a PostgreSQL database; the server says it cannot serve it yet',
  { skip: needsPostgres },
  async (t) => {
    const url = await freshPostgresDatabase(t);
    const withPassword = new URL(url);
    withPassword.password = 'not-needed-secret';
    const env = { ...process.env, DATABASE_URL: withPassword.href, LOG_LEVEL: 'silent' };
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'migrate'], { env });
    t.match(stdout, /^migrated postgres:\/\/postgres:\*\*\*@/, 'done, the password left out');
    t.notMatch(stdout, /not-needed-secret/);
    const check = await openPostgres(url, { poolSize: 1 });
    t.teardown(() => check.close());
    const { rows } = await check.pool.query('select count(*)::int as n from articles');
    t.equal(rows[0].n, 0, 'the tables are there');
    const started = await run(process.execPath, ['--import', 'tsx', 'src/server.ts'], { env }).then(
      () => ({ code: 0, stderr: '' }),
      (error: { code: number; stderr: string }) => error,
    );
    t.equal(started.code, 1, 'the server exits');
    t.match(started.stderr, /does not run on PostgreSQL yet/, 'saying why');
    t.notMatch(started.stderr, /not-needed-secret/);
  },
);
