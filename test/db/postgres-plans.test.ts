import { sql } from 'drizzle-orm';
import t from 'tap';
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
