import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import t from 'tap';
import { openDatabase } from '../../src/db/index.js';
import { openPostgres } from '../../src/db/postgres/index.js';
import type { DomainError } from '../../src/lib/errors.js';
import { renderMarkdown } from '../../src/lib/markdown.js';
import { createServices } from '../../src/services.js';
import { testConfig } from '../helpers/config.js';
import {
  freshPostgres,
  freshPostgresDatabase,
  freshPostgresStore,
  needsPostgres,
  postgresUrl,
} from '../helpers/postgres.js';
import { startServer } from '../helpers/server.js';

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
// Slugs in code-point order (assignSlugIn's range): SQLite's slug indexes already are (BINARY).
const POSTGRES_ONLY_INDEX = /_slug_code_point_idx$/;

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
    if (POSTGRES_ONLY.test(index.table as string) || POSTGRES_ONLY_INDEX.test(index.index as string))
      continue;
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
  'npm run migrate prepares a PostgreSQL database, npm run keys makes a key, the server serves it',
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
    const keys = await run(
      process.execPath,
      ['--import', 'tsx', 'src/cli.ts', 'keys', 'create', '--name', 'cli', '--scope', 'content:write'],
      { env },
    );
    const key = keys.stdout.trim().split('\n').at(-1) ?? '';
    t.match(key, /^bsk_/, 'a key is printed');
    const server = await startServer(t, { DATABASE_URL: withPassword.href, LOG_LEVEL: 'info' });
    const created = await fetch(`${server.baseUrl}/v1/tags`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'From PostgreSQL' }),
    });
    t.equal(created.status, 201, 'the key works against the server on PostgreSQL');
    const listed = await (
      await fetch(`${server.baseUrl}/v1/tags`, { headers: { authorization: `Bearer ${key}` } })
    ).json();
    t.same(
      listed.data.map((tag: { slug: string }) => tag.slug),
      ['from-postgresql'],
    );
    t.notMatch(server.output(), /not-needed-secret/, 'the password is never logged');
  },
);

t.test('writers on PostgreSQL take turns, as on SQLite', { skip: needsPostgres }, async (t) => {
  const at = '2026-01-15T12:00:00.000Z';
  const services = await createServices(await freshPostgresStore(t), () => new Date(at), {
    renderTimeoutMs: 10_000,
    media: testConfig().media,
  });
  t.teardown(() => services.renderer.close());
  const admin = { seesUnpublished: true, now: at };
  const editor = { audience: admin, actor: { keyId: null, keyName: 'editor', authorId: null } };
  const outcomes = (results: PromiseSettledResult<unknown>[]) =>
    results
      .map((result) => (result.status === 'fulfilled' ? 'ok' : (result.reason as DomainError).code))
      .sort();

  const sameName = await Promise.allSettled(
    Array.from({ length: 6 }, () => services.sections.create({ name: 'World' }, admin)),
  );
  t.same(
    outcomes(sameName),
    ['name-taken', 'name-taken', 'name-taken', 'name-taken', 'name-taken', 'ok'],
    'one name, one section',
  );

  // More writers than the pool has connections (4): the one holding the write lock must never
  // wait for a connection the waiting ones hold.
  const tags = await Promise.all(
    Array.from({ length: 12 }, (_, i) => services.tags.create({ name: `Tag ${i}` }, admin)),
  );
  t.equal(new Set(tags.map((tag) => tag.slug)).size, 12, 'twelve tags from twelve writers at once');

  const input = { title: 'Same title', body: 'Text.' };
  const created = await Promise.all(
    Array.from({ length: 6 }, () => services.articles.create(input, editor, renderMarkdown(input.body))),
  );
  t.same(
    created.map((article) => article.slug).sort(),
    ['same-title', 'same-title-2', 'same-title-3', 'same-title-4', 'same-title-5', 'same-title-6'],
    'derived slugs never collide',
  );

  const edits = await Promise.allSettled(
    ['a', 'b', 'c', 'd'].map((suffix) =>
      services.articles.update(
        created[0]?.id ?? 0,
        { title: `Edited ${suffix}` },
        { ...editor, expectedVersion: 1 },
      ),
    ),
  );
  t.same(
    outcomes(edits),
    ['ok', 'stale-version', 'stale-version', 'stale-version'],
    'If-Match: one edit wins',
  );

  const seqs = (await services.events.changesAfter(0, 100)).map((change) => change.seq);
  t.same(
    seqs,
    [...seqs].sort((a, b) => a - b),
    'the change feed is in commit order',
  );
  t.equal(new Set(seqs).size, seqs.length);

  // A failing write leaves nothing behind and tells no listener.
  let told = 0;
  const unsubscribe = services.events.onRecorded(() => told++);
  await t.rejects(services.articles.create({ ...input, section: 'nowhere' }, editor, renderMarkdown('x')), {
    code: 'unknown-section',
  });
  await new Promise((resolve) => setImmediate(resolve));
  t.equal(told, 0, 'no event from a rolled-back write');
  await services.tags.create({ name: 'Kyiv' }, admin);
  await new Promise((resolve) => setImmediate(resolve));
  t.equal(told, 1, 'a committed one is told');
  unsubscribe();
});

t.test(
  'reads of the content state arriving together share one query, never across a write',
  { skip: needsPostgres },
  async (t) => {
    const at = '2026-01-15T12:00:00.000Z';
    const services = await createServices(await freshPostgresStore(t), () => new Date(at), {
      renderTimeoutMs: 10_000,
      media: testConfig().media,
    });
    t.teardown(() => services.renderer.close());
    const admin = { seesUnpublished: true, now: at };
    await services.sections.create({ name: 'Before' }, admin);
    const before = await services.contentState.read(at);

    // A burst: all answered by the read the first one sent, so all agree.
    const burst = await Promise.all(Array.from({ length: 20 }, () => services.contentState.read(at)));
    t.ok(
      burst.every((state) => state.generation === before.generation),
      'twenty reads at once see one state',
    );

    // A read on its way when this process commits a write: whoever asks after the commit must not
    // be handed it, or a client would not see its own write.
    const onItsWay = services.contentState.read(at);
    await services.sections.create({ name: 'After' }, admin);
    const after = await services.contentState.read(at);
    t.ok(after.generation > before.generation, 'a read asked after the write sees the write');
    t.ok((await onItsWay).generation >= before.generation, 'the earlier read still answers');
  },
);
