// Issue 13's figures (at 1,000,000 rows; any size with --rows), for bench/extras.ts: GET /deployments for
// every filter combination the UI offers (p95 target 50 ms), page 1 against the page halfway through
// (page 10,000 at 1M rows: the same cost expected, keyset, no offset), and a full CSV export (target: at
// least 50,000 rows/s with the server's peak RSS at most 200 MB, every row exported).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { encodeCursor, parseFilter, type FilterInput } from '../src/deployments/deployments-query.js';
import type { BenchDatabase } from './databases.js';
import { HOT_ENVIRONMENT } from './dataset.js';
import { percentile } from './load.js';
import { startVersionsServer, type RunningServer } from './processes.js';
import { rowsLabel, type Row } from './report.js';

export const QUERY_TARGET_P95_MS = 50;
const EXPORT_TARGET_ROWS_PER_SECOND = 50_000;
const EXPORT_TARGET_RSS_MB = 200;
const PAGE_SIZE = 50;
/** The deep page may cost this many times page 1's p50, plus a margin for timer noise at small figures. */
const DEEP_PAGE_RATIO = 1.5;
const DEEP_PAGE_MARGIN_MS = 2;

const hot = { ...HOT_ENVIRONMENT };
const platform = { workload: HOT_ENVIRONMENT.workload, platform: HOT_ENVIRONMENT.platform };

/** The histories' filters (status, version, dates), on the busiest environment and its platform. */
const COMBINATIONS: ReadonlyArray<readonly [string, FilterInput]> = [
  ['environment', hot],
  ['environment + status', { ...hot, status: 'failed' }],
  [
    'environment + successful + dates',
    { ...hot, status: 'successful', from: '2025-01-01T00:00:00Z', to: '2025-06-30T23:59:59Z' },
  ],
  ['environment + version prefix', { ...hot, version: '1.5*' }],
  ['environment + dates', { ...hot, from: '2024-03-01T00:00:00Z', to: '2024-03-31T23:59:59Z' }],
  ['platform + status', { ...platform, status: 'ongoing' }],
  ['everything', {}],
  ['everything + status', { status: 'failed' }],
];

function query(filter: FilterInput, extra: Record<string, string> = {}): string {
  return new URLSearchParams({
    ...(filter as Record<string, string>),
    limit: String(PAGE_SIZE),
    ...extra,
  }).toString();
}

/** Sequential requests (after 5 unrecorded), each to its body's last byte: p50 and p95. */
async function latency(url: string, count: number): Promise<{ p50: number; p95: number; failures: number }> {
  const once = async () => {
    const start = performance.now();
    const response = await fetch(url);
    await response.arrayBuffer();
    return { ms: performance.now() - start, ok: response.status === 200 };
  };
  for (let warm = 0; warm < 5; warm++) await once();
  const times: number[] = [];
  let failures = 0;
  const deadline = performance.now() + 20_000;
  for (let request = 0; request < count && performance.now() < deadline; request++) {
    const { ms, ok } = await once();
    if (ok) times.push(ms);
    else failures++;
  }
  times.sort((a, b) => a - b);
  return { p50: percentile(times, 0.5), p95: percentile(times, 0.95), failures };
}

/** The rows of the query API's figures for one database, measured on `server` (cache off). */
export async function measureDeploymentsQuery(
  server: RunningServer,
  database: BenchDatabase,
  label: string,
  requests: number,
): Promise<Row[]> {
  const rows: Row[] = [];
  const size = rowsLabel(database.rows);
  const api = `${server.url}/api/v1/deployments`;
  for (const [name, filter] of COMBINATIONS) {
    const result = await latency(`${api}?${query(filter)}`, requests);
    rows.push({
      measurement: `GET /deployments: ${name}`,
      database: label,
      rows: size,
      figure: `p95 ${result.p95.toFixed(1)} ms${result.failures ? `, ${result.failures} failed` : ''}`,
      p50: result.p50,
      target: `p95 ≤ ${QUERY_TARGET_P95_MS} ms`,
      pass: result.failures === 0 && result.p95 <= QUERY_TARGET_P95_MS,
    });
  }

  // The page halfway through everything (page 10,000 at 1M rows): the cursor of the row just above the
  // middle, made as the service makes it (ids grow with dates in the bench's data, so that row's id is
  // rows/2 + 1).
  const middle = Math.floor(database.rows / 2);
  const deepPage = Math.max(1, Math.floor(middle / PAGE_SIZE));
  const deepId = middle + 1;
  const deep = (await (await fetch(`${server.url}/api/v1/read/raw/id?versionId=${deepId}`)).json()) as {
    date: string;
  };
  const cursor = encodeCursor({ date: new Date(deep.date), id: deepId }, parseFilter({}));
  const [first, deeper] = [
    await latency(`${api}?${query({})}`, requests),
    await latency(`${api}?${query({}, { cursor })}`, requests),
  ];
  const pageName = `page ${deepPage.toLocaleString('en')}`;
  rows.push({
    measurement: `GET /deployments: page 1 vs ${pageName}`,
    database: label,
    rows: size,
    figure: `p50 ${first.p50.toFixed(1)} vs ${deeper.p50.toFixed(1)} ms`,
    p50: deeper.p50,
    ratio: `${pageName} ÷ page 1 = ${(deeper.p50 / first.p50).toFixed(2)}`,
    target: `≤ ${DEEP_PAGE_RATIO} × page 1 (+${DEEP_PAGE_MARGIN_MS} ms)`,
    pass:
      first.failures + deeper.failures === 0 &&
      deeper.p50 <= DEEP_PAGE_RATIO * first.p50 + DEEP_PAGE_MARGIN_MS,
  });

  // A whole export, on a fresh server so that its peak RSS is the export's.
  const exporter = await startVersionsServer(`${label} export`, database, { env: { LOG_LEVEL: 'warn' } });
  try {
    const start = performance.now();
    const response = await fetch(`${exporter.url}/api/v1/deployments?format=csv`);
    let lines = 0;
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      for (const byte of chunk) if (byte === 10) lines++;
    }
    const seconds = (performance.now() - start) / 1000;
    // Newlines inside quoted cells would count too; the bench's data has none. The header is not a row.
    const exported = lines - 1;
    const rate = exported / seconds;
    const rssMB = (exporter.peakRssMiB() * 1024 * 1024) / 1_000_000;
    const complete = response.status === 200 && exported === database.rows;
    rows.push({
      measurement: 'GET /deployments?format=csv, every row',
      database: label,
      rows: size,
      figure: `${Math.round(rate).toLocaleString('en')} rows/s (${exported.toLocaleString('en')} of ${database.rows.toLocaleString('en')} in ${seconds.toFixed(1)} s), peak RSS ${rssMB.toFixed(0)} MB`,
      target: `≥ ${EXPORT_TARGET_ROWS_PER_SECOND.toLocaleString('en')} rows/s, ≤ ${EXPORT_TARGET_RSS_MB} MB, every row`,
      pass: complete && rate >= EXPORT_TARGET_ROWS_PER_SECOND && rssMB <= EXPORT_TARGET_RSS_MB,
    });
  } finally {
    await exporter.stop();
  }
  return rows;
}

const START = '<!-- bench:query:start -->';
const END = '<!-- bench:query:end -->';

/** Writes the query API's results between their own markers of bench/README.md (appended when absent). */
export function writeQueryReadme(path: string, results: string): void {
  const block = `${START}\n${results}\n${END}`;
  const current = existsSync(path) ? readFileSync(path, 'utf8') : '# Benchmarks\n';
  const start = current.indexOf(START);
  const end = current.indexOf(END);
  const heading =
    '## GET /deployments: filters, deep pages, CSV export (`npm run bench:extras -- --only=query`, issue 13)';
  const next =
    start === -1 || end === -1
      ? `${current.trimEnd()}\n\n${heading}\n\n${block}\n`
      : `${current.slice(0, start)}${block}${current.slice(end + END.length)}`;
  writeFileSync(path, next);
}
