import { and, count, eq, exists, inArray, type SQL, sql } from 'drizzle-orm';
import type { ContentStateRepository } from '../../db/content-state.js';
import { assignSlug, orderBy, qualified, writeTransaction } from '../../db/helpers.js';
import type { Db } from '../../db/index.js';
import { articles, articleTags, tags } from '../../db/schema.js';
import { DomainError, notFound } from '../../lib/errors.js';
import { isId } from '../../lib/slug.js';
import type { SortKey } from '../../lib/sort.js';
import { type Audience, visibleArticles } from '../articles/visibility.js';
import type { Tag, TagCreate, TagPatch } from './schemas.js';

export type TagSortField = 'name' | 'createdAt' | 'updatedAt' | 'articleCount';

export function createTagsRepository(db: Db, contentState: ContentStateRepository) {
  const articleCount = (audience: Audience) => {
    const visible = visibleArticles(audience);
    return visible
      ? sql<number>`(select count(*) from ${articleTags} join ${articles} on ${articles.id} = ${articleTags.articleId} where ${articleTags.tagId} = ${qualified(tags.id)} and ${visible})`
      : sql<number>`(select count(*) from ${articleTags} where ${articleTags.tagId} = ${qualified(tags.id)})`;
  };
  // The public sees a tag only while a published article carries it: a draft's tags stay private.
  const shownTo = (audience: Audience): SQL | undefined => {
    const visible = visibleArticles(audience);
    return visible
      ? exists(
          db
            .select({ one: sql`1` })
            .from(articleTags)
            .innerJoin(articles, eq(articles.id, articleTags.articleId))
            .where(and(eq(articleTags.tagId, qualified(tags.id)), visible)),
        )
      : undefined;
  };
  const columns = (audience: Audience) => ({
    id: tags.id,
    slug: tags.slug,
    name: tags.name,
    description: tags.description,
    articleCount: articleCount(audience),
    createdAt: tags.createdAt,
    updatedAt: tags.updatedAt,
  });

  // Prepared once, for any number of articles: the ids travel as one JSON array.
  const tagsOfArticles = db
    .select({ articleId: articleTags.articleId, id: tags.id, slug: tags.slug, name: tags.name })
    .from(articleTags)
    .innerJoin(tags, eq(tags.id, articleTags.tagId))
    .where(inArray(articleTags.articleId, sql`(select value from json_each(${sql.placeholder('ids')}))`))
    .orderBy(articleTags.articleId, articleTags.position)
    .prepare();

  const holderOfSlug = (slug: string) =>
    db.select({ id: tags.id }).from(tags).where(eq(tags.slug, slug)).get()?.id;
  const holderOfName = (name: string) =>
    db.select({ id: tags.id }).from(tags).where(sql`lower(${tags.name}) = lower(${name})`).get()?.id;

  const assertNameFree = (name: string, self?: number) => {
    const holder = holderOfName(name);
    if (holder !== undefined && holder !== self) {
      throw new DomainError('conflict', 'name-taken', `A tag named "${name}" already exists (id ${holder})`, {
        holder: { id: holder },
      });
    }
  };

  const find = (idOrSlug: string | number, audience: Audience): Tag | undefined => {
    const text = String(idOrSlug);
    const where = isId(text) ? eq(tags.id, Number(text)) : eq(tags.slug, text);
    return db
      .select(columns(audience))
      .from(tags)
      .where(and(where, shownTo(audience)))
      .get();
  };

  const get = (idOrSlug: string | number, audience: Audience): Tag => {
    const tag = find(idOrSlug, audience);
    if (!tag) throw notFound('tag', idOrSlug);
    return tag;
  };

  /** Whether the public sees this tag now, so a change to it changes public responses. */
  const isPublic = (id: number, at: string) => find(id, { seesUnpublished: false, now: at }) !== undefined;

  const insert = (input: TagCreate, at: string): number => {
    const slug = assignSlug({
      resource: 'tag',
      given: input.slug,
      derivedFrom: input.name,
      holderOf: holderOfSlug,
    });
    return db
      .insert(tags)
      .values({
        name: input.name,
        slug,
        description: input.description ?? null,
        createdAt: at,
        updatedAt: at,
      })
      .returning({ id: tags.id })
      .get().id;
  };

  return {
    find,
    get,

    /** Just the id of the tag with this id or slug, if the audience sees it: filters need no counts. */
    idOf(idOrSlug: string, audience: Audience): number | undefined {
      const where = isId(idOrSlug) ? eq(tags.id, Number(idOrSlug)) : eq(tags.slug, idOrSlug);
      return db
        .select({ id: tags.id })
        .from(tags)
        .where(and(where, shownTo(audience)))
        .get()?.id;
    },

    list(options: { page: number; perPage: number; sort: SortKey<TagSortField>[] }, audience: Audience) {
      const sortColumns = {
        name: sql`lower(${tags.name})`,
        createdAt: tags.createdAt,
        updatedAt: tags.updatedAt,
        articleCount: articleCount(audience),
      };
      const where = shownTo(audience);
      const items: Tag[] = db
        .select(columns(audience))
        .from(tags)
        .where(where)
        .orderBy(...orderBy(options.sort, sortColumns, tags.id))
        .limit(options.perPage)
        .offset((options.page - 1) * options.perPage)
        .all();
      const total = db.select({ n: count() }).from(tags).where(where).get()?.n ?? 0;
      return { items, total };
    },

    create(input: TagCreate, audience: Audience): Tag {
      return writeTransaction(db, () => {
        assertNameFree(input.name);
        return get(insert(input, audience.now), audience);
      });
    },

    update(idOrSlug: string, patch: TagPatch, audience: Audience): Tag {
      return writeTransaction(db, () => {
        const current = get(idOrSlug, audience);
        if (patch.name !== undefined) assertNameFree(patch.name, current.id);
        const slug =
          patch.slug === undefined
            ? undefined
            : assignSlug({
                resource: 'tag',
                given: patch.slug,
                derivedFrom: '',
                holderOf: holderOfSlug,
                self: current.id,
              });
        db.update(tags)
          .set({ name: patch.name, slug, description: patch.description, updatedAt: audience.now })
          .where(eq(tags.id, current.id))
          .run();
        if (isPublic(current.id, audience.now)) contentState.touchPublic(audience.now);
        return get(current.id, audience);
      });
    },

    /**
     * Deletes a tag no article carries any more (articles.deleteTag unlinks it first, as a
     * recorded change of each article).
     */
    delete(idOrSlug: string | number, audience: Audience): void {
      writeTransaction(db, () => {
        const current = get(idOrSlug, audience);
        if (isPublic(current.id, audience.now)) contentState.touchPublic(audience.now);
        db.delete(tags).where(eq(tags.id, current.id)).run();
      });
    },

    /** The ids of the articles that carry a tag. */
    carriers(tagId: number): number[] {
      return db
        .select({ id: articleTags.articleId })
        .from(articleTags)
        .where(eq(articleTags.tagId, tagId))
        .all()
        .map((row) => row.id);
    },

    /**
     * Tag ids for an article's `tags`: ids must exist (422 otherwise); a string is a slug or a
     * name (ignoring case), and an unknown name creates the tag. Order kept, duplicates dropped.
     * Call inside the article's write transaction so a failed write creates no tags.
     */
    resolveOrCreate(refs: (string | number)[], at: string): number[] {
      const ids: number[] = [];
      for (const ref of refs) {
        let id: number | undefined;
        if (typeof ref === 'number') {
          id = db.select({ id: tags.id }).from(tags).where(eq(tags.id, ref)).get()?.id;
          if (id === undefined)
            throw new DomainError('unprocessable', 'unknown-tag', `No tag with id ${ref}`);
        } else {
          const name = ref.trim();
          id = holderOfSlug(name) ?? holderOfName(name) ?? insert({ name }, at);
        }
        if (!ids.includes(id)) ids.push(id);
      }
      return ids;
    },

    /** The tags of each article, in the article's order, with one query for any number of articles. */
    forArticles(articleIds: number[]): Map<number, { id: number; slug: string; name: string }[]> {
      const byArticle = new Map<number, { id: number; slug: string; name: string }[]>();
      if (articleIds.length === 0) return byArticle;
      const rows = tagsOfArticles.all({ ids: JSON.stringify(articleIds) });
      for (const { articleId, ...tag } of rows) {
        const list = byArticle.get(articleId) ?? [];
        list.push(tag);
        byArticle.set(articleId, list);
      }
      return byArticle;
    },
  };
}

export type TagsRepository = ReturnType<typeof createTagsRepository>;
