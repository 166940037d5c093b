/** Who is asking, as far as content visibility goes. */
export interface Audience {
  /** Holds `content:read`: sees drafts, scheduled and archived articles too. */
  seesUnpublished: boolean;
  /** ISO time of the request: a published article with a later publishedAt is still scheduled. */
  now: string;
}

/** Who makes a write, as revisions record it: the API key, and the author it acts for. */
export interface Actor {
  /** null for the environment's admin key and for imports. */
  keyId: number | null;
  keyName: string;
  authorId: number | null;
}

/** Writes no key makes: imports and start-up's own migrations. */
export const systemActor = (name: string): Actor => ({ keyId: null, keyName: name, authorId: null });
