import { and, eq, isNotNull, type SQL, sql } from 'drizzle-orm';
import type { Database, Tables } from '../../db/database.js';
import { assignSlugIn, idWhere, patchedSlug, withinWrite } from '../../db/helpers.js';
import type { Actor, EventActor } from '../../lib/audience.js';
import { authorWriteKeys, cacheKeys } from '../../lib/cache-keys.js';
import { DomainError, notFound } from '../../lib/errors.js';
import { renderMarkdown } from '../../lib/markdown.js';
import { isId } from '../../lib/slug.js';
import type { SortKey } from '../../lib/sort.js';
import {
  type ArticleLink,
  carriersOf,
  createArticleCounts,
  listTargets,
  shownTo,
  type TargetSortField,
  withCount,
} from '../articles/article-links.js';
import type { Audience } from '../articles/visibility.js';
import type { ContentStateRepository } from '../content-state/repository.js';
import type { EventsRepository } from '../events/repository.js';
import type { Author, AuthorCreate, AuthorPatch } from './schemas.js';

export type AuthorSortField = TargetSortField;

export interface AuthorsRepository {
  /** The author as this audience sees it: the public only once it carries a byline they can read, without email. */
  find(idOrSlug: string | number, audience: Audience): Promise<Author | undefined>;
  get(idOrSlug: string | number, audience: Audience): Promise<Author>;
  /** Just the id of the author with this id or slug, if the audience sees it: filters need no counts. */
  idOf(idOrSlug: string, audience: Audience): Promise<number | undefined>;
  /** The author an import made from this source (`wp:author:ada`), if any. */
  idOfSource(sourceId: string): Promise<number | undefined>;
  list(
    options: { page: number; perPage: number; sort: SortKey<AuthorSortField>[] },
    audience: Audience,
  ): Promise<{ items: Author[]; total: number }>;
  /** Creates an author; `sourceId` marks one an import made. */
  create(input: AuthorCreate, audience: Audience, sourceId?: string): Promise<Author>;
  update(idOrSlug: string, patch: AuthorPatch, audience: Audience): Promise<Author>;
  /** Deletes an author no article names (409 saying how many do). */
  delete(idOrSlug: string | number, audience: Audience): Promise<void>;
  /** The ids of the articles an author is on, trashed ones included. */
  carriers(authorId: number): Promise<number[]>;
  /**
   * Author ids for an article's `authors`: ids must exist (422 otherwise); a string is a slug
   * or a name (ignoring case; the oldest of namesakes), and an unknown name creates the author.
   * Order kept, duplicates dropped. Call inside the article's write so a failed write creates none.
   */
  resolveOrCreate(refs: (string | number)[], at: string): Promise<number[]>;
  /** The authors of each article, in byline order, with one query for any number of articles. */
  /**
   * The data migration of bylines (#25): each distinct free-text `author` of an article from
   * before authors existed becomes an author record (names matched as articles match them),
   * its articles carry it, and the text is cleared. Returns how many articles it converted.
   */
  adoptLegacyBylines(at: string): Promise<number>;
  /** Who made a change, as events tell it (the author's name as it is now); null for imports. */
  eventActor(actor: Actor): Promise<EventActor | null>;
}

/** How articles link to authors: article_authors, in byline order. */
export const authorLink = ({ articleAuthors, authors }: Tables): ArticleLink => ({
  links: articleAuthors,
  articleId: articleAuthors.articleId,
  targetId: articleAuthors.authorId,
  position: articleAuthors.position,
  targets: authors,
  target: authors,
  row: (articleId, authorId, position) => ({ articleId, authorId, position }),
  name: 'authors',
});

const columnsOf = ({ authors }: Tables) => ({
  id: authors.id,
  slug: authors.slug,
  name: authors.name,
  bio: authors.bio,
  bioHtml: authors.bioHtml,
  jobTitle: authors.jobTitle,
  website: authors.website,
  avatar: authors.avatarId,
  email: authors.email,
  createdAt: authors.createdAt,
  updatedAt: authors.updatedAt,
});

/** What the public may not see of an author. */
const forAudience = <T extends { email?: string | null }>(author: T, audience: Audience): T => {
  if (audience.seesUnpublished) return author;
  const { email: _private, ...shown } = author;
  return shown as T;
};

const admin = (at: string): Audience => ({ seesUnpublished: true, now: at });

/** Authors: bylines with profiles; the public sees those on an article it can read. */
export function createAuthorsRepository(
  db: Database,
  contentState: ContentStateRepository,
  events: EventsRepository,
): AuthorsRepository {
  const { authors } = db.tables;
  const link = authorLink(db.tables);
  const countsFor = createArticleCounts(db, contentState, link);
  const authorId = (where: SQL | undefined) => idWhere(db, authors, where);
  const named = (idOrSlug: string) =>
    isId(idOrSlug) ? eq(authors.id, Number(idOrSlug)) : eq(authors.slug, idOrSlug);
  /** Of namesakes, a byline by name means the first one created. */
  const oldestNamed = async (name: string) => {
    const [row] = await db
      .query()
      .select({ id: authors.id })
      .from(authors)
      .where(sql`lower(${authors.name}) = lower(${name})`)
      .orderBy(authors.id)
      .limit(1);
    return row?.id;
  };

  const find = async (idOrSlug: string | number, audience: Audience): Promise<Author | undefined> => {
    const [row] = await db
      .query()
      .select(columnsOf(db.tables))
      .from(authors)
      .where(and(named(String(idOrSlug)), shownTo(db, link, audience)));
    return row && forAudience(withCount(row, await countsFor(audience)), audience);
  };
  const get = async (idOrSlug: string | number, audience: Audience): Promise<Author> => {
    const author = await find(idOrSlug, audience);
    if (!author) throw notFound('author', idOrSlug);
    return author;
  };
  const writes = createAuthorWrites(db, { contentState, events, get, link });
  /** resolveOrCreate's work: each ref by id, else by slug, else the oldest namesake, else created. */
  const resolve = async (refs: (string | number)[], at: string) => {
    const ids: number[] = [];
    for (const ref of refs) {
      let id: number | undefined;
      if (typeof ref === 'number') {
        id = await authorId(eq(authors.id, ref));
        if (id === undefined)
          throw new DomainError('unprocessable', 'unknown-author', `No author with id ${ref}`);
      } else {
        const name = ref.trim();
        id =
          (await authorId(eq(authors.slug, name))) ??
          (await oldestNamed(name)) ??
          (await writes.insert({ name }, at));
      }
      if (!ids.includes(id)) ids.push(id);
    }
    return ids;
  };
  const resolveOrCreate = async (refs: (string | number)[], at: string) =>
    refs.length === 0 ? [] : withinWrite(db, () => resolve(refs, at));

  return {
    find,
    get,
    idOf: (idOrSlug, audience) => authorId(and(named(idOrSlug), shownTo(db, link, audience))),
    idOfSource: (sourceId) => authorId(eq(authors.sourceId, sourceId)),
    async list(options, audience) {
      const table = { table: authors, columns: columnsOf(db.tables) };
      const page = await listTargets(db, table, await countsFor(audience), options, audience);
      return { items: page.items.map((item) => forAudience(item, audience)), total: page.total };
    },
    ...writes,
    carriers: (id) => carriersOf(db, link, id),

    resolveOrCreate,

    async eventActor(actor) {
      if (actor.system) return null;
      const [author] =
        actor.authorId === null
          ? []
          : await db
              .query()
              .select({ id: authors.id, slug: authors.slug, name: authors.name })
              .from(authors)
              .where(eq(authors.id, actor.authorId));
      return { keyId: actor.keyId, keyName: actor.keyName, author: author ?? null };
    },

    adoptLegacyBylines: (at) =>
      db.write(async () => {
        const { articles, articleAuthors } = db.tables;
        const legacy = isNotNull(articles.author);
        const names = await db
          .query()
          .selectDistinct({ author: articles.author })
          .from(articles)
          .where(legacy);
        if (names.length === 0) return 0;
        for (const { author } of names) {
          const name = author?.trim() ?? '';
          if (name === '') continue;
          const [authorId] = await resolveOrCreate([name], at);
          await db
            .query()
            .insert(articleAuthors)
            .select(
              db
                .query()
                .select({
                  articleId: articles.id,
                  authorId: sql<number>`${authorId}`.as('author_id'),
                  position: sql<number>`0`.as('position'),
                })
                .from(articles)
                .where(eq(articles.author, author as string)),
            )
            .onConflictDoNothing();
        }
        const converted = await db
          .query()
          .update(articles)
          .set({ author: null })
          .where(legacy)
          .returning({ id: articles.id });
        await contentState.touchPublic(at, [cacheKeys.everything]);
        return converted.length;
      }),
  };
}

/** Creating, editing and deleting authors, each with its event and (when public) its cache keys. */
function createAuthorWrites(
  db: Database,
  parts: {
    contentState: ContentStateRepository;
    events: EventsRepository;
    get: (idOrSlug: string | number, audience: Audience) => Promise<Author>;
    link: ArticleLink;
  },
) {
  const { authors } = db.tables;
  const { contentState, events, get, link } = parts;
  const isPublic = async (id: number, at: string) =>
    (await idWhere(
      db,
      authors,
      and(eq(authors.id, id), shownTo(db, link, { seesUnpublished: false, now: at })),
    )) !== undefined;
  const record = (type: 'author.created' | 'author.updated', id: number, slug: string, at: string) =>
    events.record({ type, resource: 'author', id, slug, at, data: () => get(id, admin(at)) });
  /** An avatar must be an image in the library (422 otherwise). */
  const knownAvatar = async (id: number | null | undefined) => {
    if (id === undefined || id === null) return id;
    if ((await idWhere(db, db.tables.media, eq(db.tables.media.id, id))) === undefined) {
      throw new DomainError(
        'unprocessable',
        'unknown-media',
        `No media with id ${id}: upload it first (POST /v1/media)`,
      );
    }
    return id;
  };
  const bioColumns = (bio: string | null | undefined) =>
    bio === undefined ? {} : { bio, bioHtml: bio === null ? '' : renderMarkdown(bio).html };

  const insert = async (input: AuthorCreate, at: string, sourceId?: string): Promise<number> => {
    const slug = await assignSlugIn(db, authors, {
      resource: 'author',
      given: input.slug,
      derivedFrom: input.name,
    });
    const [row] = await db
      .query()
      .insert(authors)
      .values({
        name: input.name,
        slug,
        ...bioColumns(input.bio ?? null),
        jobTitle: input.jobTitle ?? null,
        website: input.website ?? null,
        avatarId: (await knownAvatar(input.avatar)) ?? null,
        email: input.email ?? null,
        sourceId: sourceId ?? null,
        createdAt: at,
        updatedAt: at,
      })
      .returning({ id: authors.id });
    const id = row?.id as number;
    await record('author.created', id, slug, at);
    return id;
  };

  return {
    insert,
    create: (input: AuthorCreate, audience: Audience, sourceId?: string) =>
      db.write(async () => get(await insert(input, audience.now, sourceId), audience)),
    update: (idOrSlug: string, patch: AuthorPatch, audience: Audience) =>
      db.write(async () => {
        const current = await get(idOrSlug, audience);
        const at = audience.now;
        const slug = await patchedSlug(db, authors, 'author', patch.slug, current.id);
        const { name, jobTitle, website, email } = patch;
        const avatarId = await knownAvatar(patch.avatar);
        await db
          .query()
          .update(authors)
          .set({ name, slug, jobTitle, website, email, avatarId, ...bioColumns(patch.bio), updatedAt: at })
          .where(eq(authors.id, current.id));
        // Bylines show the name and the URL (from the slug): every article of a public author changes.
        if (await isPublic(current.id, at)) await contentState.touchPublic(at, authorWriteKeys(current.id));
        await record('author.updated', current.id, slug ?? current.slug, at);
        return get(current.id, audience);
      }),
    delete: (idOrSlug: string | number, audience: Audience) =>
      db.write(async () => {
        const { id, slug, name } = await get(idOrSlug, audience);
        const carried = (await carriersOf(db, link, id)).length;
        if (carried > 0) {
          throw new DomainError(
            'conflict',
            'author-has-articles',
            `${name} is the author of ${carried} article${carried === 1 ? '' : 's'} (trashed ones included): take them off those bylines first`,
            { articleCount: carried },
          );
        }
        await db.query().delete(authors).where(eq(authors.id, id));
        await events.record({
          type: 'author.deleted',
          resource: 'author',
          id,
          slug,
          at: audience.now,
          data: () => ({ id, slug }),
        });
      }),
  };
}
