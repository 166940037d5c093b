import { createPostgresContentState } from './db/postgres/content-state.js';
import type { PgDb } from './db/postgres/index.js';
import type { SiteLinks } from './lib/site-links.js';
import { withUrl } from './lib/site-links.js';
import { createPostgresEventsRepository } from './modules/events/repository.postgres.js';
import { createPostgresIdempotencyRepository } from './modules/idempotency/repository.postgres.js';
import { createPostgresKeysRepository } from './modules/keys/repository.postgres.js';
import { createPostgresRateLimitsRepository } from './modules/rate-limits/repository.postgres.js';
import { createPostgresSectionsRepository } from './modules/sections/repository.postgres.js';
import { createPostgresTagsRepository } from './modules/tags/repository.postgres.js';

/**
 * The PostgreSQL repositories over one pool, as they call each other (inside one transaction:
 * db/postgres/transaction.ts), with the same promise interface as the SQLite ones behind
 * createServices.
 */
export async function createPostgresRepositories(db: PgDb, now: () => Date, links?: SiteLinks) {
  const contentState = await createPostgresContentState(db);
  const events = createPostgresEventsRepository(db, {
    present: (resource, item) =>
      resource === 'article' || resource === 'section' || resource === 'tag'
        ? withUrl(item as never, links?.[resource])
        : item,
  });
  return {
    contentState,
    events,
    sections: createPostgresSectionsRepository(db, contentState, events),
    tags: createPostgresTagsRepository(db, contentState, events),
    keys: createPostgresKeysRepository(db, now),
    idempotency: createPostgresIdempotencyRepository(db),
    rateLimits: createPostgresRateLimitsRepository(db),
  };
}
