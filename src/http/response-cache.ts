import { LRUCache } from 'lru-cache';

/** A public response as sent: its bytes after compression, the headers that travel with them. */
export interface CachedResponse {
  etag: string;
  payload: string | Buffer;
  headers: Record<string, string>;
}

/** Headers a stored response needs again; validators and cache headers are set afresh. */
export const STORED_HEADERS = ['content-type', 'content-encoding', 'surrogate-key', 'link'] as const;

/**
 * The final bytes of public GET responses, bounded by size (LRU). An entry is only ever served
 * while its ETag equals the one the request's validators compute from the database, so it can
 * never be stale: a write anywhere (any process) that changes the response changes the ETag.
 */
export function createResponseCache(maxBytes: number) {
  if (maxBytes <= 0) return undefined;
  const entries = new LRUCache<string, CachedResponse>({
    maxSize: maxBytes,
    sizeCalculation: (entry, key) => Math.max(1, Buffer.byteLength(entry.payload) + key.length + 200),
  });
  return {
    get: (key: string) => entries.get(key),
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
