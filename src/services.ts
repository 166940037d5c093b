import { createContentStateRepository } from './db/content-state.js';
import type { Db } from './db/index.js';
import { cursorSecret } from './db/settings.js';
import { createCursorCodec } from './lib/cursor.js';
import { createRenderer } from './lib/render-pool.js';
import { createArticlesRepository } from './modules/articles/repository.js';
import { createCommentsRepository } from './modules/comments/repository.js';
import { createKeysRepository } from './modules/keys/repository.js';
import { createSectionsRepository } from './modules/sections/repository.js';
import { createTagsRepository } from './modules/tags/repository.js';

export interface ServiceOptions {
  /** Longest a Markdown body may take to render before the write is refused (422). */
  renderTimeoutMs: number;
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
  return {
    now,
    sections,
    tags,
    articles: createArticlesRepository(db, now, { sections, tags, contentState }),
    comments: createCommentsRepository(db, contentState),
    keys: createKeysRepository(db, now),
    contentState,
    cursors: createCursorCodec(cursorSecret(db)),
    renderer: createRenderer({ timeoutMs: options.renderTimeoutMs }),
  };
}

export type Services = ReturnType<typeof createServices>;

/** Options every resource's route plugin receives. */
export interface RouteOptions {
  services: Services;
}
