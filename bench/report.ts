// The one table of results: every figure, and under it the ratios the targets ask for, PASS or FAIL.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { Machine } from './machine.js';

export interface Row {
  measurement: string;
  database: string;
  rows: string;
  /** The figure with its unit: "7,529 req/s", "121 MB". */
  figure: string;
  p50?: number;
  p99?: number;
  /** Server CPU time per answer, µs. */
  cpu?: number;
  /** "÷ bare Node = 0.42" */
  ratio?: string;
  target?: string;
  /** undefined when the row carries no target. */
  pass?: boolean;
}

const HEADER = [
  'measurement',
  'database',
  'rows',
  'figure',
  'p50 ms',
  'p99 ms',
  'server CPU µs/req',
  'ratio',
  'target',
  'result',
];

/** The rows as a Markdown table (which also reads well in a terminal). */
export function markdownTable(rows: readonly Row[]): string {
  const cells = rows.map((row) => [
    row.measurement,
    row.database,
    row.rows,
    row.figure,
    milliseconds(row.p50),
    milliseconds(row.p99),
    row.cpu === undefined || Number.isNaN(row.cpu) ? '' : row.cpu.toFixed(0),
    row.ratio ?? '',
    row.target ?? '',
    row.pass === undefined ? '' : row.pass ? 'PASS' : '**FAIL**',
  ]);
  const widths = HEADER.map((title, column) =>
    Math.max(title.length, ...cells.map((line) => (line[column] ?? '').length)),
  );
  const line = (values: readonly string[]) =>
    `| ${values.map((value, column) => value.padEnd(widths[column] ?? 0)).join(' | ')} |`;
  return [line(HEADER), line(widths.map((width) => '-'.repeat(width))), ...cells.map(line)].join('\n');
}

export function describeRun(machine: Machine, started: Date, minutes: number, settings: string): string {
  return [
    `Run ${started.toISOString().replace(/\.\d+Z$/, 'Z')} (${minutes.toFixed(1)} min; ${settings}).`,
    `Machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB; load average ${machine.loadAtStart.toFixed(1)} at the start (other work shares the machine).`,
    `Node ${machine.node}, PostgreSQL ${machine.postgres}, MariaDB ${machine.mariadb}, SQLite ${machine.sqlite}, autocannon ${machine.autocannon}.`,
  ].join('\n');
}

const START = '<!-- bench:results:start -->';
const END = '<!-- bench:results:end -->';

/**
 * Writes the results between the markers of bench/README.md, leaving the rest of the file (method, the
 * log of changes and their effects) as its authors wrote it.
 */
export function writeReadme(path: string, results: string): void {
  const block = `${START}\n${results}\n${END}`;
  const current = existsSync(path) ? readFileSync(path, 'utf8') : `# Benchmarks\n\n${START}\n${END}\n`;
  const start = current.indexOf(START);
  const end = current.indexOf(END);
  const next =
    start === -1 || end === -1
      ? `${current.trimEnd()}\n\n${block}\n`
      : `${current.slice(0, start)}${block}${current.slice(end + END.length)}`;
  writeFileSync(path, next);
}

function milliseconds(value: number | undefined): string {
  if (value === undefined || Number.isNaN(value)) return '';
  return value < 10 ? value.toFixed(2) : value.toFixed(1);
}

export function thousands(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}

export function rowsLabel(rows: number): string {
  if (rows >= 1_000_000) return `${rows / 1_000_000}M`;
  if (rows >= 1000) return `${rows / 1000}k`;
  return String(rows);
}
