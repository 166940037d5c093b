/**
 * Totals change only when content does (or a scheduled article goes live): remembered per
 * content state, so paging through a large list does not count it again on every page. The
 * count query is built for "up to the latest publication reached", which counts what "up to
 * now" does and keeps its text (so the key) the same from one request to the next.
 */
export function createTotals() {
  const totals = new Map<string, number>();
  let totalsState = '';
  return {
    remember<T extends number | Promise<number>>(
      state: { generation: number; latestPublishedAt: string },
      key: string,
      count: () => T,
    ): T | number {
      const stateKey = `${state.generation}|${state.latestPublishedAt}`;
      if (stateKey !== totalsState) {
        totals.clear();
        totalsState = stateKey;
      }
      const known = totals.get(key);
      if (known !== undefined) return known;
      const store = (total: number) => {
        if (totals.size >= 1000) totals.delete(totals.keys().next().value as string);
        totals.set(key, total);
        return total;
      };
      const counted = count();
      return (typeof counted === 'number' ? store(counted) : counted.then(store)) as T;
    },
  };
}
