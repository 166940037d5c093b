import Database from 'better-sqlite3';
import pg from 'pg';
import type { SharedStore } from './app.js';
import { postgresUrl } from './postgres.js';

/**
 * Every row of every table of a store, as JSON text: what "anywhere in the database" means to a
 * test. SQLite's full-text index shadow tables are left out (their segments are binary, and
 * FTS5 drops a deleted document's tokens when it merges them).
 */
export async function storeText(store: SharedStore): Promise<string> {
  if (store.postgresSchema) {
    const client = new pg.Client({ connectionString: postgresUrl });
    await client.connect();
    try {
      const { rows: tables } = await client.query(
        "select table_name from information_schema.tables where table_schema = $1 and table_type = 'BASE TABLE'",
        [store.postgresSchema],
      );
      let text = '';
      for (const { table_name } of tables) {
        const { rows } = await client.query(`select * from ${store.postgresSchema}."${table_name}"`);
        text += `${table_name}: ${JSON.stringify(rows)}\n`;
      }
      return text;
    } finally {
      await client.end();
    }
  }
  const sqlite = new Database(store.config.databaseFile as string, { readonly: true });
  try {
    const tables = sqlite
      .prepare(
        "select name from sqlite_master where type = 'table' and name not like 'articles_fts%' and name not like 'sqlite_%'",
      )
      .all() as { name: string }[];
    return tables
      .map(({ name }) => `${name}: ${JSON.stringify(sqlite.prepare(`select * from "${name}"`).all())}`)
      .join('\n');
  } finally {
    sqlite.close();
  }
}
