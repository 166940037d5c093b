import { eq, lt, sql } from 'drizzle-orm';
import type { Database, Tables } from '../../db/database.js';
import { assignSlugIn, patchedSlug } from '../../db/helpers.js';
import type { Actor } from '../../lib/audience.js';
import { articleWriteKeys, cacheKeys } from '../../lib/cache-keys.js';
import { DomainError } from '../../lib/errors.js';
import { RENDER_VERSION, type Rendering, renderMarkdown } from '../../lib/markdown.js';
import type { AuthorsRepository } from '../authors/repository.js';
import { authorLink } from '../authors/repository.js';
import type { ContentStateRepository } from '../content-state/repository.js';
import type { EventsRepository } from '../events/repository.js';
import { placeholderIds } from '../media/inline.js';
import type { MediaRepository } from '../media/repository.js';
import type { SectionsRepository } from '../sections/repository.js';
import { type TagsRepository, tagLink } from '../tags/repository.js';
import { type Announcements, livenessAt } from './announcements.js';
import { insertLinks, replaceLinks } from './article-links.js';
import type { ArticleReads } from './reads.js';
import type { RevisionsRepository } from './revisions.js';
import {
  assertExpiryAfterPublication,
  assertWritable,
  knownSection,
  normaliseTime,
  publication,
  publiclyVisible,
  renderedBody,
  renderedColumns,
  snapshotOf,
  type WriteContext,
} from './rules.js';
import type { Article, ArticleCreate, ArticlePatch } from './schemas.js';

/** What an article write works with: the store, the article's reads, and the repositories it updates. */
export interface ArticleWriting {
  db: Database;
  now: () => Date;
  reads: ArticleReads;
  sections: SectionsRepository;
  tags: TagsRepository;
  authors: AuthorsRepository;
  media: MediaRepository;
  contentState: ContentStateRepository;
  events: EventsRepository;
  revisions: RevisionsRepository;
  announcements: Announcements;
}

type Context = WriteContext & { allowTrashed?: boolean };

/** The article a write is about, with its body, checked writable (out of the trash, at the version seen). */
export async function writable(w: ArticleWriting, idOrSlug: string | number, context: Context) {
  const article = await w.reads.get(idOrSlug, context.audience, { body: true });
  assertWritable(article, context);
  return article;
}

/** Stores the article's state as its next revision, when it changed. */
export async function recordRevision(w: ArticleWriting, id: number, actor: Actor, at: string) {
  const article = await w.reads.get(id, { seesUnpublished: true, now: at }, { body: true });
  await w.revisions.record(id, actor, snapshotOf(article, await w.reads.storedExcerpt(id)));
}

/** A featured image must exist (422 otherwise). */
const knownImage = async (w: ArticleWriting, id: number | null | undefined) => {
  if (id === undefined || id === null) return id;
  if (!(await w.media.find(id))) {
    throw new DomainError(
      'unprocessable',
      'unknown-media',
      `No media with id ${id}: upload it first (POST /v1/media)`,
    );
  }
  return id;
};

const resolveSection = async (w: ArticleWriting, ref: string | number | null | undefined) => {
  if (ref === undefined || ref === null) return ref;
  return knownSection(ref, await w.sections.resolve(ref));
};

/**
 * The byline a write asks for: `authors`, else the one `author` (null clears), else nothing
 * (undefined: a patch leaves it as it is).
 */
const requestedAuthors = (input: Pick<ArticlePatch, 'authors' | 'author'>) =>
  input.authors ?? (input.author === undefined ? undefined : input.author === null ? [] : [input.author]);

/** Whether two ordered lists of links name the same targets in the same order. */
const sameLinks = (ids: number[], current: { id: number }[]) =>
  ids.join(',') === current.map((item) => item.id).join(',');

/** An article to create: its fields, who creates it, its body rendered, and where an import found it. */
interface NewArticle {
  input: ArticleCreate;
  context: WriteContext;
  rendering: Rendering;
  sourceId?: string;
}

/** Creates an article with its tags and revision 1 in one transaction; unknown tag names become tags. */
export const createArticle = (
  w: ArticleWriting,
  { input, context, rendering, sourceId }: NewArticle,
): Promise<Article> =>
  w.db.write(async () => {
    const { articles, articleBodies } = w.db.tables;
    const at = context.audience.now;
    const sectionId = (await resolveSection(w, input.section)) ?? null;
    const tagIds = await w.tags.resolveOrCreate(input.tags ?? [], at);
    // No byline given: the author the key writes as, if it has one.
    const { authorId } = context.actor;
    const authorIds = await w.authors.resolveOrCreate(
      requestedAuthors(input) ?? (authorId === null ? [] : [authorId]),
      at,
    );
    const slug = await assignSlugIn(w.db, articles, {
      resource: 'article',
      given: input.slug,
      derivedFrom: input.title,
    });
    const published = publication(input.status ?? 'draft', normaliseTime(input.publishedAt) ?? null, at);
    const expiresAt = normaliseTime(input.expiresAt) ?? null;
    assertExpiryAfterPublication(published.publishedAt, expiresAt);
    const { live } = livenessAt({ ...published, expiresAt }, at);
    const [row] = await w.db
      .query()
      .insert(articles)
      .values({
        slug,
        title: input.title,
        subtitle: input.subtitle ?? null,
        excerpt: input.excerpt ?? null,
        ...renderedColumns(rendering),
        ...published,
        expiresAt,
        sectionId,
        featuredImageId: (await knownImage(w, input.featuredImage)) ?? null,
        commentsEnabled: input.commentsEnabled ?? true,
        announced: live,
        sourceId: sourceId ?? null,
        createdAt: at,
        updatedAt: at,
      })
      .returning({ id: articles.id });
    const id = row?.id as number;
    await insertLinks(w.db, tagLink(w.db.tables), id, tagIds);
    await insertLinks(w.db, authorLink(w.db.tables), id, authorIds);
    await w.db
      .query()
      .insert(articleBodies)
      .values({ articleId: id, body: input.body ?? '', ...renderedBody(rendering) });
    // A new article shows no image yet: only the ones its body names are recorded.
    const images = placeholderIds(rendering.html);
    if (images.length > 0) await w.media.shownIn(id, images);
    // Read once: revision 1, the event and the response all show this state.
    const created = await w.reads.get(id, { ...context.audience, seesUnpublished: true });
    await w.revisions.record(id, context.actor, snapshotOf(created, input.excerpt ?? null), { first: true });
    const by = await w.authors.eventActor(context.actor);
    await w.events.record({
      type: 'article.created',
      resource: 'article',
      id,
      slug,
      at,
      data: () => created,
      by,
    });
    await w.announcements.created(created, live, at, by);
    if (publiclyVisible(created)) await w.contentState.touchPublic(at, articleWriteKeys(id, created));
    return created;
  });

type ArticleChanges = Partial<Tables['articles']['$inferInsert']>;

/** What a patch changes on the article's row and body (only what differs from now). */
async function changesOf(
  w: ArticleWriting,
  article: Article,
  patch: ArticlePatch,
  at: string,
  rendering?: Rendering,
) {
  const changes: ArticleChanges = {};
  const set = <K extends keyof ArticleChanges>(key: K, value: ArticleChanges[K], was: unknown) => {
    if (value !== undefined && value !== was) changes[key] = value;
  };
  set('title', patch.title, article.title);
  set('slug', await patchedSlug(w.db, w.db.tables.articles, 'article', patch.slug, article.id), article.slug);
  set('subtitle', patch.subtitle, article.subtitle);
  set('commentsEnabled', patch.commentsEnabled, article.commentsEnabled);
  set('featuredImageId', await knownImage(w, patch.featuredImage), article.featuredImage?.id ?? null);
  if (patch.excerpt !== undefined) set('excerpt', patch.excerpt, await w.reads.storedExcerpt(article.id));
  let body: Partial<Tables['articleBodies']['$inferInsert']> | undefined;
  if (patch.body !== undefined && patch.body !== article.body) {
    if (!rendering) throw new Error('A changed body must come with its rendering');
    Object.assign(changes, renderedColumns(rendering));
    body = { body: patch.body, ...renderedBody(rendering) };
  }
  if (patch.section !== undefined)
    set('sectionId', await resolveSection(w, patch.section), article.section?.id ?? null);
  if (patch.status !== undefined || patch.publishedAt !== undefined) {
    const requested = publication(
      patch.status ?? article.status,
      patch.publishedAt === undefined ? article.publishedAt : (normaliseTime(patch.publishedAt) ?? null),
      at,
    );
    set('status', requested.status, article.status === 'scheduled' ? 'published' : article.status);
    set('publishedAt', requested.publishedAt, article.publishedAt);
  }
  if (patch.expiresAt !== undefined)
    set('expiresAt', normaliseTime(patch.expiresAt) ?? null, article.expiresAt);
  assertExpiryAfterPublication(
    changes.publishedAt === undefined ? article.publishedAt : changes.publishedAt,
    changes.expiresAt === undefined ? article.expiresAt : changes.expiresAt,
  );
  return { changes, body };
}

/** Links the tags and authors a patch names, where they differ; says whether any did. */
async function relink(w: ArticleWriting, article: Article, patch: ArticlePatch, at: string) {
  let changed = false;
  if (patch.tags !== undefined) {
    const tagIds = await w.tags.resolveOrCreate(patch.tags, at);
    if (!sameLinks(tagIds, article.tags)) {
      await replaceLinks(w.db, tagLink(w.db.tables), article.id, tagIds);
      changed = true;
    }
  }
  const authors = requestedAuthors(patch);
  if (authors !== undefined) {
    const authorIds = await w.authors.resolveOrCreate(authors, at);
    if (!sameLinks(authorIds, article.authors)) {
      await replaceLinks(w.db, authorLink(w.db.tables), article.id, authorIds);
      changed = true;
    }
  }
  return changed;
}

/** Applies a patch as one write: a new version and revision, when anything changed. */
export const updateArticle = (
  w: ArticleWriting,
  idOrSlug: string | number,
  patch: ArticlePatch,
  context: Context,
  rendering?: Rendering,
): Promise<Article> =>
  w.db.write(async () => {
    const { articles, articleBodies } = w.db.tables;
    const article = await writable(w, idOrSlug, context);
    const at = context.audience.now;
    const { changes, body } = await changesOf(w, article, patch, at, rendering);
    const linksChanged = await relink(w, article, patch, at);
    if (Object.keys(changes).length === 0 && !linksChanged) return w.reads.get(article.id, context.audience);
    await w.db
      .query()
      .update(articles)
      .set({ ...changes, version: sql`${articles.version} + 1`, updatedAt: at })
      .where(eq(articles.id, article.id));
    if (body) {
      await w.db.query().update(articleBodies).set(body).where(eq(articleBodies.articleId, article.id));
      await w.media.shownIn(article.id, placeholderIds(body.bodyHtml ?? ''));
    }
    await recordRevision(w, article.id, context.actor, at);
    const by = await w.authors.eventActor(context.actor);
    await w.events.record({
      type: 'article.updated',
      resource: 'article',
      id: article.id,
      slug: (changes.slug as string | undefined) ?? article.slug,
      at,
      data: () => w.reads.adminView(article.id, at),
      by,
    });
    await w.announcements.sync(article.id, at, by);
    const updated = await w.reads.get(article.id, { ...context.audience, seesUnpublished: true });
    if (publiclyVisible(article) || publiclyVisible(updated)) {
      await w.contentState.touchPublic(at, articleWriteKeys(article.id, article, updated));
    }
    return updated;
  });

/** Re-renders bodies stored by an older renderer (after an upgrade); returns how many. */
export const rerenderStale = (w: ArticleWriting): Promise<number> =>
  w.db.write(async () => {
    const { articles, articleBodies } = w.db.tables;
    const stale = await w.db
      .query()
      .select({ id: articles.id, body: articleBodies.body })
      .from(articles)
      .leftJoin(articleBodies, eq(articleBodies.articleId, articles.id))
      .where(lt(articles.renderVersion, RENDER_VERSION));
    for (const { id, body } of stale) {
      const rendering = renderMarkdown(body ?? '');
      await w.db.query().update(articles).set(renderedColumns(rendering)).where(eq(articles.id, id));
      await w.db
        .query()
        .insert(articleBodies)
        .values({ articleId: id, body: body ?? '', ...renderedBody(rendering) })
        .onConflictDoUpdate({ target: articleBodies.articleId, set: renderedBody(rendering) });
    }
    if (stale.length > 0) await w.contentState.touchPublic(w.now().toISOString(), [cacheKeys.everything]);
    return stale.length;
  });
