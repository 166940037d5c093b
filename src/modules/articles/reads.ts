import { and, eq, type SQL, sql } from 'drizzle-orm';
import type { SelectedFields } from 'drizzle-orm/pg-core';
import type { Database, Query } from '../../db/database.js';
import { qualified } from '../../db/helpers.js';
import { notFound } from '../../lib/errors.js';
import { isId } from '../../lib/slug.js';
import { columnsFor, summaryColumns } from './list-sql.js';
import { type Heavy, type LinkReader, linksOf, type Row, toArticle } from './listing.js';
import { ALL, validatorOf } from './rules.js';
import type { Article } from './schemas.js';
import { type Audience, publishedBy } from './visibility.js';

/**
 * What an article response shows beyond its row, its tags and its authors, as its validators
 * sign it: its section, the images it shows, whether it is live, and the renderer that rendered it.
 */
function basisColumns(db: Database) {
  const { articles, articleMedia, media, sections } = db.tables;
  const now = sql.placeholder('now');
  // An image as an article shows it (its time alone would miss two edits in one millisecond).
  const shownImage = sql`${media.id} || '/' || ${media.updatedAt} || '/' || ${media.alt} || '/' || coalesce(${media.caption}, '') || '/' || coalesce(${media.credit}, '') || '/' || ${media.focalX} || '/' || ${media.focalY}`;

  return {
    section: sql<string>`coalesce(${sections.slug} || '/' || ${sections.name}, '')`,
    // The featured image as embedded: what the article shows of it.
    image: sql<string>`coalesce((select ${shownImage} from ${media} where ${media.id} = ${qualified(articles.featuredImageId)}), '')`,
    // The images its body shows, in order.
    bodyImages: sql<string>`coalesce((select string_agg(${shownImage}, '|' order by ${articleMedia.position}) from ${articleMedia} join ${media} on ${media.id} = ${articleMedia.mediaId} where ${articleMedia.articleId} = ${qualified(articles.id)}), '')`,
    // Live now: published, and not expired.
    live: sql<
      boolean | null
    >`${articles.publishedAt} <= ${now} and (${articles.expiresAt} is null or ${articles.expiresAt} > ${now})`,
    rendered: articles.renderVersion,
  };
}

type Basis = Parameters<typeof validatorOf>[0];

/** One article by id or slug, as an audience may see it, and what its validators derive from. */
export function createArticleReads(db: Database, related: LinkReader) {
  const { articles, articleBodies, sections } = db.tables;

  // Single reads are the hottest path: they run as prepared statements, one per (id or slug) x
  // (public or not); SQL is built and planned once. Inside writes (which read what they wrote)
  // on statements of their own (Database.preparedForWrites).
  const key = sql.placeholder('key');
  const visible = publishedBy(sql.placeholder('now'), articles);
  const prepareFor = <Result>(
    name: string,
    columns: SelectedFields,
    withBody: boolean,
    forWrites = false,
  ) => {
    const statement = (where: SQL | undefined, variant: string) => {
      const build = (query: Query) => {
        const base = query
          .select(columns)
          .from(articles)
          .leftJoin(sections, eq(sections.id, articles.sectionId));
        return (withBody ? base.leftJoin(articleBodies, eq(articleBodies.articleId, articles.id)) : base)
          .where(where)
          .prepare(`${name}_${variant}`);
      };
      if (forWrites) return db.preparedForWrites(build);
      const prepared = build(db.readers);
      return () => prepared;
    };
    const statements = {
      idPublic: statement(and(eq(articles.id, key), visible), 'id_public'),
      idAll: statement(eq(articles.id, key), 'id_all'),
      slugPublic: statement(and(eq(articles.slug, key), visible), 'slug_public'),
      slugAll: statement(eq(articles.slug, key), 'slug_all'),
    };
    return async (idOrSlug: string | number, audience: Audience) => {
      const byId = isId(String(idOrSlug));
      const chosen = byId
        ? audience.seesUnpublished
          ? statements.idAll
          : statements.idPublic
        : audience.seesUnpublished
          ? statements.slugAll
          : statements.slugPublic;
      const [row] = await chosen().execute({
        key: byId ? Number(idOrSlug) : String(idOrSlug),
        now: audience.now,
      });
      return row as Result | undefined;
    };
  };
  const basis = basisColumns(db);
  const { id, version, correctionChanges, commentCount, expiresAt, tagRefs, authorRefs } = summaryColumns(db);
  // Outside writes one statement reads the row, its body, its tags and authors and what its
  // validators sign; what was not asked is dropped (cheaper than planning a narrower query).
  const fullRead = prepareFor<Row & Basis>('article', { ...columnsFor(db, ALL), ...basis }, true);
  const fullReadInWrite = prepareFor<Row>('article_in_write', columnsFor(db, ALL), true, true);
  const basisRead = prepareFor<Basis>(
    'article_basis',
    { id, version, correctionChanges, commentCount, expiresAt, tagRefs, authorRefs, ...basis },
    false,
  );

  /** The article and its validators, read at once (outside writes). */
  const read = async (idOrSlug: string | number, audience: Audience, heavy: Heavy = ALL) => {
    const row = await fullRead(idOrSlug, audience);
    if (!row) return undefined;
    const validator = validatorOf(row);
    return { article: await shown(row, audience, heavy), validator };
  };

  /** The row as the response shows it, with what it links to. */
  const shown = async (row: Row, audience: Audience, heavy: Heavy) => {
    if (!heavy.body) delete row.body;
    if (!heavy.bodyHtml) delete row.bodyHtml;
    if (!heavy.toc) delete row.toc;
    const links = await linksOf(related, [row]);
    return toArticle(row, links(row.id), audience.now) as Article;
  };

  const find = async (idOrSlug: string | number, audience: Audience, heavy: Heavy = ALL) => {
    if (!db.inWrite()) return (await read(idOrSlug, audience, heavy))?.article;
    // Inside a write, what the write changed, on the write's own statement.
    const row = await fullReadInWrite(idOrSlug, audience);
    return row && shown(row, audience, heavy);
  };

  const get = async (idOrSlug: string | number, audience: Audience, heavy: Heavy = ALL) => {
    const article = await find(idOrSlug, audience, heavy);
    if (!article) throw notFound('article', idOrSlug);
    return article;
  };

  return {
    find,
    get,
    /** The article with its validators, from one query (outside writes: a GET's whole read). */
    read,
    /** What the article's validators derive from (ETags, If-Match), without reading its body. */
    async validatorBasis(idOrSlug: string | number, audience: Audience) {
      // Read outside writes only (conditional requests), so always prepared.
      const row = await basisRead(idOrSlug, audience);
      return row && validatorOf(row);
    },
    /** The excerpt as stored: null when derived from the body. */
    async storedExcerpt(id: number) {
      const [row] = await db
        .query()
        .select({ excerpt: articles.excerpt })
        .from(articles)
        .where(eq(articles.id, id));
      return row?.excerpt ?? null;
    },
    /** The article as an admin reads it: what events carry. */
    adminView: (id: number, at: string) => get(id, { seesUnpublished: true, now: at }),
  };
}

export type ArticleReads = ReturnType<typeof createArticleReads>;
