import { createPostgresContentState } from './db/postgres/content-state.js';
import type { PgDb } from './db/postgres/index.js';
import { cursorSecret } from './db/postgres/settings.js';
import { createSiteLinks, type SiteLinks } from './lib/site-links.js';
import { createPostgresArticlesRepository } from './modules/articles/repository.postgres.js';
import { RANK_WINDOW } from './modules/articles/search.js';
import { createPostgresCommentsRepository } from './modules/comments/repository.postgres.js';
import { createPostgresEventsRepository } from './modules/events/repository.postgres.js';
import { createPostgresIdempotencyRepository } from './modules/idempotency/repository.postgres.js';
import { createPostgresKeysRepository } from './modules/keys/repository.postgres.js';
import { createPostgresRateLimitsRepository } from './modules/rate-limits/repository.postgres.js';
import { createPostgresSectionsRepository } from './modules/sections/repository.postgres.js';
import { createPostgresSyndicationRepository } from './modules/syndication/repository.postgres.js';
import { createPostgresTagsRepository } from './modules/tags/repository.postgres.js';
import { createPostgresWebhooksRepository } from './modules/webhooks/repository.postgres.js';
import {
  assembleServices,
  type ServiceOptions,
  type Services,
  type StoreRepositories,
  webhookPayload,
} from './services.js';

/**
 * The PostgreSQL repositories over one pool, as they call each other (inside one transaction:
 * db/postgres/transaction.ts), with the same promise interface as the SQLite ones behind
 * createServices.
 */
export async function createPostgresRepositories(
  db: PgDb,
  now: () => Date,
  options: Pick<ServiceOptions, 'searchRankWindow'> = {},
  links?: SiteLinks,
): Promise<StoreRepositories> {
  const contentState = await createPostgresContentState(db);
  const events = createPostgresEventsRepository(db, { present: webhookPayload(links) });
  const sections = createPostgresSectionsRepository(db, contentState, events);
  const tags = createPostgresTagsRepository(db, contentState, events);
  return {
    contentState,
    events,
    sections,
    tags,
    articles: createPostgresArticlesRepository(
      db,
      now,
      { sections, tags, contentState, events },
      { searchRankWindow: options.searchRankWindow ?? RANK_WINDOW },
    ),
    comments: createPostgresCommentsRepository(db, contentState, events),
    keys: createPostgresKeysRepository(db, now),
    idempotency: createPostgresIdempotencyRepository(db),
    rateLimits: createPostgresRateLimitsRepository(db),
    webhooks: createPostgresWebhooksRepository(db, events),
    syndication: createPostgresSyndicationRepository(db),
  };
}

/** The services over a PostgreSQL pool: the same as createServices makes over SQLite. */
export async function createPostgresServices(
  db: PgDb,
  now: () => Date,
  options: ServiceOptions = { renderTimeoutMs: 10_000 },
): Promise<Services> {
  const links = options.site ? createSiteLinks(options.site) : undefined;
  const repositories = await createPostgresRepositories(db, now, options, links);
  return assembleServices(repositories, await cursorSecret(db), now, options, links);
}
