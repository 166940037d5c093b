import { pipeline, type Readable, Transform } from 'node:stream';
import { LRUCache } from 'lru-cache';
import { isArticleListKey } from '../lib/cache-keys.js';
import type { ContentState } from '../lib/content-state.js';

/** A public response as sent: its bytes after compression, the headers that travel with them. */
export interface CachedResponse {
  etag: string;
  lastModified: string;
  payload: Buffer;
  headers: Record<string, string>;
  /** The cache keys it depends on, and their versions when it was read. */
  keys: string[];
  versions: number[];
  /** The public generation its keys were last checked at: while it holds, no key can have moved. */
  generation: number;
  /** The latest publication reached when it was read: a list changes when a scheduled article goes live. */
  latestPublishedAt: string;
  expiresAt?: string;
}

/** Headers a stored response needs again; validators and cache headers are set afresh. */
export const STORED_HEADERS = ['content-type', 'content-encoding', 'surrogate-key', 'link'] as const;

/**
 * The final bytes of public GET responses, bounded by size (LRU). An entry is served only while
 * the keys it depends on keep the versions it was read with, in the database, so a write in any
 * process that changes it is seen at once. Checking costs nothing while the public generation
 * has not moved, and one query for the entry's keys after it has.
 */
export function createResponseCache(maxBytes: number) {
  if (maxBytes <= 0) return undefined;
  const entries = new LRUCache<string, CachedResponse>({
    maxSize: maxBytes,
    sizeCalculation: (entry, key) =>
      Math.max(1, Buffer.byteLength(entry.payload) + key.length + 200 + 24 * entry.keys.length),
  });
  const outdated = (entry: CachedResponse, state: ContentState, instant: string) =>
    (entry.expiresAt !== undefined && instant >= entry.expiresAt) ||
    (entry.keys.some(isArticleListKey) && entry.latestPublishedAt !== state.latestPublishedAt);
  return {
    /** The stored response for `key` if it is still what the handler would send now. */
    async current(
      key: string,
      state: ContentState,
      instant: string,
      versionsOf: (keys: readonly string[], publicGeneration: number) => Promise<number[]>,
    ): Promise<CachedResponse | undefined> {
      const entry = entries.get(key);
      if (!entry) return undefined;
      if (outdated(entry, state, instant)) {
        entries.delete(key);
        return undefined;
      }
      if (entry.generation !== state.publicGeneration) {
        const versions = await versionsOf(entry.keys, state.publicGeneration);
        if (versions.some((version, i) => version !== entry.versions[i])) {
          entries.delete(key);
          return undefined;
        }
        // Nothing it shows has moved: no need to ask again until the next public write.
        entry.generation = state.publicGeneration;
      }
      return entry;
    },
    set(key: string, entry: CachedResponse) {
      // An entry larger than the whole cache is simply not kept.
      if (Buffer.byteLength(entry.payload) < maxBytes) entries.set(key, entry);
    },
    get size() {
      return entries.calculatedSize;
    },
  };
}

export type ResponseCache = NonNullable<ReturnType<typeof createResponseCache>>;

// @fastify/compress may hand over a stream of its own (readable-stream), not a node:stream one.
export const isStream = (payload: unknown): payload is NodeJS.ReadableStream =>
  typeof (payload as NodeJS.ReadableStream | null)?.pipe === 'function';

export const isBytes = (payload: unknown): payload is string | Buffer =>
  typeof payload === 'string' || Buffer.isBuffer(payload);

/** The stream as it is sent, and its whole bytes to `whole` once it ended (not if it failed). */
export function recorded(stream: NodeJS.ReadableStream, whole: (bytes: Buffer) => void): Readable {
  const chunks: Buffer[] = [];
  // A transform, not a second reader: the chunks flow at the pace the client takes them.
  const recorder = new Transform({
    transform(chunk: Buffer, _encoding, next) {
      chunks.push(chunk);
      next(null, chunk);
    },
    flush(done) {
      whole(Buffer.concat(chunks));
      done();
    },
  });
  pipeline(stream, recorder, () => {});
  return recorder;
}

/** Keyed single flight: the first to ask for a key leads, the others wait for it to finish. */
export function createSingleFlight<Leader extends object>() {
  const running = new Map<string, Promise<void>>();
  const finishers = new WeakMap<Leader, () => void>();
  return {
    /** The work in progress for this key, if any. */
    pending: (key: string) => running.get(key),
    /** Starts work for this key, led by `leader`; returns what ends it. */
    lead(key: string, leader: Leader): () => void {
      let finish = () => {};
      const done = new Promise<void>((resolve) => {
        finish = resolve;
      });
      running.set(key, done);
      finishers.set(leader, finish);
      done.then(() => running.get(key) === done && running.delete(key));
      return finish;
    },
    /** Ends the work `leader` leads (nothing when it leads none). */
    finish: (leader: Leader) => finishers.get(leader)?.(),
  };
}
