import { defineConfig } from 'drizzle-kit';

// The PostgreSQL store's migrations (drizzle.config.ts has SQLite's); the app applies them at
// start-up and `npm run migrate` does so on demand.
export default defineConfig({
  dialect: 'postgresql',
  schema: './src/db/postgres/tables.ts',
  out: './migrations-postgres',
});
