import { type Config, ConfigError } from './config.js';
import type { Database } from './db/database.js';
import { openPostgresDatabase } from './db/postgres/database.js';
import { redactedUrl } from './db/postgres/index.js';
import { openSqliteDatabase } from './db/sqlite.js';
import type { Services } from './modules/services.js';
import { createServices, type ServiceOptions } from './services.js';

/** The store the API runs on, chosen once at start from DATABASE_URL. */
export interface Store {
  db: Database;
  services: Services;
  /** Articles whose bodies the data migration rendered again (stored by an older renderer). */
  rerendered: number;
  /** Articles whose free-text byline (from before authors) the data migration linked to authors. */
  bylinesAdopted: number;
  close(): Promise<void>;
}

export interface StoreOptions extends ServiceOptions {
  /** PostgreSQL only: keep everything in this schema (tests give each app its own). */
  postgresSchema?: string;
}

/** Opens DATABASE_URL's database (SQLite file or PostgreSQL), applying pending SQL migrations. */
export async function openDatabaseOf(
  config: Pick<Config, 'databaseFile' | 'postgresUrl'>,
  options: Pick<StoreOptions, 'postgresSchema'> = {},
): Promise<Database> {
  if (!config.postgresUrl) return openSqliteDatabase(config.databaseFile);
  const url = config.postgresUrl;
  return openPostgresDatabase(url, { schema: options.postgresSchema }).catch((error: Error) => {
    // Unreachable, refused, or a bad password: one line saying where, never the password.
    throw new ConfigError(`DATABASE_URL: cannot open PostgreSQL at ${redactedUrl(url)} (${error.message})`);
  });
}

/** The store and its services, migrated: SQL migrations, then the data migrations SQL cannot do. */
export async function openStore(
  config: Pick<Config, 'databaseFile' | 'postgresUrl'>,
  now: () => Date,
  options: StoreOptions,
): Promise<Store> {
  const db = await openDatabaseOf(config, options);
  try {
    const services = await createServices(db, now, options);
    // What SQL cannot do, made sure of at every start and `migrate`: bodies stored by an older
    // Markdown renderer are rendered again, and free-text bylines become authors (slugs derived
    // as the API derives them).
    const rerendered = await services.articles.rerenderStale();
    const bylinesAdopted = await services.authors.adoptLegacyBylines(now().toISOString());
    return { db, services, rerendered, bylinesAdopted, close: () => db.close() };
  } catch (error) {
    await db.close();
    throw error;
  }
}
