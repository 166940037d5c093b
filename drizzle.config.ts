import { defineConfig } from 'drizzle-kit';

// drizzle-kit only generates and checks migrations; the app applies them at start-up.
export default defineConfig({
  dialect: 'sqlite',
  schema: './src/db/tables.ts',
  out: './migrations',
});
