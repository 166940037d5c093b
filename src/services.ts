import type { MediaSettings } from './config.js';
import type { Database } from './db/database.js';
import { cursorSecret } from './db/settings.js';
import { createCursorCodec } from './lib/cursor.js';
import { createRenderer } from './lib/render-pool.js';
import {
  createSiteLinks,
  type SiteLinks,
  type SiteSettings,
  withArticleUrls,
  withUrl,
} from './lib/site-links.js';
import { RANK_WINDOW } from './modules/articles/listing.js';
import { createArticlesRepository } from './modules/articles/repository.js';
import type { Article } from './modules/articles/schemas.js';
import { createAuthorsRepository } from './modules/authors/repository.js';
import { createCommentsRepository } from './modules/comments/repository.js';
import { createContentStateRepository } from './modules/content-state/repository.js';
import { createCorrectionsRepository } from './modules/corrections/repository.js';
import { createEventsRepository, type EventResource } from './modules/events/repository.js';
import { createIdempotencyRepository } from './modules/idempotency/repository.js';
import { createKeysRepository } from './modules/keys/repository.js';
import { presentMedia } from './modules/media/present.js';
import { createRenditionCache } from './modules/media/rendition-cache.js';
import { createMediaRepository } from './modules/media/repository.js';
import { createPreviewsRepository } from './modules/previews/repository.js';
import { createRateLimitsRepository } from './modules/rate-limits/repository.js';
import { createSectionsRepository } from './modules/sections/repository.js';
import type { Services, StoreRepositories } from './modules/services.js';
import { createSyndicationRepository } from './modules/syndication/repository.js';
import { createTagsRepository } from './modules/tags/repository.js';
import { createWebhooksRepository } from './modules/webhooks/repository.js';

export interface ServiceOptions {
  /** Longest a Markdown body may take to render before the write is refused (422). */
  renderTimeoutMs: number;
  /** The front end's URLs; without it resources carry no `url` and there are no feeds. */
  site?: SiteSettings;
  /** See SEARCH_RANK_WINDOW. */
  searchRankWindow?: number;
  /** Upload limits, rendition sizes and the rendition cache (MEDIA_*). */
  media: MediaSettings;
}

/**
 * Webhook payloads carry what the API shows, canonical `url` included. What is gone or no longer
 * public (unpublished, trashed, purged) is announced as a tombstone, `{ id, slug }`: it has no
 * page to link to, and building one from it failed every takedown while a webhook listened.
 */
export const webhookPayload =
  (links: SiteLinks | undefined) =>
  (resource: EventResource, item: unknown): unknown =>
    isTombstone(item)
      ? item
      : resource === 'article'
        ? withArticleUrls(item as Article, links)
        : resource === 'section' || resource === 'tag' || resource === 'author'
          ? withUrl(item as never, links?.[resource])
          : item;

const isTombstone = (item: unknown) =>
  typeof item === 'object' &&
  item !== null &&
  Object.keys(item).every((key) => key === 'id' || key === 'slug');

/** The repositories over one store's database. */
export async function createRepositories(
  db: Database,
  now: () => Date,
  options: Pick<ServiceOptions, 'searchRankWindow' | 'media'>,
  links?: SiteLinks,
): Promise<StoreRepositories> {
  const contentState = await createContentStateRepository(db);
  const events = createEventsRepository(db, { present: webhookPayload(links) });
  const sections = createSectionsRepository(db, contentState, events);
  const tags = createTagsRepository(db, contentState, events);
  const authors = createAuthorsRepository(db, contentState, events);
  const media = createMediaRepository(db, { events, contentState }, (record) =>
    presentMedia(record, options.media, links),
  );
  const corrections = createCorrectionsRepository(db, { events, contentState });
  return {
    contentState,
    events,
    sections,
    tags,
    authors,
    media,
    corrections,
    articles: createArticlesRepository(
      db,
      now,
      { sections, tags, authors, media, corrections, contentState, events },
      { searchRankWindow: options.searchRankWindow ?? RANK_WINDOW },
    ),
    comments: createCommentsRepository(db, contentState, events),

    keys: createKeysRepository(db, now),
    previews: createPreviewsRepository(db),
    webhooks: createWebhooksRepository(db, events),
    idempotency: createIdempotencyRepository(db),
    rateLimits: createRateLimitsRepository(db),
    syndication: createSyndicationRepository(db),
  };
}

/** The services over one store. */
export async function createServices(
  db: Database,
  now: () => Date,
  options: ServiceOptions,
): Promise<Services> {
  const links = options.site ? createSiteLinks(options.site) : undefined;
  const repositories = await createRepositories(db, now, options, links);
  return {
    now,
    ...repositories,
    cursors: createCursorCodec(await cursorSecret(db)),
    renderer: createRenderer({ timeoutMs: options.renderTimeoutMs }),
    mediaSettings: options.media,
    renditions: createRenditionCache(options.media.cacheDir, options.media.cacheBytes),
    links,
    validatorSecret: `${repositories.contentState.validatorSecret}|${links?.fingerprint ?? ''}`,
    transaction: (work) => db.write(work),
  };
}
