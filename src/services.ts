import { createContentStateRepository } from './db/content-state.js';
import type { Db } from './db/index.js';
import { cursorSecret } from './db/settings.js';
import { createCursorCodec } from './lib/cursor.js';
import { createArticlesRepository } from './modules/articles/repository.js';
import { createCommentsRepository } from './modules/comments/repository.js';
import { createKeysRepository } from './modules/keys/repository.js';
import { createSectionsRepository } from './modules/sections/repository.js';
import { createTagsRepository } from './modules/tags/repository.js';

/** Everything route plugins need: the repositories over one database, and the clock. */
export function createServices(db: Db, now: () => Date) {
  const sections = createSectionsRepository(db, now);
  const tags = createTagsRepository(db, now);
  const contentState = createContentStateRepository(db);
  return {
    now,
    sections,
    tags,
    articles: createArticlesRepository(db, now, { sections, tags, contentState }),
    comments: createCommentsRepository(db, now),
    keys: createKeysRepository(db, now),
    contentState,
    cursors: createCursorCodec(cursorSecret(db)),
  };
}

export type Services = ReturnType<typeof createServices>;

/** Options every resource's route plugin receives. */
export interface RouteOptions {
  services: Services;
}
