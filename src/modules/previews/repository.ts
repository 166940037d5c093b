import { createHash, randomBytes } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import type { Database } from '../../db/database.js';

/** Marks preview tokens apart from API keys (`bsk_`): the two are looked up in different places. */
export const PREVIEW_TOKEN_MARKER = 'bsp_';

/** What a preview token grants: one article, named by id or by its current slug, until then. */
export interface PreviewGrant {
  articleId: number;
  slug: string;
  expiresAt: string;
}

export interface PreviewsRepository {
  /** A new token for the article (returned once; only its SHA-256 is stored). */
  create(articleId: number, keyId: number | null, at: string, expiresAt: string): Promise<string>;
  /** The grant a token holds, expired or not; undefined for a token never made or revoked. */
  grantOf(token: string): Promise<PreviewGrant | undefined>;
  /** Revokes every token of the article; says how many there were. */
  revokeAll(articleId: number): Promise<number>;
}

const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

export function createPreviewsRepository(db: Database): PreviewsRepository {
  const { previewTokens, articles } = db.tables;
  // Every preview read asks: prepared once.
  const byHash = db.readers
    .select({ articleId: previewTokens.articleId, slug: articles.slug, expiresAt: previewTokens.expiresAt })
    .from(previewTokens)
    .innerJoin(articles, eq(articles.id, previewTokens.articleId))
    .where(eq(previewTokens.hash, sql.placeholder('hash')))
    .prepare('preview_by_hash');
  return {
    create: (articleId, keyId, at, expiresAt) =>
      db.write(async () => {
        const token = `${PREVIEW_TOKEN_MARKER}${randomBytes(32).toString('base64url')}`;
        await db
          .query()
          .insert(previewTokens)
          .values({ articleId, hash: hashToken(token), keyId, createdAt: at, expiresAt });
        return token;
      }),
    async grantOf(token) {
      const [row] = await byHash.execute({ hash: hashToken(token) });
      return row;
    },
    revokeAll: (articleId) =>
      db.write(async () => {
        const revoked = await db
          .query()
          .delete(previewTokens)
          .where(eq(previewTokens.articleId, articleId))
          .returning({ id: previewTokens.id });
        return revoked.length;
      }),
  };
}
