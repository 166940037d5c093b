import { and, asc, eq, inArray, isNull, type SQL, sql } from 'drizzle-orm';
import type { Database } from '../../db/database.js';
import type { EventActor } from '../../lib/audience.js';
import { articleWriteKeys, type Placement } from '../../lib/cache-keys.js';
import { DomainError, notFound } from '../../lib/errors.js';
import { renderMarkdown } from '../../lib/markdown.js';
import type { ContentStateRepository } from '../content-state/repository.js';
import type { EventsRepository } from '../events/repository.js';
import type { Correction, CorrectionCreate, CorrectionLogEntry } from './schemas.js';

/** The article a change to its log is about, and what the change is announced with. */
export interface CorrectedArticle extends Placement {
  id: number;
  slug: string;
  /** Whether the public may read it now: only then does the change move public caches. */
  public: boolean;
}

export interface LogChange {
  keyName: string;
  by: EventActor | null;
  at: string;
  /** The article as events carry it, after the change. */
  describe: () => Promise<unknown>;
}

export interface CorrectionsRepository {
  /** Appends a notice: the article's `updatedAt` and validators move, `article.corrected` is announced. */
  append(article: CorrectedArticle, input: CorrectionCreate, change: LogChange): Promise<Correction>;
  /** Removes a notice from public view, keeping the row with when, by whom and why. */
  remove(article: CorrectedArticle, id: number, reason: string | null, change: LogChange): Promise<void>;
  /** The notices standing on each article, oldest first (what article responses show). */
  forArticles(ids: number[]): Promise<Map<number, Correction[]>>;
  /** Every notice of an article, removed ones included. */
  logOf(articleId: number): Promise<CorrectionLogEntry[]>;
}

export function createCorrectionsRepository(
  db: Database,
  related: { events: EventsRepository; contentState: ContentStateRepository },
): CorrectionsRepository {
  const { articleCorrections: corrections, articles } = db.tables;
  const shown = {
    articleId: corrections.articleId,
    id: corrections.id,
    kind: corrections.kind,
    text: corrections.text,
    textHtml: corrections.textHtml,
    at: corrections.at,
  };
  const standing = (articleIds: SQL) => and(articleIds, isNull(corrections.removedAt));
  const prepared = db.readers
    .select(shown)
    .from(corrections)
    .where(standing(db.dialect.inList(corrections.articleId, sql.placeholder('ids'))))
    .orderBy(asc(corrections.articleId), asc(corrections.id))
    .prepare('corrections_of_articles');

  /** The article moved: its time, its validators, the public caches that show it, the event. */
  const moved = async (
    article: CorrectedArticle,
    type: 'article.corrected' | 'article.correction_removed',
    change: LogChange,
  ) => {
    await db
      .query()
      .update(articles)
      .set({ updatedAt: change.at, correctionChanges: sql`${articles.correctionChanges} + 1` })
      .where(eq(articles.id, article.id));
    const { at, by, describe } = change;
    await related.events.record({
      type,
      resource: 'article',
      id: article.id,
      slug: article.slug,
      at,
      data: describe,
      by,
    });
    if (article.public) await related.contentState.touchPublic(at, articleWriteKeys(article.id, article));
  };

  return {
    append: (article, input, change) =>
      db.write(async () => {
        const [row] = await db
          .query()
          .insert(corrections)
          .values({
            articleId: article.id,
            kind: input.kind,
            text: input.text,
            textHtml: renderMarkdown(input.text).html,
            at: change.at,
            byKeyName: change.keyName,
          })
          .returning(shown);
        await moved(article, 'article.corrected', change);
        const { articleId: _articleId, ...correction } = row as typeof row & {};
        return correction as Correction;
      }),

    remove: (article, id, reason, change) =>
      db.write(async () => {
        const removed = await db
          .query()
          .update(corrections)
          .set({ removedAt: change.at, removedByKeyName: change.keyName, removalReason: reason })
          .where(
            and(eq(corrections.id, id), eq(corrections.articleId, article.id), isNull(corrections.removedAt)),
          )
          .returning({ id: corrections.id });
        if (removed.length === 0) throw notFound('correction', id);
        await moved(article, 'article.correction_removed', change);
      }),

    async forArticles(ids) {
      if (ids.length === 0) return new Map();
      const rows = db.inWrite()
        ? await db
            .query()
            .select(shown)
            .from(corrections)
            .where(standing(inArray(corrections.articleId, ids)))
            .orderBy(asc(corrections.articleId), asc(corrections.id))
        : await prepared.execute({ ids: db.dialect.listValue(ids) });
      const byArticle = new Map<number, Correction[]>();
      for (const { articleId, ...correction } of rows) {
        byArticle.set(articleId, [...(byArticle.get(articleId) ?? []), correction as Correction]);
      }
      return byArticle;
    },

    async logOf(articleId) {
      const rows = await db
        .query()
        .select({
          ...shown,
          by: corrections.byKeyName,
          removedAt: corrections.removedAt,
          removedBy: corrections.removedByKeyName,
          removalReason: corrections.removalReason,
        })
        .from(corrections)
        .where(eq(corrections.articleId, articleId))
        .orderBy(asc(corrections.id));
      return rows.map(({ articleId: _articleId, ...entry }) => entry as CorrectionLogEntry);
    },
  };
}

/** Only what readers saw can be corrected: a draft or an article not yet live is edited instead. */
export function assertCorrectable(article: { status: string }) {
  if (article.status !== 'published' && article.status !== 'archived') {
    throw new DomainError(
      'conflict',
      'not-published',
      `The article is ${article.status}: corrections are for what readers saw; edit it instead`,
    );
  }
}
