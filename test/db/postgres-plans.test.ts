import { getTableName, sql } from 'drizzle-orm';
import t from 'tap';
import { slugCandidates } from '../../src/db/helpers.js';
import { freshPostgresStore, needsPostgres } from '../helpers/postgres.js';

// PostgreSQL's planner (with TEST_DATABASE_URL): the public list's order walks an index. Ordered
// `desc nulls last`, as keyed lists must be (drafts have no publishedAt), PostgreSQL read every
// published article and sorted them: 11 ms a page at 9,000 articles instead of 0.5 ms.

t.test('the public newest-first list walks the index, with no sort', { skip: needsPostgres }, async (t) => {
  const db = await freshPostgresStore(t);
  const { articles } = db.tables;
  await db.write(async () => {
    await db.query().execute(sql`
      insert into articles (slug, title, status, published_at, created_at, updated_at)
      select 'story-' || n, 'Story ' || n, 'published',
        to_char(timestamp '2026-01-01' + n * interval '1 minute', 'YYYY-MM-DD"T"HH24:MI:SS".000Z"'),
        '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z'
      from generate_series(1, 3000) as n`);
    await db.query().execute(sql`analyze articles`);
  });
  const now = '2026-02-01T00:00:00.000Z';
  const plan = async (nullable: boolean) => {
    const order = [
      db.dialect.ordered(articles.publishedAt, true, nullable),
      db.dialect.ordered(articles.id, true, false),
    ];
    const result = await db.query().execute(sql`explain select ${articles.id} from ${articles}
      where ${articles.status} = 'published' and ${articles.publishedAt} <= ${now}
        and (${articles.expiresAt} is null or ${articles.expiresAt} > ${now})
      order by ${sql.join(order, sql`, `)} limit 21`);
    const rows = (Array.isArray(result) ? result : (result as { rows: unknown[] }).rows) as {
      'QUERY PLAN': string;
    }[];
    return rows.map((row) => row['QUERY PLAN']).join('\n');
  };
  const publicPlan = await plan(false);
  t.notMatch(publicPlan, /\bSort\b/, 'no sort: the public list reads 21 index entries');
  t.match(publicPlan, /Index (Only )?Scan Backward/, 'down the (status, published_at, id) index');
  t.match(await plan(true), /\bSort\b/, 'ordered with NULLs last (keyed lists), it would sort');
});

// A new slug is checked against the slugs starting with its stem, a range in code-point order.
// The unique index follows the database's collation: every article create read all articles
// (2.3 ms a create at 10,000) until each slug got an index in that order.
t.test(
  'checking a new slug walks an index, for every table with slugs',
  { skip: needsPostgres },
  async (t) => {
    const db = await freshPostgresStore(t);
    const { articles, sections, tags, authors } = db.tables;
    await db.write(async () => {
      for (const table of ['articles', 'sections', 'tags', 'authors']) {
        const extra =
          table === 'articles' ? ', title, status, created_at, updated_at' : ', name, created_at, updated_at';
        const values =
          table === 'articles' ? ", 'Story ' || n, 'draft', 'x', 'x'" : ", 'Name ' || n, 'x', 'x'";
        await db.query().execute(
          sql.raw(`insert into ${table} (slug${extra})
        select 'story-' || n${values} from generate_series(1, 3000) as n`),
        );
        await db.query().execute(sql.raw(`analyze ${table}`));
      }
    });
    for (const table of [articles, sections, tags, authors]) {
      const result = await db.query().execute(sql`explain select ${table.id}, ${table.slug} from ${table}
      where ${slugCandidates(db, table, 'story-12')}`);
      const plan = (result as unknown as { rows: { 'QUERY PLAN': string }[] }).rows
        .map((row) => row['QUERY PLAN'])
        .join('\n');
      t.notMatch(plan, /Seq Scan/, `${getTableName(table)}: no sequential scan`);
      t.match(plan, /slug_code_point_idx/, `${getTableName(table)}: the code-point index`);
    }
  },
);

// An article's search document is rebuilt once per write, at commit (migrations-postgres 0017):
// per-row triggers rebuilt it five times for an article created with three tags.
t.test(
  'a write rebuilds an article search document once, from its final state',
  { skip: needsPostgres },
  async (t) => {
    const db = await freshPostgresStore(t);
    const rebuilds = await db.write(async () => {
      const run = (text: string) => db.query().execute(sql.raw(text));
      await run(`insert into tags (slug, name, created_at, updated_at) values
      ('harbour', 'Harbour', 'x', 'x'), ('ferry', 'Ferry', 'x', 'x'), ('tide', 'Tide', 'x', 'x')`);
      await run(`insert into articles (id, slug, title, status, created_at, updated_at)
      values (1, 'first', 'Original headline', 'draft', 'x', 'x')`);
      await run(`insert into article_tags (article_id, tag_id, position) select 1, id, id from tags`);
      await run(
        `insert into article_bodies (article_id, body, body_text) values (1, 'Quayside', 'Quayside')`,
      );
      await run(`update articles set title = 'Rewritten headline' where id = 1`);
      // Runs the deferred triggers now, as COMMIT would, so this transaction's counts show them.
      await run('set constraints all immediate');
      const counts = await db.query().execute(sql`select n_tup_ins + n_tup_upd as writes
      from pg_stat_xact_user_tables where relname = 'article_search'`);
      return Number((counts as unknown as { rows: { writes: string }[] }).rows[0]?.writes);
    });
    t.equal(rebuilds, 1, 'one document written for the article (was five)');
    const words = async (query: string) => {
      const result = await db.query().execute(sql`select count(*)::int as found from article_search
      where article_id = 1 and document @@ to_tsquery('simple', ${query})`);
      return (result as unknown as { rows: { found: number }[] }).rows[0]?.found;
    };
    t.equal(await words('rewritten'), 1, 'the title the write ended with');
    t.equal(await words('original'), 0, 'not the title it started with');
    t.equal(await words('harbour & ferry & tide'), 1, 'every tag');
    t.equal(await words('quayside'), 1, 'the body');
  },
);
