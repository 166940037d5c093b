import { createContentStateRepository } from './db/content-state.js';
import type { Db } from './db/index.js';
import { cursorSecret } from './db/settings.js';
import { createCursorCodec } from './lib/cursor.js';
import { createRenderer } from './lib/render-pool.js';
import { createSiteLinks, type SiteSettings } from './lib/site-links.js';
import { createArticlesRepository } from './modules/articles/repository.js';
import { createCommentsRepository } from './modules/comments/repository.js';
import { createKeysRepository } from './modules/keys/repository.js';
import { createSectionsRepository } from './modules/sections/repository.js';
import { createSyndicationRepository } from './modules/syndication/repository.js';
import { createTagsRepository } from './modules/tags/repository.js';

export interface ServiceOptions {
  /** Longest a Markdown body may take to render before the write is refused (422). */
  renderTimeoutMs: number;
  /** The front end's URLs; without it resources carry no `url` and there are no feeds. */
  site?: SiteSettings;
}

/** Everything route plugins need: the repositories over one database, the renderer, the clock. */
export function createServices(
  db: Db,
  now: () => Date,
  options: ServiceOptions = { renderTimeoutMs: 10_000 },
) {
  const contentState = createContentStateRepository(db);
  const sections = createSectionsRepository(db, contentState);
  const tags = createTagsRepository(db, contentState);
  const links = options.site ? createSiteLinks(options.site) : undefined;
  return {
    now,
    sections,
    tags,
    articles: createArticlesRepository(db, now, { sections, tags, contentState }),
    comments: createCommentsRepository(db, contentState),
    keys: createKeysRepository(db, now),
    syndication: createSyndicationRepository(db),
    contentState,
    cursors: createCursorCodec(cursorSecret(db)),
    renderer: createRenderer({ timeoutMs: options.renderTimeoutMs }),
    links,
    // Signs every ETag; the site settings are part of it, since a new SITE_URL changes each `url`.
    validatorSecret: `${contentState.validatorSecret}|${links?.fingerprint ?? ''}`,
  };
}

export type Services = ReturnType<typeof createServices>;

/** Options every resource's route plugin receives. */
export interface RouteOptions {
  services: Services;
}
