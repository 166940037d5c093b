import { and, eq, type SQL, sql } from 'drizzle-orm';
import type { SelectedFields } from 'drizzle-orm/pg-core';
import type { Database } from '../../db/database.js';
import { qualified } from '../../db/helpers.js';
import { notFound } from '../../lib/errors.js';
import { isId } from '../../lib/slug.js';
import { columnsFor, summaryColumns } from './list-sql.js';
import { type Heavy, type LinkReader, linksOf, type Row, toArticle } from './listing.js';
import { ALL, validatorOf } from './rules.js';
import type { Article } from './schemas.js';
import { type Audience, publishedBy } from './visibility.js';

/**
 * Everything an article response shows beyond its own row: its section, its tags and authors
 * in order, the images it shows, its corrections, its comment count, whether it is live, and
 * the renderer that rendered it.
 */
function basisColumns(db: Database): SelectedFields {
  const {
    articles,
    articleTags,
    articleAuthors,
    articleMedia,
    authors,
    media,
    sections,
    tags: tagTable,
  } = db.tables;
  const now = sql.placeholder('now');
  // An image as an article shows it (its time alone would miss two edits in one millisecond).
  const shownImage = sql`${media.id} || '/' || ${media.updatedAt} || '/' || ${media.alt} || '/' || coalesce(${media.caption}, '') || '/' || coalesce(${media.credit}, '') || '/' || ${media.focalX} || '/' || ${media.focalY}`;

  return {
    id: articles.id,
    version: articles.version,
    section: sql<string>`coalesce(${sections.slug} || '/' || ${sections.name}, '')`,
    tags: sql<string>`coalesce((select string_agg(${tagTable.id} || '/' || ${tagTable.slug} || '/' || ${tagTable.name}, '|' order by ${articleTags.position}) from ${articleTags} join ${tagTable} on ${tagTable.id} = ${articleTags.tagId} where ${articleTags.articleId} = ${qualified(articles.id)}), '')`,
    authors: sql<string>`coalesce((select string_agg(${authors.id} || '/' || ${authors.slug} || '/' || ${authors.name}, '|' order by ${articleAuthors.position}) from ${articleAuthors} join ${authors} on ${authors.id} = ${articleAuthors.authorId} where ${articleAuthors.articleId} = ${qualified(articles.id)}), '')`,
    // The featured image as embedded: what the article shows of it.
    image: sql<string>`coalesce((select ${shownImage} from ${media} where ${media.id} = ${qualified(articles.featuredImageId)}), '')`,
    // The images its body shows, in order.
    bodyImages: sql<string>`coalesce((select string_agg(${shownImage}, '|' order by ${articleMedia.position}) from ${articleMedia} join ${media} on ${media.id} = ${articleMedia.mediaId} where ${articleMedia.articleId} = ${qualified(articles.id)}), '')`,
    corrections: articles.correctionChanges,
    comments: summaryColumns(db.tables).commentCount,
    // Live now: published, and not expired.
    live: sql<
      boolean | null
    >`${articles.publishedAt} <= ${now} and (${articles.expiresAt} is null or ${articles.expiresAt} > ${now})`,
    expiresAt: articles.expiresAt,
    rendered: articles.renderVersion,
  };
}

/** One article by id or slug, as an audience may see it, and what its validators derive from. */
export function createArticleReads(db: Database, related: LinkReader) {
  const { articles, articleBodies, sections } = db.tables;

  /** The article named by id or slug, as this audience may see it. */
  const named = (idOrSlug: string | number, audience: Audience): SQL | undefined => {
    const text = String(idOrSlug);
    return and(
      isId(text) ? eq(articles.id, Number(text)) : eq(articles.slug, text),
      audience.seesUnpublished ? undefined : publishedBy(audience.now, articles),
    );
  };

  // Single reads are the hottest path: outside a write they run as prepared statements, one
  // per (id or slug) x (public or not); SQL is built and planned once.
  const key = sql.placeholder('key');
  const visible = publishedBy(sql.placeholder('now'), articles);
  const prepareFor = <Result>(name: string, columns: SelectedFields, withBody: boolean) => {
    const statement = (where: SQL | undefined, variant: string) => {
      const base = db.readers
        .select(columns)
        .from(articles)
        .leftJoin(sections, eq(sections.id, articles.sectionId));
      return (withBody ? base.leftJoin(articleBodies, eq(articleBodies.articleId, articles.id)) : base)
        .where(where)
        .prepare(`${name}_${variant}`);
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
      const [row] = await chosen.execute({
        key: byId ? Number(idOrSlug) : String(idOrSlug),
        now: audience.now,
      });
      return row as Result | undefined;
    };
  };
  const fullRead = prepareFor<Row>('article', columnsFor(db.tables, ALL), true);

  // Everything an article response shows beyond its own row: its section, its tags and authors
  // in order, its comment count, whether it is live, and the renderer that rendered it.
  const basisRead = prepareFor<Parameters<typeof validatorOf>[0]>('article_basis', basisColumns(db), false);

  const find = async (idOrSlug: string | number, audience: Audience, heavy: Heavy = ALL) => {
    // Outside writes one prepared statement reads everything, and what was not asked is dropped:
    // cheaper than building and planning a narrower query on every request.
    const [row] = (
      !db.inWrite()
        ? [await fullRead(idOrSlug, audience)]
        : await db
            .query()
            .select(columnsFor(db.tables, heavy))
            .from(articles)
            .leftJoin(sections, eq(sections.id, articles.sectionId))
            .leftJoin(articleBodies, eq(articleBodies.articleId, articles.id))
            .where(named(idOrSlug, audience))
    ) as (Row | undefined)[];
    if (!row) return undefined;
    if (!heavy.body) delete row.body;
    if (!heavy.bodyHtml) delete row.bodyHtml;
    if (!heavy.toc) delete row.toc;
    const links = await linksOf(related, [row]);
    return toArticle(row, links(row.id), audience.now) as Article;
  };

  const get = async (idOrSlug: string | number, audience: Audience, heavy: Heavy = ALL) => {
    const article = await find(idOrSlug, audience, heavy);
    if (!article) throw notFound('article', idOrSlug);
    return article;
  };

  return {
    find,
    get,
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
