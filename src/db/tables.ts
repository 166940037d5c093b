// Every table of the SQLite store: what the database handle and drizzle-kit see. The schema is
// split in files that depend on `schema.ts` (never the other way round).
export * from './schema.js';
export * from './schema-newsroom.js';
