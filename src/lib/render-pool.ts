import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import { DomainError } from './errors.js';
import { type Rendering, renderMarkdown } from './markdown.js';

/** Bodies up to this size render in place: a few milliseconds at worst, cheaper than a hop to a worker. */
export const INLINE_RENDER_LIMIT = 16_384;

export interface Renderer {
  render(body: string): Promise<Rendering>;
  close(): Promise<void>;
}

// The worker is this module's sibling: .ts under tsx and tap, .js once compiled.
const workerFile = fileURLToPath(
  new URL(`./render-worker${extname(fileURLToPath(import.meta.url))}`, import.meta.url),
);

/**
 * Renders Markdown off the event loop. markdown-it is linear but slow on some inputs (~1 s for
 * 490 KB of `![`), so large bodies go to one worker thread, leaving the other core to the
 * server, and a render that takes longer than `timeoutMs` is stopped (the worker is replaced)
 * and refused as 422 instead of holding anything up. Rendering always happens before the write
 * transaction, never inside it.
 */
export function createRenderer(options: { timeoutMs: number }): Renderer {
  let pool: Piscina | undefined;
  return {
    async render(body) {
      if (body.length <= INLINE_RENDER_LIMIT) return renderMarkdown(body);
      pool ??= new Piscina({
        filename: workerFile,
        minThreads: 0,
        maxThreads: 1,
        idleTimeout: 30_000,
        maxQueue: 32,
      });
      try {
        return (await pool.run(body, { signal: AbortSignal.timeout(options.timeoutMs) })) as Rendering;
      } catch (error) {
        if ((error as Error).name === 'AbortError' || (error as Error).name === 'TimeoutError') {
          throw new DomainError(
            'unprocessable',
            'body-too-complex',
            `The body took longer than ${options.timeoutMs} ms to render; simplify its Markdown`,
          );
        }
        if (/queue is at limit/i.test((error as Error).message)) {
          throw new DomainError(
            'unavailable',
            'render-queue-full',
            'Too many large bodies are rendering; retry shortly',
          );
        }
        throw error;
      }
    },
    async close() {
      await pool?.destroy();
    },
  };
}
