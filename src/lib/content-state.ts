// What every cached representation depends on (modules/content-state keeps it in the database).

export interface ContentState {
  /** Moves on every write to content or keys (triggers, see migrations 0004 and 0009). */
  generation: number;
  changedAt: string;
  /** Moves only on writes the public can see (touchPublic, called by the repositories). */
  publicGeneration: number;
  publicChangedAt: string;
  /** The latest publishedAt already reached: moves when a scheduled article goes live. */
  latestPublishedAt: string;
}

/** The content state from its row (none before the first write) and the latest publication reached. */
export function stateOf(
  row:
    | { generation: number; changedAt: string; publicGeneration: number; publicChangedAt: string }
    | undefined,
  latestPublishedAt: string,
): ContentState {
  const epoch = new Date(0).toISOString();
  return {
    generation: row?.generation ?? 0,
    changedAt: row?.changedAt ?? epoch,
    publicGeneration: row?.publicGeneration ?? 0,
    publicChangedAt: row?.publicChangedAt ?? epoch,
    latestPublishedAt,
  };
}
