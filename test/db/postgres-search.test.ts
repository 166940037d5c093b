import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { and, asc, desc, eq, getTableName } from 'drizzle-orm';
import t from 'tap';
import { openDatabase } from '../../src/db/index.js';
import { postgresDialect } from '../../src/db/postgres/database.js';
import * as pg from '../../src/db/postgres/schema.js';
import * as sqlite from '../../src/db/schema.js';
import { parseSearch } from '../../src/lib/search-query.js';
import { buildTestApp } from '../helpers/app.js';
import { freshPostgres, needsPostgres } from '../helpers/postgres.js';
import { loadSeedArticle } from '../helpers/seed.js';

const { search } = postgresDialect;

// PostgreSQL search must find what SQLite's FTS5 finds, for the same query language: the same
// articles go into both stores and every query must match the same ids.

const ARTICLES = [
  {
    title: 'Cease-fire talks in Kyiv',
    body: 'The U.S. envoy said the cease-fire would hold. Café owners reopened.',
  },
  { title: 'KYIV marathon returns', body: "Runners don't mind the rain." },
  { title: 'Security at the stadium', body: 'Guards checked bags. No guarantees were given.' },
  {
    title: 'Draft about security guarantees',
    body: 'Unpublished security guarantees text.',
    status: 'draft',
  },
  {
    title: 'Zürich and Straße: notes from the Élysée',
    body: 'Inflation rose 3.5 per cent; write to desk@example.com.',
  },
  {
    title: 'İstanbul ferries',
    subtitle: 'Naïve coöperation at sea',
    body: 'The ferry’s timetable changed — again.',
  },
  {
    title: 'Security guarantees, explained',
    excerpt: 'What a guarantee means',
    body: 'Nothing about the stadium.',
  },
];

const QUERIES = [
  '"security guarantees"',
  'security',
  'security guarantees',
  'Zelensky*',
  'secur*',
  'guarantee*',
  'SecurityGuarantees',
  'Kyiv',
  'kyiv',
  'cafe',
  'café',
  'cease-fire',
  '"cease fire"',
  'U.S.',
  "don't",
  'Zelenskyy’s',
  'kyiv -marathon',
  'kyiv NOT marathon',
  'marathon OR stadium',
  '(marathon OR stadium) AND guards',
  'zurich',
  'ELYSEE',
  'strasse',
  'straße',
  '3.5',
  '"3 5"',
  'desk@example.com',
  'istanbul',
  'naive cooperation',
  'ferry',
  'ferry*',
  '"the stadium"',
  'stadium -guards',
  '"kyiv marathon" OR "security at"',
  'nothingmatchesthis',
];

t.test('PostgreSQL search matches what SQLite FTS5 matches', { skip: needsPostgres }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'broadsheet-pg-search-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const databaseFile = join(dir, 'db.sqlite');
  const { call } = await buildTestApp(t, { databaseFile });
  const seed = loadSeedArticle();
  await call('POST', '/v1/sections', { body: { name: seed.section } });
  t.equal((await call('POST', '/v1/articles', { body: seed })).status, 201);
  for (const article of ARTICLES) {
    const created = await call('POST', '/v1/articles', { body: { status: 'published', ...article } });
    t.equal(created.status, 201, article.title);
  }

  // The same rows, copied table by table.
  const store = await freshPostgres(t);
  const { sqlite: file, db: source } = openDatabase(databaseFile);
  t.teardown(() => file.close());
  const copies = [
    [sqlite.sections, pg.sections],
    [sqlite.tags, pg.tags],
    [sqlite.articles, pg.articles],
    [sqlite.articleBodies, pg.articleBodies],
    [sqlite.articleTags, pg.articleTags],
  ] as const;
  for (const [from, to] of copies) {
    const rows = source.select().from(from).all();
    t.ok(rows.length > 0, `${getTableName(from)} copied`);
    await store.db.insert(to).values(rows as never);
  }

  const found: Record<string, number> = {};
  for (const q of QUERIES) {
    const sqliteIds = (await call('GET', `/v1/search?q=${encodeURIComponent(q)}&perPage=100`)).json.data
      .map((item: { id: number }) => item.id)
      .sort();
    const query = parseSearch(q);
    const { tsquery } = query;
    const postgresIds = (
      await store.db
        .select({ id: pg.articleSearch.articleId })
        .from(pg.articleSearch)
        .where(search.matches(query))
    )
      .map((row) => row.id)
      .sort();
    t.same(postgresIds, sqliteIds, `${q} -> ${tsquery}`);
    found[q] = sqliteIds.length;
  }
  t.ok(Object.values(found).filter((count) => count > 0).length >= 30, 'most queries find something');
  t.equal(found.nothingmatchesthis, 0);

  const ranked = async (q: string, window = 2000) => {
    const query = parseSearch(q);
    return (
      await store.db
        .select({ title: pg.articles.title, score: search.rank(query) })
        .from(pg.articleSearch)
        .innerJoin(pg.articles, eq(pg.articles.id, pg.articleSearch.articleId))
        .where(and(search.matches(query), search.rankWindow(query, window)))
        .orderBy(asc(search.rank(query)), desc(pg.articleSearch.articleId))
    ).map((row) => row.title);
  };
  for (const [q, first] of [
    ['stadium', 'Security at the stadium'],
    ['cease-fire', 'Cease-fire talks in Kyiv'],
    ['marathon', 'KYIV marathon returns'],
  ] as const) {
    const sqliteFirst = (await call('GET', `/v1/search?q=${encodeURIComponent(q)}`)).json.data[0].title;
    t.equal(sqliteFirst, first, `SQLite ranks the title match first for ${q}`);
    t.equal((await ranked(q))[0], first, `and so does PostgreSQL`);
  }
  t.equal((await ranked('security')).length, 4);
  t.same(
    (await ranked('security', 2)).sort(),
    ['Draft about security guarantees', 'Security guarantees, explained'],
    'a rank window of 2 ranks only the two newest matches',
  );
});
