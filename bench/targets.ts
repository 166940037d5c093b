/** The benchmark's table, and the speed issue's targets checked against one run. */
import type { Measured } from './wrk.js';

export interface Row extends Measured {
  store: string;
  scenario: string;
  connections: number;
  /** The reference's same scenario, measured just before this one. */
  reference?: Measured;
}

const find = (rows: Row[], store: string, scenario: string) =>
  rows.find((row) => row.store === store && row.scenario === scenario);

/**
 * The SQLite write target, judged by the client that serves its connections in turn (wrk's
 * tail at saturation is its own unevenness as much as the server's), wrk's p99 printed beside.
 */
const creationTail = (wrkRow: Row, inTurn: Row | undefined) => ({
  target: 'SQLite creates at 50 connections, p99 <= 250 ms',
  measured: `${inTurn ? `${inTurn.p99} ms through a client serving in turn, ` : ''}${wrkRow.p99} ms through wrk`,
  met: (inTurn ?? wrkRow).p99 <= 250,
});

const percent = (part: number, whole: number | undefined) => (whole ? Math.round((100 * part) / whole) : 0);

/** The rows as a table, each with its share of the reference (where one compares) and of hello world. */
export function table(rows: Row[]): string {
  const hello = find(rows, '', 'Fastify hello world');
  const referenceOf = (row: Row) =>
    row.reference ??
    (row.scenario.startsWith('article by slug')
      ? find(rows, 'reference', 'article by slug')
      : row.scenario.startsWith('list 20,')
        ? find(rows, 'reference', 'list 20')
        : undefined);
  const cells = [
    [
      'store',
      'scenario',
      'conns',
      'req/s',
      'p50 ms',
      'p99 ms',
      'non-2xx',
      'ref req/s',
      '% of ref',
      'p99 ÷ ref p99',
      '% of hello',
    ],
    ...rows.map((row) => {
      const ref = row.store === 'reference' ? undefined : referenceOf(row);
      return [
        row.store,
        row.scenario,
        row.connections,
        row.requestsPerSecond,
        row.p50,
        row.p99,
        row.non2xx + row.socketErrors,
        ref ? ref.requestsPerSecond : '',
        ref ? percent(row.requestsPerSecond, ref.requestsPerSecond) : '',
        ref ? (row.p99 / Math.max(0.1, ref.p99)).toFixed(1) : '',
        percent(row.requestsPerSecond, hello?.requestsPerSecond),
      ];
    }),
  ];
  const widths =
    cells[0]?.map((_, column) => Math.max(...cells.map((row) => String(row[column]).length))) ?? [];
  return cells
    .map((row) => row.map((cell, column) => String(cell).padEnd(widths[column] ?? 0)).join('  '))
    .join('\n');
}

interface Check {
  target: string;
  measured: string;
  met: boolean;
}

/** Each target of the speed issue that this run measured, met or by how much it is missed. */
export function checkTargets(rows: Row[], probes: Record<string, unknown>) {
  const checks: Check[] = [];
  const refArticle = find(rows, 'reference', 'article by slug');
  const refList = find(rows, 'reference', 'list 20');
  const share = (
    store: string,
    scenario: string,
    fallback: Row | undefined,
    atLeast: number,
    p99Times?: number,
  ) => {
    const row = find(rows, store, scenario);
    const ref = row?.reference ?? fallback;
    if (!row || !ref) return;
    const got = percent(row.requestsPerSecond, ref.requestsPerSecond);
    const times = row.p99 / Math.max(0.1, ref.p99);
    checks.push({
      target: `${store} ${scenario}: >= ${atLeast} % of the reference${p99Times ? `, p99 <= ${p99Times}x` : ''}`,
      measured: `${got} %${p99Times ? `, p99 ${times.toFixed(1)}x` : ''}`,
      met: got >= atLeast && (p99Times === undefined || times <= p99Times),
    });
  };
  for (const store of ['SQLite', 'PostgreSQL']) {
    const postgres = store === 'PostgreSQL';
    share(store, 'article by slug, cache hit', refArticle, postgres ? 100 : 150, postgres ? undefined : 2);
    share(store, 'list 20, cache hit', refList, postgres ? 100 : 150, postgres ? undefined : 2);
    share(store, 'article by slug, cache off', refArticle, postgres ? 30 : 50, postgres ? undefined : 3);
    share(store, 'list 20, cache off', refList, postgres ? 30 : 50, postgres ? undefined : 3);
    const create = find(rows, store, 'create article');
    if (create)
      checks.push(
        postgres
          ? {
              target: 'PostgreSQL creates >= 200/s',
              measured: `${create.requestsPerSecond}/s`,
              met: create.requestsPerSecond >= 200,
            }
          : creationTail(create, find(rows, store, 'create article, client serving in turn')),
      );
    const flight = (
      probes[store] as { singleFlight?: { answered: number; asked: number; lastMs: number } } | undefined
    )?.singleFlight;
    if (flight)
      checks.push({
        target: `${store}: 50 simultaneous cold searches all answered within 10 s`,
        measured: `${flight.answered} of ${flight.asked}, the last after ${flight.lastMs} ms`,
        met: flight.answered === flight.asked,
      });
  }
  for (const row of rows.filter((row) => / at \d+$/.test(row.store) && row.scenario.startsWith('search')))
    checks.push({
      target: `${row.store}: search, cache off, 10 connections, p99 <= 100 ms`,
      measured: `${row.p99} ms`,
      met: row.p99 <= 100,
    });
  const text = checks
    .map((check) => `${check.met ? 'met   ' : 'MISSED'}  ${check.target}: ${check.measured}`)
    .join('\n');
  return { checks, text: `targets:\n${text}` };
}
