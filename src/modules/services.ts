import type { MediaSettings } from '../config.js';
import type { CursorCodec } from '../lib/cursor.js';
import type { Renderer } from '../lib/render-pool.js';
import type { SiteLinks } from '../lib/site-links.js';
import type { ArticlesRepository } from './articles/repository.js';
import type { AuthorsRepository } from './authors/repository.js';
import type { CommentsRepository } from './comments/repository.js';
import type { ContentStateRepository } from './content-state/repository.js';
import type { CorrectionsRepository } from './corrections/repository.js';
import type { EventsRepository } from './events/repository.js';
import type { IdempotencyRepository } from './idempotency/repository.js';
import type { KeysRepository } from './keys/repository.js';
import type { RenditionCache } from './media/rendition-cache.js';
import type { MediaRepository } from './media/repository.js';
import type { PreviewsRepository } from './previews/repository.js';
import type { RateLimitsRepository } from './rate-limits/repository.js';
import type { SectionsRepository } from './sections/repository.js';
import type { SyndicationRepository } from './syndication/repository.js';
import type { TagsRepository } from './tags/repository.js';
import type { WebhooksRepository } from './webhooks/repository.js';

// What modules are handed: declared here, put together by src/services.ts (the composition root).

/** The repositories of one store, as they call each other (inside one write transaction). */
export interface StoreRepositories {
  contentState: ContentStateRepository;
  events: EventsRepository;
  sections: SectionsRepository;
  tags: TagsRepository;
  authors: AuthorsRepository;
  articles: ArticlesRepository;
  comments: CommentsRepository;
  media: MediaRepository;
  corrections: CorrectionsRepository;
  keys: KeysRepository;
  previews: PreviewsRepository;
  webhooks: WebhooksRepository;
  idempotency: IdempotencyRepository;
  rateLimits: RateLimitsRepository;
  syndication: SyndicationRepository;
}

/**
 * Everything route plugins need: one store's repositories, the renderer, the clock, and what
 * signs cursors and validators. Routes never know which store answers.
 */
export interface Services extends StoreRepositories {
  now: () => Date;
  cursors: CursorCodec;
  renderer: Renderer;
  mediaSettings: MediaSettings;
  /** This node's renditions on disk. */
  renditions: RenditionCache;
  links: SiteLinks | undefined;
  /** Signs every ETag; the site settings are part of it, since a new SITE_URL changes each `url`. */
  validatorSecret: string;
  /** One write transaction around several calls (an imported item's); nested writes are savepoints. */
  transaction<T>(work: () => Promise<T>): Promise<T>;
}

/** Options every resource's route plugin receives. */
export interface RouteOptions {
  services: Services;
}
