import { eq, like, or } from 'drizzle-orm';
import type { PgColumn, PgTable } from 'drizzle-orm/pg-core';
import { deriveSlug, SLUG_MAX_LENGTH } from '../../lib/slug.js';
import { assignSlug, type SlugRequest } from '../helpers.js';
import type { PgDb } from './index.js';
import { executor, type PgExecutor } from './transaction.js';

/**
 * assignSlug (../helpers.ts) on PostgreSQL: the slugs it could ask about (the base and its
 * `-2`, `-3` ... variants, which may cut the base short) are read in one query first, so the
 * same synchronous rules pick the slug. Call inside the write transaction.
 */
export async function assignSlugIn(
  db: PgDb,
  table: PgTable & { id: PgColumn; slug: PgColumn },
  request: Omit<SlugRequest, 'holderOf'>,
): Promise<string> {
  const base = request.given ?? deriveSlug(request.derivedFrom);
  // A suffixed candidate keeps at least the base's first SLUG_MAX_LENGTH - 10 characters.
  const stem = base.slice(0, SLUG_MAX_LENGTH - 10);
  const tx: PgExecutor = executor(db);
  const rows = await tx
    .select({ id: table.id, slug: table.slug })
    .from(table)
    .where(or(eq(table.slug, base), like(table.slug, `${stem}%`)));
  const holders = new Map(rows.map((row) => [row.slug as string, row.id as number]));
  return assignSlug({ ...request, holderOf: (slug) => holders.get(slug) });
}
