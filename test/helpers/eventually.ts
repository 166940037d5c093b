/**
 * Waits for a condition the code under test brings about in its own time (a sampler's next
 * tick, another process's write), asking again every `everyMs` until it holds or `withinMs`
 * pass; returns whether it held. The bound is generous on purpose: it only decides how long a
 * failing test takes, never whether a passing one passes on a slow machine.
 */
export async function eventually(
  condition: () => boolean | Promise<boolean>,
  { withinMs = 30_000, everyMs = 50 } = {},
): Promise<boolean> {
  for (const started = Date.now(); Date.now() - started < withinMs; ) {
    if (await condition()) return true;
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
  return condition();
}
