import cliProgress from 'cli-progress';

export const OUTCOMES = ['created', 'updated', 'unchanged', 'skipped', 'failed'] as const;
export type Outcome = (typeof OUTCOMES)[number];

export interface Failure {
  kind: string;
  source: string;
  reason: string;
}

/**
 * What an import did, per kind of item and outcome, with every failure's source and reason;
 * progress as a bar on a terminal and as plain lines otherwise (logs, CI).
 */
export class ImportReport {
  readonly counts = new Map<string, Record<Outcome, number>>();
  readonly failures: Failure[] = [];
  readonly notes: string[] = [];
  private bar?: cliProgress.SingleBar;
  private done = 0;
  private total = 0;

  constructor(
    private readonly print: (line: string) => void,
    private readonly terminal: boolean,
  ) {}

  count(kind: string, outcome: Outcome, by = 1): void {
    const row = this.counts.get(kind) ?? { created: 0, updated: 0, unchanged: 0, skipped: 0, failed: 0 };
    row[outcome] += by;
    this.counts.set(kind, row);
  }

  fail(kind: string, source: string, reason: string): void {
    this.count(kind, 'failed');
    this.failures.push({ kind, source, reason });
  }

  /** Something worth telling that is not a failure (a truncated tag list, a shortcode kept as text). */
  note(line: string): void {
    this.notes.push(line);
  }

  start(total: number, label: string): void {
    this.total = total;
    this.done = 0;
    if (this.terminal) {
      this.bar = new cliProgress.SingleBar(
        { format: `${label} [{bar}] {value}/{total} {percentage}% {eta_formatted} left`, hideCursor: true },
        cliProgress.Presets.shades_classic,
      );
      this.bar.start(total, 0);
    } else {
      this.print(`${label}: ${total} items`);
    }
  }

  tick(): void {
    this.done++;
    if (this.bar) this.bar.increment();
    else if (this.done === this.total || this.done % 1000 === 0) this.print(`  ${this.done}/${this.total}`);
  }

  stop(): void {
    this.bar?.stop();
    this.bar = undefined;
  }

  get failed(): boolean {
    return this.failures.length > 0;
  }

  /** The summary table, then each failure and note. */
  summary(): string[] {
    const header = ['kind', ...OUTCOMES];
    const rows = [...this.counts.entries()].map(([kind, row]) => [
      kind,
      ...OUTCOMES.map((o) => String(row[o])),
    ]);
    const widths = header.map((cell, i) =>
      Math.max(cell.length, ...rows.map((row) => (row[i] ?? '').length)),
    );
    const line = (cells: string[]) =>
      cells
        .map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0)))
        .join('  ');
    return [
      line(header),
      ...rows.map(line),
      ...this.failures.map((failure) => `failed ${failure.kind} ${failure.source}: ${failure.reason}`),
      ...this.notes,
    ];
  }
}

/** A file an import cannot read at all (not XML, an external entity, no WordPress channel): one clear line, no stack. */
export class UnreadableInput extends Error {}
