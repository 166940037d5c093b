import Database from 'better-sqlite3';
import pg from 'pg';
import { RENDER_VERSION } from '../../src/lib/markdown.js';
import type { SharedStore } from './app.js';
import { postgresUrl } from './postgres.js';
import { seededRandom } from './random.js';

/**
 * A search corpus as the attack on search used: published articles of ~900 words of plain English,
 * where "the", "of" and "and" are everywhere. Written straight into the store (the API would take
 * minutes to render them), with the store's own triggers keeping the search index, as the bench
 * generator does.
 */

// The commonest English words lead, so they occur as often as they do in real prose.
const COMMON = 'the of and to a in is that it was for on with as he by at his be from this have or'.split(
  ' ',
);
const CONTENT = (
  'government minister council election budget river harbour railway museum festival drought vaccine ' +
  'satellite orchestra treaty border ceasefire security guarantees talks parliament court judge police ' +
  'hospital school teacher student market prices inflation energy pipeline weather storm flood fire ' +
  'village city region country president ambassador summit agreement protest strike union workers ' +
  'company shares profits investors technology software network report survey data scientists study ' +
  'after also about because before between could during every first found great however into just ' +
  'know last later many more most never new next only other over people said should some still such ' +
  'than their them then there these they those through time today under until very want week were ' +
  'what when where which while who will with would year young zone quarter quickly kept jury yesterday ' +
  'added announced argued asked believed called claimed decided described expected explained heard ' +
  'insisted joined left meant noted offered opened planned quoted raised reached returned showed ' +
  'signed spoke started suggested thought told turned used visited voted warned wrote yielded zoned'
).split(' ');

/** `words` words of English-shaped prose: about half are the commonest words. */
export function prose(next: () => number, words: number): string {
  const out: string[] = [];
  for (let i = 0; i < words; i++) {
    const list = next() < 0.5 ? COMMON : CONTENT;
    // Squared: earlier words of each list are likelier, as word frequencies are.
    out.push(list[Math.floor(next() ** 2 * list.length)] as string);
    if (i % 15 === 14) out[out.length - 1] += '.';
  }
  return out.join(' ');
}

interface CorpusRow {
  slug: string;
  title: string;
  body: string;
  at: string;
}

function rows(count: number, wordsPerArticle: number): CorpusRow[] {
  const next = seededRandom(20261202);
  return Array.from({ length: count }, (_, i) => ({
    slug: `corpus-${i + 1}`,
    title: `Report ${i + 1}: ${prose(next, 6)}`,
    body: prose(next, wordsPerArticle),
    at: new Date(Date.UTC(2025, 0, 1) + i * 3_600_000).toISOString(),
  }));
}

const ARTICLE_COLUMNS =
  'slug, title, auto_excerpt, word_count, render_version, status, published_at, created_at, updated_at, announced';

/** Fills the store a test app opened (sharedStore) with `count` published articles. */
export async function writeSearchCorpus(store: SharedStore, count = 2000, wordsPerArticle = 900) {
  const corpus = rows(count, wordsPerArticle);
  if (store.postgresSchema) {
    const client = new pg.Client({ connectionString: postgresUrl });
    await client.connect();
    try {
      await client.query(`set search_path to ${store.postgresSchema}`);
      await client.query('begin');
      for (const row of corpus) {
        const { rows: inserted } = await client.query(
          `insert into articles (${ARTICLE_COLUMNS}) values ($1, $2, '', $3, $4, 'published', $5, $5, $5, true) returning id`,
          [row.slug, row.title, wordsPerArticle, RENDER_VERSION, row.at],
        );
        await client.query(
          `insert into article_bodies (article_id, body, body_html, toc, body_text) values ($1, $2, $3, '[]', $2)`,
          [inserted[0].id, row.body, `<p>${row.body}</p>`],
        );
      }
      await client.query('commit');
    } finally {
      await client.end();
    }
    return;
  }
  const sqlite = new Database(store.config.databaseFile as string);
  try {
    const article = sqlite.prepare(
      `insert into articles (${ARTICLE_COLUMNS}) values (?, ?, '', ?, ?, 'published', ?, ?, ?, 1)`,
    );
    const body = sqlite.prepare(
      `insert into article_bodies (article_id, body, body_html, toc, body_text) values (?, ?, ?, '[]', ?)`,
    );
    sqlite.transaction(() => {
      for (const row of corpus) {
        const id = article.run(
          row.slug,
          row.title,
          wordsPerArticle,
          RENDER_VERSION,
          row.at,
          row.at,
          row.at,
        ).lastInsertRowid;
        body.run(id, row.body, `<p>${row.body}</p>`, row.body);
      }
    })();
  } finally {
    sqlite.close();
  }
}
