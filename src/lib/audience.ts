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
  /** A write no API key made (an import): revisions name it, events carry no `by`. */
  system?: true;
}

/** Writes no key makes: imports and start-up's own migrations. */
export const systemActor = (name: string): Actor => ({
  keyId: null,
  keyName: name,
  authorId: null,
  system: true,
});

/** Who made a change, as the change feed and webhooks tell it: the key, and its author then. */
export interface EventActor {
  keyId: number | null;
  keyName: string;
  author: { id: number; slug: string; name: string } | null;
}
