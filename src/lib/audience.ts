/** Who is asking, as far as content visibility goes. */
export interface Audience {
  /** Holds `content:read`: sees drafts, scheduled and archived articles too. */
  seesUnpublished: boolean;
  /** ISO time of the request: a published article with a later publishedAt is still scheduled. */
  now: string;
}
