/**
 * A repository as routes and services see it: every method returns a promise. SQLite's
 * repositories run synchronously (better-sqlite3), PostgreSQL's cannot, so the code above the
 * repositories awaits every call and never knows which store answers. Members named in `Sync`
 * stay as they are (subscribing to in-process notifications is not a query).
 */
export type Asynchronous<T, Sync extends keyof T = never> = {
  [K in keyof T]: K extends Sync
    ? T[K]
    : T[K] extends (...args: infer A) => infer R
      ? (...args: A) => Promise<Awaited<R>>
      : T[K];
};

/** A synchronous repository behind the promise-returning interface; a throw becomes a rejection. */
export function asynchronous<T extends object, Sync extends keyof T = never>(
  repository: T,
  ...synchronous: Sync[]
): Asynchronous<T, Sync> {
  const wrapped: Record<string, unknown> = {};
  for (const [name, member] of Object.entries(repository)) {
    wrapped[name] =
      typeof member === 'function' && !synchronous.includes(name as Sync)
        ? (...args: unknown[]) => {
            try {
              return Promise.resolve(member.apply(repository, args));
            } catch (error) {
              return Promise.reject(error);
            }
          }
        : member;
  }
  return wrapped as Asynchronous<T, Sync>;
}
