/**
 * Builds a deterministic benchmark database: sections, tags, seed-article-sized articles with
 * their tags and rendering, and approved comments. Rows go in through prepared SQL in large
 * transactions (the API would spend minutes rendering the same Markdown); triggers keep the
 * search index and content state exactly as the server would.
 */
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { openDatabase } from '../src/db/index.js';
import { apiKeys } from '../src/db/schema.js';
import { RENDER_VERSION, renderMarkdown } from '../src/lib/markdown.js';
import { newKey } from '../src/modules/keys/repository.js';
import { seededRandom } from '../test/helpers/random.js';

export const GENERATOR_VERSION = 3;

export interface BenchDatabase {
  file: string;
  /** An admin key for the write scenarios. */
  key: string;
  articles: number;
  /** Slugs of published articles, for the read scenarios. */
  slugs: string[];
}

const seedText = readFileSync(
  fileURLToPath(new URL('../test/fixtures/seed-article.md', import.meta.url)),
  'utf8',
);
const seedBody = seedText.replace(/^---\n[\s\S]*?\n---\n\n?/, '');
const WORDS =
  'river harbour council budget election museum railway festival drought vaccine satellite orchestra'.split(
    ' ',
  );

export function generate(file: string, articles: number): BenchDatabase {
  const next = seededRandom(20261126);
  const pick = <T>(items: T[]) => items[Math.floor(next() * items.length)] as T;
  const temporary = `${file}.tmp`;
  rmSync(temporary, { force: true });
  const { sqlite, db } = openDatabase(temporary);
  const at = (daysAgo: number) => new Date(Date.UTC(2026, 10, 1) - daysAgo * 86_400_000).toISOString();

  // 16 body variants, each rendered once: the seed article plus a paragraph of its own.
  const variants = Array.from({ length: 16 }, (_, i) => {
    const body = `${seedBody}\n\n## Local angle ${i}\n\nThe ${WORDS[i % WORDS.length]} and the ${WORDS[(i * 5) % WORDS.length]} dominate this edition.\n`;
    return { body, rendering: renderMarkdown(body) };
  });

  const insertSection = sqlite.prepare(
    'insert into sections (slug, name, position, created_at, updated_at) values (?, ?, ?, ?, ?)',
  );
  const insertTag = sqlite.prepare(
    'insert into tags (slug, name, created_at, updated_at) values (?, ?, ?, ?)',
  );
  const insertArticle =
    sqlite.prepare(`insert into articles (slug, title, subtitle, auto_excerpt, word_count, render_version,
    status, section_id, author, published_at, created_at, updated_at, announced)
    values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  const insertBody = sqlite.prepare(
    'insert into article_bodies (article_id, body, body_html, toc, body_text) values (?, ?, ?, ?, ?)',
  );
  const insertLink = sqlite.prepare(
    'insert into article_tags (article_id, tag_id, position) values (?, ?, ?)',
  );
  const insertComment =
    sqlite.prepare(`insert into comments (article_id, depth, path, author_name, author_email, body,
    status, created_at, updated_at) values (?, 0, ?, ?, ?, ?, 'approved', ?, ?)`);

  const slugs: string[] = [];
  sqlite.transaction(() => {
    for (let i = 1; i <= 50; i++) insertSection.run(`section-${i}`, `Section ${i}`, i, at(400), at(400));
    for (let i = 1; i <= 500; i++) insertTag.run(`tag-${i}`, `Tag ${i}`, at(400), at(400));
  })();
  const batch = sqlite.transaction((from: number, to: number) => {
    for (let i = from; i <= to; i++) {
      const variant = pick(variants);
      const published = next() < 0.9;
      const created = at(365 * next());
      const slug = `article-${i}`;
      const { lastInsertRowid } = insertArticle.run(
        slug,
        `Article ${i}: the ${pick(WORDS)} and the ${pick(WORDS)}`,
        next() < 0.5 ? `A report on ${pick(WORDS)}` : null,
        variant.rendering.excerpt,
        variant.rendering.wordCount,
        RENDER_VERSION,
        published ? 'published' : 'draft',
        1 + Math.floor(next() * 50),
        `Author ${1 + Math.floor(next() * 30)}`,
        published ? created : null,
        created,
        created,
        // Live articles were announced when they went live: without this, the server's
        // dispatcher announces all of them during the first scenarios, on the measured core.
        published ? 1 : 0,
      );
      const articleId = Number(lastInsertRowid);
      insertBody.run(
        articleId,
        variant.body,
        variant.rendering.html,
        JSON.stringify(variant.rendering.toc),
        variant.rendering.text,
      );
      if (published) slugs.push(slug);
      const tagCount = 3 + Math.floor(next() * 6);
      const chosen = new Set<number>();
      while (chosen.size < tagCount) chosen.add(1 + Math.floor(next() * 500));
      for (const [position, tagId] of [...chosen].entries()) insertLink.run(articleId, tagId, position);
      if (i % 5 === 0) {
        const { lastInsertRowid: commentId } = insertComment.run(
          articleId,
          '',
          'Reader',
          'reader@example.org',
          `Comment on ${i}`,
          created,
          created,
        );
        sqlite
          .prepare('update comments set path = ? where id = ?')
          .run(String(commentId).padStart(12, '0'), commentId);
      }
    }
  });
  for (let from = 1; from <= articles; from += 5000) batch(from, Math.min(articles, from + 4999));
  const { key, row: keyRow } = newKey('bench', ['admin'], new Date());
  db.insert(apiKeys).values(keyRow).run();
  sqlite.pragma('optimize');
  sqlite.close();
  renameSync(temporary, file);
  rmSync(`${temporary}-wal`, { force: true });
  rmSync(`${temporary}-shm`, { force: true });
  return { file, key, articles, slugs };
}

/** The benchmark database for `articles`, built once and reused (read back from its meta file). */
export function benchDatabase(directory: string, articles: number): BenchDatabase {
  const file = `${directory}/bench-v${GENERATOR_VERSION}-${articles}.db`;
  const meta = `${file}.json`;
  if (existsSync(file) && existsSync(meta)) return JSON.parse(readFileSync(meta, 'utf8')) as BenchDatabase;
  const generated = generate(file, articles);
  writeFileSync(meta, JSON.stringify(generated));
  return generated;
}
