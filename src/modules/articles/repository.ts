import { eq } from 'drizzle-orm';
import type { Database } from '../../db/database.js';
import { idWhere } from '../../db/helpers.js';
import type { Actor } from '../../lib/audience.js';
import type { Rendering } from '../../lib/markdown.js';
import type { AuthorsRepository } from '../authors/repository.js';
import type { ContentStateRepository } from '../content-state/repository.js';
import type { CorrectionsRepository } from '../corrections/repository.js';
import type { EventsRepository } from '../events/repository.js';
import type { MediaRepository } from '../media/repository.js';
import type { SectionsRepository } from '../sections/repository.js';
import type { TagsRepository } from '../tags/repository.js';
import { createAnnouncements } from './announcements.js';
import { createArticleListing, type Heavy, type ListRequest, type ListResult } from './listing.js';
import { createArticleReads } from './reads.js';
import type { Revision } from './revision-schemas.js';
import { createRevisionsRepository } from './revisions.js';
import { restoredContent, type validatorOf, type WriteContext } from './rules.js';
import type { Article, ArticleCreate, ArticlePatch } from './schemas.js';
import { createTrash } from './trash.js';
import type { Audience } from './visibility.js';
import {
  type ArticleWriting,
  createArticle,
  recordRevision,
  rerenderStale,
  updateArticle,
  writable,
} from './writes.js';

export interface ArticlesRepository {
  find(idOrSlug: string | number, audience: Audience, heavy?: Heavy): Promise<Article | undefined>;
  get(idOrSlug: string | number, audience: Audience, heavy?: Heavy): Promise<Article>;
  /** The article with its validators, from one query (a GET's whole read); not inside writes. */
  read(
    idOrSlug: string | number,
    audience: Audience,
    heavy?: Heavy,
  ): Promise<{ article: Article; validator: ReturnType<typeof validatorOf> } | undefined>;
  /** What the article's validators derive from (ETags, If-Match), without reading its body. */
  validatorBasis(
    idOrSlug: string | number,
    audience: Audience,
  ): Promise<ReturnType<typeof validatorOf> | undefined>;
  list(request: ListRequest, audience: Audience): Promise<ListResult>;
  /** Creates an article with its tags and revision 1 in one transaction; unknown tag names become tags. */
  create(
    input: ArticleCreate,
    context: WriteContext,
    rendering: Rendering,
    sourceId?: string,
  ): Promise<Article>;
  /** Applies a patch: a new version and revision when anything changed. A changed body comes rendered. */
  update(
    idOrSlug: string | number,
    patch: ArticlePatch,
    context: WriteContext,
    rendering?: Rendering,
  ): Promise<Article>;
  /** The article an import made from this source (`md:path.md`, `wp:post:12`), if any. */
  idOfSource(sourceId: string): Promise<number | undefined>;
  /** Moves an article to the trash: gone for the public, its slug still reserved. */
  trash(idOrSlug: string | number, context: WriteContext): Promise<void>;
  /** Brings an article back from the trash as it was. */
  restoreFromTrash(idOrSlug: string | number, context: WriteContext): Promise<Article>;
  /** Deletes an article for good, leaving only tombstones in the logs. */
  purge(idOrSlug: string | number, context: WriteContext): Promise<void>;
  /** Purges what has been in the trash since before `before`; returns how many. */
  purgeTrashedBefore(before: string): Promise<number>;
  /** Announces every scheduled article whose instant has come; returns how many. */
  announceDue(at: string): Promise<number>;
  /** The next scheduled instant not yet announced, if any. */
  nextScheduledInstant(at: string): Promise<string | undefined>;
  listRevisions(
    idOrSlug: string,
    audience: Audience,
    page: number,
    perPage: number,
  ): Promise<{ items: Revision[]; total: number }>;
  getRevision(idOrSlug: string, audience: Audience, number: number): Promise<Revision>;
  /**
   * Brings the article back to a revision's content (title, subtitle, excerpt, body, section,
   * tags, author) as a new revision; slug, status and publication stay as they are now.
   */
  restore(idOrSlug: string, number: number, context: WriteContext, rendering: Rendering): Promise<Article>;
  /**
   * Deletes a tag: each article that carries it loses it as an edit of its own (a new version
   * and a revision), so the latest revision always agrees with the article.
   */
  deleteTag(idOrSlug: string, context: WriteContext): Promise<void>;
  /** Re-renders bodies stored by an older renderer (after an upgrade); returns how many. */
  rerenderStale(): Promise<number>;
}

/** Articles: reads, lists, writes with revisions, the trash, and announcements of going live. */
export function createArticlesRepository(
  db: Database,
  now: () => Date,
  related: {
    sections: SectionsRepository;
    tags: TagsRepository;
    authors: AuthorsRepository;
    media: MediaRepository;
    corrections: CorrectionsRepository;
    contentState: ContentStateRepository;
    events: EventsRepository;
  },
  options: { searchRankWindow: number },
): ArticlesRepository {
  const reads = createArticleReads(db, related);
  const { events, contentState } = related;
  const announcements = createAnnouncements(db, events, reads.adminView, contentState);
  const w: ArticleWriting = {
    db,
    now,
    reads,
    ...related,
    revisions: createRevisionsRepository(db, now),
    announcements,
  };
  const trash = createTrash({
    db,
    events,
    announcements,
    contentState,
    current: (idOrSlug, context) => writable(w, idOrSlug, context),
    recordRevision: (id, actor: Actor, at) => recordRevision(w, id, actor, at),
    eventActor: related.authors.eventActor,
    adminView: reads.adminView,
  });

  return {
    find: reads.find,
    get: reads.get,
    read: reads.read,
    validatorBasis: reads.validatorBasis,
    list: createArticleListing(db, related, contentState, options.searchRankWindow),
    create: (input, context, rendering, sourceId) =>
      createArticle(w, { input, context, rendering, sourceId }),
    update: (idOrSlug, patch, context, rendering) => updateArticle(w, idOrSlug, patch, context, rendering),

    idOfSource: (sourceId) => idWhere(db, db.tables.articles, eq(db.tables.articles.sourceId, sourceId)),

    trash: trash.trash,
    restoreFromTrash: trash.restore,
    purge: trash.purge,
    purgeTrashedBefore: trash.purgeTrashedBefore,
    announceDue: announcements.announceDue,
    nextScheduledInstant: announcements.nextInstant,

    async listRevisions(idOrSlug, audience, page, perPage) {
      return w.revisions.list((await reads.get(idOrSlug, audience, {})).id, page, perPage);
    },

    async getRevision(idOrSlug, audience, number) {
      return w.revisions.get((await reads.get(idOrSlug, audience, {})).id, number);
    },

    restore: (idOrSlug, number, context, rendering) =>
      db.write(async () => {
        const article = await writable(w, idOrSlug, context);
        const { snapshot: old } = await w.revisions.get(article.id, number);
        return updateArticle(
          w,
          article.id,
          restoredContent(old),
          { ...context, expectedVersion: undefined },
          rendering,
        );
      }),

    deleteTag: (idOrSlug, context) =>
      db.write(async () => {
        const tag = await related.tags.get(idOrSlug, context.audience);
        for (const articleId of await related.tags.carriers(tag.id)) {
          const article = await reads.get(articleId, { ...context.audience, seesUnpublished: true }, {});
          const remaining = article.tags
            .filter((carried) => carried.id !== tag.id)
            .map((carried) => carried.id);
          // A trashed article loses the tag too: it is still there to restore.
          await updateArticle(
            w,
            articleId,
            { tags: remaining },
            { ...context, expectedVersion: undefined, allowTrashed: true },
          );
        }
        await related.tags.delete(tag.id, context.audience);
      }),

    rerenderStale: () => rerenderStale(w),
  };
}
