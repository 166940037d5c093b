import { sql } from 'drizzle-orm';
import { type Config, ConfigError } from './config.js';
import { openDatabase } from './db/index.js';
import { openPostgres, redactedUrl } from './db/postgres/index.js';
import { createServices, type ServiceOptions, type Services } from './services.js';
import { createPostgresServices } from './services.postgres.js';

/** The store the API runs on, chosen once at start from DATABASE_URL. */
export interface Store {
  services: Services;
  /** A trivial query: readiness. */
  ping(): Promise<unknown>;
  close(): Promise<void>;
}

export interface StoreOptions extends ServiceOptions {
  /** PostgreSQL only: keep everything in this schema (tests give each app its own). */
  postgresSchema?: string;
}

export async function openStore(
  config: Pick<Config, 'databaseFile' | 'postgresUrl'>,
  now: () => Date,
  options: StoreOptions,
): Promise<Store> {
  if (config.postgresUrl) {
    const handle = await openPostgres(config.postgresUrl, { schema: options.postgresSchema }).catch(
      (error: Error) => {
        // Unreachable, refused, or a bad password: one line saying where, never the password.
        throw new ConfigError(
          `DATABASE_URL: cannot open PostgreSQL at ${redactedUrl(config.postgresUrl as string)} (${error.message})`,
        );
      },
    );
    return {
      services: await createPostgresServices(handle.db, now, options),
      ping: () => handle.db.execute(sql`select 1`),
      close: () => handle.close(),
    };
  }
  const { sqlite, db } = openDatabase(config.databaseFile);
  return {
    services: createServices(db, now, options),
    ping: async () => sqlite.prepare('select 1').get(),
    close: async () => {
      sqlite.close();
    },
  };
}
