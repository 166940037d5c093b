/**
 * The authors' names as a byline reads: "Ada Reporter", "Ada Reporter and Bo Stringer",
 * "Ada Reporter, Bo Stringer and Cy Editor" (no serial comma, as most newsrooms write it).
 * null when nobody is named.
 */
export function bylineOf(names: string[]): string | null {
  if (names.length === 0) return null;
  if (names.length === 1) return names[0] ?? null;
  return `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
}
