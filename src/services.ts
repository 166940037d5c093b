import { type Asynchronous, asynchronous } from './db/asynchronous.js';
import { type ContentStateRepository, createContentStateRepository } from './db/content-state.js';
import type { Db } from './db/index.js';
import { cursorSecret } from './db/settings.js';
import { createCursorCodec } from './lib/cursor.js';
import { createRenderer } from './lib/render-pool.js';
import { createSiteLinks, type SiteLinks, type SiteSettings, withUrl } from './lib/site-links.js';
import { type ArticlesRepository, createArticlesRepository } from './modules/articles/repository.js';
import { RANK_WINDOW } from './modules/articles/search.js';
import { type CommentsRepository, createCommentsRepository } from './modules/comments/repository.js';
import {
  createEventsRepository,
  type EventResource,
  type EventsRepository,
} from './modules/events/repository.js';
import { createIdempotencyRepository, type IdempotencyRepository } from './modules/idempotency/repository.js';
import { createKeysRepository, type KeysRepository } from './modules/keys/repository.js';
import { createRateLimitsRepository, type RateLimitsRepository } from './modules/rate-limits/repository.js';
import { createSectionsRepository, type SectionsRepository } from './modules/sections/repository.js';
import { createSyndicationRepository, type SyndicationRepository } from './modules/syndication/repository.js';
import { createTagsRepository, type TagsRepository } from './modules/tags/repository.js';
import { createWebhooksRepository, type WebhooksRepository } from './modules/webhooks/repository.js';

export interface ServiceOptions {
  /** Longest a Markdown body may take to render before the write is refused (422). */
  renderTimeoutMs: number;
  /** The front end's URLs; without it resources carry no `url` and there are no feeds. */
  site?: SiteSettings;
  /** See SEARCH_RANK_WINDOW. */
  searchRankWindow?: number;
}

/**
 * Webhook payloads carry what the API shows, canonical `url` included. What is gone or no longer
 * public (unpublished, trashed, purged) is announced as a tombstone, `{ id, slug }`: it has no
 * page to link to, and building one from it failed every takedown while a webhook listened.
 */
export const webhookPayload =
  (links: SiteLinks | undefined) =>
  (resource: EventResource, item: unknown): unknown =>
    (resource === 'article' || resource === 'section' || resource === 'tag') && !isTombstone(item)
      ? withUrl(item as never, links?.[resource])
      : item;

const isTombstone = (item: unknown) =>
  typeof item === 'object' &&
  item !== null &&
  Object.keys(item).every((key) => key === 'id' || key === 'slug');

/**
 * The SQLite repositories over one database, as they call each other: synchronously, inside
 * one transaction. createServices puts them behind promises.
 */
function createRepositories(db: Db, now: () => Date, options: ServiceOptions, links?: SiteLinks) {
  const contentState = createContentStateRepository(db);
  const events = createEventsRepository(db, { present: webhookPayload(links) });
  const sections = createSectionsRepository(db, contentState, events);
  const tags = createTagsRepository(db, contentState, events);
  return {
    contentState,
    events,
    sections,
    tags,
    articles: createArticlesRepository(
      db,
      now,
      { sections, tags, contentState, events },
      { searchRankWindow: options.searchRankWindow ?? RANK_WINDOW },
    ),
    comments: createCommentsRepository(db, contentState, events),
    keys: createKeysRepository(db, now),
    webhooks: createWebhooksRepository(db, events),
    idempotency: createIdempotencyRepository(db),
    rateLimits: createRateLimitsRepository(db),
    syndication: createSyndicationRepository(db),
  };
}

/** The repositories of one store, each method returning a promise: what services are made of. */
export interface StoreRepositories {
  contentState: Asynchronous<ContentStateRepository>;
  events: Asynchronous<EventsRepository, 'onRecorded'>;
  sections: Asynchronous<SectionsRepository>;
  tags: Asynchronous<TagsRepository>;
  articles: Asynchronous<ArticlesRepository>;
  comments: Asynchronous<CommentsRepository>;
  keys: Asynchronous<KeysRepository>;
  webhooks: Asynchronous<WebhooksRepository>;
  idempotency: Asynchronous<IdempotencyRepository>;
  rateLimits: Asynchronous<RateLimitsRepository>;
  syndication: Asynchronous<SyndicationRepository>;
}

/**
 * Everything route plugins need: one store's repositories, the renderer, the clock, and what
 * signs cursors and validators. Routes never know which store answers.
 */
export function assembleServices(
  repositories: StoreRepositories,
  cursorSecret: string,
  now: () => Date,
  options: ServiceOptions,
  links: SiteLinks | undefined,
) {
  return {
    now,
    ...repositories,
    cursors: createCursorCodec(cursorSecret),
    renderer: createRenderer({ timeoutMs: options.renderTimeoutMs }),
    links,
    // Signs every ETag; the site settings are part of it, since a new SITE_URL changes each `url`.
    validatorSecret: `${repositories.contentState.validatorSecret}|${links?.fingerprint ?? ''}`,
  };
}

/** The services over a SQLite database (see db/asynchronous.ts for the promise interface). */
export function createServices(
  db: Db,
  now: () => Date,
  options: ServiceOptions = { renderTimeoutMs: 10_000 },
): Services {
  const links = options.site ? createSiteLinks(options.site) : undefined;
  const repositories = createRepositories(db, now, options, links);
  return assembleServices(
    {
      sections: asynchronous(repositories.sections),
      tags: asynchronous(repositories.tags),
      events: asynchronous(repositories.events, 'onRecorded'),
      articles: asynchronous(repositories.articles),
      comments: asynchronous(repositories.comments),
      keys: asynchronous(repositories.keys),
      webhooks: asynchronous(repositories.webhooks),
      idempotency: asynchronous(repositories.idempotency),
      rateLimits: asynchronous(repositories.rateLimits),
      syndication: asynchronous(repositories.syndication),
      contentState: asynchronous(repositories.contentState),
    },
    cursorSecret(db),
    now,
    options,
    links,
  );
}

export type Services = ReturnType<typeof assembleServices>;

/** Options every resource's route plugin receives. */
export interface RouteOptions {
  services: Services;
}

/**
 * What the importers work with: the services, and one write transaction around the several
 * calls an imported item makes (nested writes inside become savepoints).
 */
export type ImportServices = Services & { transaction<T>(work: () => Promise<T>): Promise<T> };
