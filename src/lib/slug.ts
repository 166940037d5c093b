import slugify from '@sindresorhus/slugify';

export const SLUG_PATTERN = '^(?![0-9]+$)[a-z0-9]+(?:-[a-z0-9]+)*$';
export const SLUG_MAX_LENGTH = 120;

/**
 * Derives a slug from a name or title: Unicode folded to ASCII ("Zelenskyy’s Call" ->
 * "zelenskyys-call", "Київ" -> "kiyiv"), cut at a word under the length limit, and never all
 * digits (an all-digit slug would read as an id). Returns 'untitled' when nothing is left.
 */
export function deriveSlug(text: string): string {
  let slug = slugify(text, { decamelize: false });
  if (slug.length > SLUG_MAX_LENGTH) {
    slug = slug.slice(0, SLUG_MAX_LENGTH);
    const lastHyphen = slug.lastIndexOf('-');
    slug = lastHyphen > 0 ? slug.slice(0, lastHyphen) : slug;
  }
  if (slug === '') return 'untitled';
  if (/^[0-9]+$/.test(slug)) return `n-${slug}`;
  return slug;
}

/**
 * Finds the first free slug among base, base-2, base-3 ... as WordPress and Ghost do.
 * `isTaken` is asked synchronously, inside the caller's write transaction.
 */
export function uniqueSlug(base: string, isTaken: (slug: string) => boolean): string {
  if (!isTaken(base)) return base;
  for (let n = 2; ; n++) {
    const suffix = `-${n}`;
    const candidate = `${base.slice(0, SLUG_MAX_LENGTH - suffix.length)}${suffix}`;
    if (!isTaken(candidate)) return candidate;
  }
}

/** True when a path segment names a row by id (digits) rather than by slug. */
export function isId(idOrSlug: string): boolean {
  return /^[0-9]{1,15}$/.test(idOrSlug);
}
