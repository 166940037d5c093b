import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import t, { type Test } from 'tap';
import { buildTestApp, storeAt } from '../helpers/app.js';
import { freshPostgresDatabase, needsPostgres } from '../helpers/postgres.js';
import { buildSampleSite } from '../helpers/seed.js';

// Moving a site from SQLite to PostgreSQL with the CLI, as a user would: export NDJSON from the
// SQLite file, import it into PostgreSQL, and export again.

const run = promisify(execFile);

async function cli(databaseUrl: string, ...args: string[]) {
  try {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], {
      env: { ...process.env, DATABASE_URL: databaseUrl, LOG_LEVEL: 'silent' },
    });
    return { code: 0, output: stdout };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, output: `${failed.stdout}${failed.stderr}` };
  }
}

function workspace(t: Test) {
  const dir = mkdtempSync(join(tmpdir(), 'broadsheet-pg-transfer-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function query(t: Test, url: string, text: string) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  t.teardown(() => client.end());
  return (await client.query(text)).rows;
}

t.test(
  'NDJSON from SQLite into PostgreSQL and out again: the same bytes',
  { skip: needsPostgres },
  async (t) => {
    const dir = workspace(t);
    const source = join(dir, 'source.db');
    await buildSampleSite(t, source);
    const first = join(dir, 'first.ndjson');
    t.match(
      (await cli(`file:${source}`, 'export', 'ndjson', first)).output,
      /exported 3 sections, 11 tags, 1 media, 1 author, 3 articles, 2 comments/,
    );

    const target = await freshPostgresDatabase(t);
    const dry = await cli(target, 'import', 'ndjson', first, '--dry-run');
    t.equal(dry.code, 0, dry.output);
    t.match(dry.output, /article\s+3\s+0\s+0\s+0\s+0/);
    t.match(dry.output, /dry run: nothing was written/);
    t.same(
      await query(t, target, 'select count(*)::int as n from articles'),
      [{ n: 0 }],
      'a dry run writes nothing',
    );

    const imported = await cli(target, 'import', 'ndjson', first);
    t.equal(imported.code, 0, imported.output);
    t.match(imported.output, /article\s+3\s+0\s+0\s+0\s+0/);
    t.match(imported.output, /comment\s+2\s+0\s+0\s+0\s+0/);
    const second = join(dir, 'second.ndjson');
    t.match(
      (await cli(target, 'export', 'ndjson', second)).output,
      /exported 3 sections, 11 tags, 1 media, 1 author, 3 articles, 2 comments/,
    );
    t.equal(readFileSync(second, 'utf8'), readFileSync(first, 'utf8'), 'byte-identical');
    const again = await cli(target, 'import', 'ndjson', first);
    t.match(again.output, /article\s+0\s+0\s+3\s+0\s+0/, 'a second import changes nothing');

    // The API answers the same from either store (relevance scores are each store's own).
    const before = await buildTestApp(t, { databaseFile: source });
    const after = await buildTestApp(t, storeAt(target));
    for (const [path, key] of [
      ['/v1/articles?include=body,bodyHtml,toc&perPage=10', undefined],
      ['/v1/articles?status=trashed', undefined],
      ['/v1/articles?sort=title&perPage=2', undefined],
      ['/v1/articles', null],
      ['/v1/articles/1', null],
      ['/v1/articles/1/revisions', undefined],
      ['/v1/articles/1/comments', null],
      ['/v1/comments', undefined],
      ['/v1/sections', null],
      ['/v1/tags?sort=-articleCount', null],
      ['/v1/search?q=security%20guarantees', null],
    ] as const) {
      const answers = await Promise.all(
        [before, after].map(async ({ call }) => {
          const { status, json } = await call('GET', path, { key });
          for (const item of json?.data ?? []) delete item.score;
          return { status, json };
        }),
      );
      t.strictSame(answers[1], answers[0], `${path} (${key === null ? 'public' : 'admin'})`);
    }

    // What the import wrote beside the rows: the search documents, the public generation, and
    // identity sequences past the ids it restored.
    const [found] = await query(
      t,
      target,
      `select count(*)::int as n from article_search where document @@ '''security'' <-> ''guarantees'''::tsquery`,
    );
    t.equal(found?.n, 1, 'the seed article is searchable');
    const [state] = await query(t, target, 'select public_generation from content_state');
    t.ok((state?.public_generation as number) > 1, 'the public generation moved');
    const [next] = await query(
      t,
      target,
      `insert into tags (slug, name, created_at, updated_at) values ('new', 'New', 'x', 'x') returning id`,
    );
    t.equal(next?.id, 12, 'a new tag takes the id after the restored ones');
  },
);

t.test(
  'NDJSON into PostgreSQL: a bad line is reported and skips only itself',
  { skip: needsPostgres },
  async (t) => {
    const dir = workspace(t);
    const file = join(dir, 'broken.ndjson');
    writeFileSync(
      file,
      [
        '{"kind":"broadsheet","format":"broadsheet.ndjson/1"}',
        '{"kind":"tag","id":1,"slug":"fine","name":"Fine","description":null,"sourceId":null,"createdAt":"2026-01-01T00:00:00.000Z","updatedAt":"2026-01-01T00:00:00.000Z"}',
        '{"kind":"comment","id":1,"articleId":99,"parentId":null,"depth":0,"path":"000000000001","authorName":"A","authorEmail":"a@b.c","body":"orphan","status":"approved","deleted":false,"sourceId":null,"createdAt":"2026-01-01T00:00:00.000Z","updatedAt":"2026-01-01T00:00:00.000Z"}',
        '{"kind":"tag","id":2,"slug":"also-fine","name":"Also fine","description":null,"sourceId":null,"createdAt":"2026-01-01T00:00:00.000Z","updatedAt":"2026-01-01T00:00:00.000Z"}',
      ].join('\n'),
    );
    const target = await freshPostgresDatabase(t);
    const result = await cli(target, 'import', 'ndjson', file);
    t.equal(result.code, 1);
    t.match(result.output, /tag\s+2\s+0\s+0\s+0\s+0/, 'the lines around the bad one are written');
    t.match(result.output, /failed comment line 3 \(comment 1\): .*violates foreign key constraint/);
    t.notMatch(result.output, /a@b\.c|Failed query/, 'neither the query nor its values are printed');
    t.same(await query(t, target, 'select slug from tags order by id'), [
      { slug: 'fine' },
      { slug: 'also-fine' },
    ]);
  },
);

t.test('backup is SQLite-only: on PostgreSQL it says to use pg_dump', { skip: needsPostgres }, async (t) => {
  const target = await freshPostgresDatabase(t);
  const result = await cli(target, 'backup', join(workspace(t), 'copy.db'));
  t.equal(result.code, 2);
  t.match(result.output, /back up with pg_dump/);
  const keys = await cli(target, 'keys', 'list');
  t.equal(keys.code, 0, 'keys work on PostgreSQL');
  const unknown = await cli(target, 'frobnicate');
  t.equal(unknown.code, 2);
  t.match(unknown.output, /Usage|usage/, 'an unknown command gets the usage, as on SQLite');
});
