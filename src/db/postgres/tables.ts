// Every table of the PostgreSQL store: what the database handle and drizzle-kit see (as
// ../tables.ts for SQLite).
export * from './schema.js';
export * from './schema-newsroom.js';
