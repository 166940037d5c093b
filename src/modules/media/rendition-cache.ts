import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Renditions kept on this node's disk, named by what they are made of (the original's hash, the
 * focal point, the variant), so nodes and tests may share a folder and nothing goes stale. At
 * most `maxBytes` are kept: the least recently served go first. Concurrent requests for one
 * rendition that is not there yet are answered by one generation (single flight).
 */
export function createRenditionCache(folder: string, maxBytes: number) {
  /** What this process knows is on disk: file name → size, in order of last use (Map order). */
  const known = new Map<string, number>();
  let total = 0;
  const pending = new Map<string, Promise<Buffer>>();
  let ready: Promise<void> | undefined;

  // The files an earlier run left are counted (and may be evicted) like the new ones.
  const load = () => {
    ready ??= (async () => {
      await mkdir(folder, { recursive: true });
      for (const name of await readdir(folder)) {
        if (name.endsWith('.part')) continue;
        const size = (await stat(join(folder, name)).catch(() => undefined))?.size;
        if (size !== undefined) remember(name, size);
      }
    })();
    return ready;
  };
  const remember = (name: string, size: number) => {
    total += size - (known.get(name) ?? 0);
    known.delete(name);
    known.set(name, size);
  };
  const evict = async () => {
    for (const [name, size] of known) {
      if (total <= maxBytes) break;
      known.delete(name);
      total -= size;
      await rm(join(folder, name), { force: true });
    }
  };

  const generate = async (name: string, make: () => Promise<Buffer>) => {
    const bytes = await make();
    if (bytes.length > maxBytes) return bytes;
    // Written whole, then renamed: another process never reads half a file.
    const part = join(folder, `${name}.${randomBytes(6).toString('hex')}.part`);
    await writeFile(part, bytes);
    await rename(part, join(folder, name));
    remember(name, bytes.length);
    await evict();
    return bytes;
  };

  return {
    /** The rendition named `name`, from disk, or made by `make` once however many ask. */
    async get(name: string, make: () => Promise<Buffer>): Promise<Buffer> {
      await load();
      const stored = await readFile(join(folder, name)).catch(() => undefined);
      if (stored) {
        remember(name, stored.length);
        return stored;
      }
      const inFlight = pending.get(name);
      if (inFlight) return inFlight;
      const made = generate(name, make).finally(() => pending.delete(name));
      pending.set(name, made);
      return made;
    },
    /** Bytes this process counts on disk (for tests and the bench). */
    size: () => total,
  };
}

export type RenditionCache = ReturnType<typeof createRenditionCache>;
