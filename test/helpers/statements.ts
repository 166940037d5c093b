import Database from 'better-sqlite3';

// Counts the statements better-sqlite3 runs in this process (SQLite stores only): what a request
// costs in queries, so a read or write path cannot grow one unnoticed.
const executed: string[] = [];
const statementPrototype = Object.getPrototypeOf(new Database(':memory:').prepare('select 1')) as Record<
  string,
  (...args: unknown[]) => unknown
>;
for (const method of ['all', 'get', 'run', 'iterate'] as const) {
  const original = statementPrototype[method] as (...args: unknown[]) => unknown;
  statementPrototype[method] = function counted(this: Database.Statement, ...args: unknown[]) {
    executed.push(this.source);
    return original.apply(this, args);
  };
}

/** The SQL of the statements `request` ran, in order. */
export async function statementsOf(request: () => Promise<unknown>): Promise<string[]> {
  executed.length = 0;
  await request();
  return [...executed];
}
