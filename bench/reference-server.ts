/**
 * The ceiling: bare Fastify on better-sqlite3 prepared statements, serving the same
 * article-by-slug and list-20 JSON from the same database, with response schemas. No auth, no
 * validation beyond the path, no hooks. Usage: tsx bench/reference-server.ts <db file> <port>
 */
import Database from 'better-sqlite3';
import Fastify from 'fastify';
import { applyPragmas } from '../src/db/index.js';
import { readingTimeMinutes } from '../src/lib/markdown.js';

const [file = '', port = '0'] = process.argv.slice(2);
// The same connection settings as Broadsheet, so the comparison is of the code, not of SQLite.
const sqlite = new Database(file);
applyPragmas(sqlite);

const ref = {
  type: 'object',
  properties: { id: { type: 'integer' }, slug: { type: 'string' }, name: { type: 'string' } },
};
const summary = {
  id: { type: 'integer' },
  slug: { type: 'string' },
  title: { type: 'string' },
  subtitle: { type: ['string', 'null'] },
  excerpt: { type: 'string' },
  status: { type: 'string' },
  section: { anyOf: [ref, { type: 'null' }] },
  tags: { type: 'array', items: ref },
  author: { type: ['string', 'null'] },
  publishedAt: { type: ['string', 'null'] },
  commentsEnabled: { type: 'boolean' },
  commentCount: { type: 'integer' },
  wordCount: { type: 'integer' },
  readingTimeMinutes: { type: 'integer' },
  version: { type: 'integer' },
  createdAt: { type: 'string' },
  updatedAt: { type: 'string' },
};
const article = {
  type: 'object',
  properties: {
    ...summary,
    body: { type: 'string' },
    bodyHtml: { type: 'string' },
    toc: {
      type: 'array',
      items: {
        type: 'object',
        properties: { level: { type: 'integer' }, text: { type: 'string' }, id: { type: 'string' } },
      },
    },
  },
};

const columns = `a.id, a.slug, a.title, a.subtitle, coalesce(a.excerpt, a.auto_excerpt) as excerpt, a.status,
  a.section_id, s.slug as section_slug, s.name as section_name, a.author, a.published_at, a.comments_enabled,
  (select count(*) from comments c where c.article_id = a.id and c.status = 'approved' and c.deleted = 0) as comment_count,
  a.word_count, a.version, a.created_at, a.updated_at`;
const bySlug = sqlite.prepare(
  `select ${columns}, b.body, b.body_html, b.toc from articles a left join sections s on s.id = a.section_id
   left join article_bodies b on b.article_id = a.id where a.slug = ? and a.status = 'published' and a.published_at <= ?`,
);
const newest = sqlite.prepare(
  `select ${columns} from articles a left join sections s on s.id = a.section_id
   where a.status = 'published' and a.published_at <= ? order by a.published_at desc, a.id desc limit 20`,
);
const countPublished = sqlite.prepare(
  "select count(*) as n from articles where status = 'published' and published_at <= ?",
);
const tagsOf = sqlite.prepare(
  `select at.article_id, t.id, t.slug, t.name from article_tags at join tags t on t.id = at.tag_id
   where at.article_id in (select value from json_each(?)) order by at.article_id, at.position`,
);

type Row = Record<string, unknown> & { id: number };
function shape(row: Row, tags: unknown[]) {
  return {
    id: row.id,
    slug: row.slug,
    title: row.title,
    subtitle: row.subtitle,
    excerpt: row.excerpt,
    status: row.status,
    section:
      row.section_id === null ? null : { id: row.section_id, slug: row.section_slug, name: row.section_name },
    tags,
    author: row.author,
    publishedAt: row.published_at,
    commentsEnabled: row.comments_enabled === 1,
    commentCount: row.comment_count,
    wordCount: row.word_count,
    readingTimeMinutes: readingTimeMinutes(Number(row.word_count)),
    version: row.version,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    ...(row.body !== undefined
      ? { body: row.body, bodyHtml: row.body_html, toc: JSON.parse(String(row.toc)) }
      : {}),
  };
}
function tagsFor(ids: number[]) {
  const byArticle = new Map<number, unknown[]>();
  for (const tag of tagsOf.all(JSON.stringify(ids)) as {
    article_id: number;
    id: number;
    slug: string;
    name: string;
  }[]) {
    const list = byArticle.get(tag.article_id) ?? [];
    list.push({ id: tag.id, slug: tag.slug, name: tag.name });
    byArticle.set(tag.article_id, list);
  }
  return byArticle;
}

const app = Fastify({ logger: false });
app.get(
  '/articles/:slug',
  { schema: { response: { 200: article, 404: { type: 'null' } } } },
  async (request, reply) => {
    const row = bySlug.get((request.params as { slug: string }).slug, new Date().toISOString()) as
      | Row
      | undefined;
    if (!row) return reply.code(404).send(null);
    return shape(row, tagsFor([row.id]).get(row.id) ?? []);
  },
);
app.get(
  '/articles',
  {
    schema: {
      response: {
        200: {
          type: 'object',
          properties: {
            data: { type: 'array', items: { type: 'object', properties: summary } },
            meta: {
              type: 'object',
              properties: {
                total: { type: 'integer' },
                page: { type: 'integer' },
                perPage: { type: 'integer' },
              },
            },
          },
        },
      },
    },
  },
  async () => {
    const now = new Date().toISOString();
    const rows = newest.all(now) as Row[];
    const tags = tagsFor(rows.map((row) => row.id));
    const total = (countPublished.get(now) as { n: number }).n;
    return {
      data: rows.map((row) => shape(row, tags.get(row.id) ?? [])),
      meta: { total, page: 1, perPage: 20 },
    };
  },
);
await app.listen({ port: Number(port), host: '127.0.0.1' });
process.stdout.write(`reference listening on ${port}\n`);
process.on('SIGTERM', () => app.close().then(() => process.exit(0)));
