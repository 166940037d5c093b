// drizzle-kit writes foreign keys as REFERENCES "public"."table", tying the PostgreSQL
// migrations to the `public` schema. Broadsheet's tables live wherever the connection's
// search_path says (tests give each file a schema of its own), so the qualifier is removed.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';

const folder = new URL('../migrations-postgres/', import.meta.url);
for (const name of readdirSync(folder).filter((file) => file.endsWith('.sql'))) {
  const file = new URL(name, folder);
  const text = readFileSync(file, 'utf8');
  const unqualified = text.replaceAll('REFERENCES "public".', 'REFERENCES ');
  if (unqualified !== text) writeFileSync(file, unqualified);
}
