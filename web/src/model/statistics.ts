import type { DailyStatusCount } from '../api/types';
import { compareStatuses, statusKind, type StatusKind } from '../format/status';

/** The window `GET /stats/latest` covers. */
export const STATISTICS_DAYS = 10;

const DAY_MS = 24 * 3600 * 1000;

/** The `count` UTC days ending today, oldest first, as `YYYY-MM-DD`. */
export function lastUtcDays(count: number, now: Date): string[] {
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  return Array.from({ length: count }, (_, index) =>
    new Date(today - (count - 1 - index) * DAY_MS).toISOString().slice(0, 10),
  );
}

export interface StatusSeries {
  status: string;
  /** One count per day, in the order of `days`. */
  counts: number[];
}

export interface DailyChart {
  days: string[];
  /** One series per status, known statuses first. */
  series: StatusSeries[];
}

/** Counts per day and status, summed over environments (of one workload when given); empty days count 0. */
export function chartByDayAndStatus(
  rows: readonly DailyStatusCount[],
  window: readonly string[],
  workload?: string,
): DailyChart {
  const selected = workload === undefined ? rows : rows.filter((row) => row.workload === workload);
  // A day the server counted but the browser's clock places outside the window is still shown.
  const days = [...new Set([...window, ...selected.map((row) => row.date)])].sort();
  const dayIndex = new Map(days.map((day, index) => [day, index]));
  const byStatus = new Map<string, number[]>();
  for (const row of selected) {
    let counts = byStatus.get(row.status);
    if (!counts) byStatus.set(row.status, (counts = days.map(() => 0)));
    const index = dayIndex.get(row.date) ?? 0;
    counts[index] = (counts[index] ?? 0) + row.total;
  }
  const series = [...byStatus]
    .sort(([a], [b]) => compareStatuses(a, b))
    .map(([status, counts]) => ({ status, counts }));
  return { days, series };
}

export interface OutcomeCounts {
  total: number;
  success: number;
  failed: number;
  ongoing: number;
  other: number;
}

export interface WorkloadSummary extends OutcomeCounts {
  workload: string;
}

/** Successful / (successful + failed); null when neither happened. */
export function successRate(counts: OutcomeCounts): number | null {
  const decided = counts.success + counts.failed;
  return decided === 0 ? null : counts.success / decided;
}

function emptyCounts(): OutcomeCounts {
  return { total: 0, success: 0, failed: 0, ongoing: 0, other: 0 };
}

function add(counts: OutcomeCounts, kind: StatusKind, total: number): void {
  counts.total += total;
  counts[kind === 'success' ? 'success' : kind] += total;
}

/** The outcome counts over every row. */
export function countOutcomes(rows: readonly DailyStatusCount[]): OutcomeCounts {
  const counts = emptyCounts();
  for (const row of rows) add(counts, statusKind(row.status), row.total);
  return counts;
}

/** One line per workload, the busiest first. */
export function summarizeWorkloads(rows: readonly DailyStatusCount[]): WorkloadSummary[] {
  const byWorkload = new Map<string, OutcomeCounts>();
  for (const row of rows) {
    let counts = byWorkload.get(row.workload);
    if (!counts) byWorkload.set(row.workload, (counts = emptyCounts()));
    add(counts, statusKind(row.status), row.total);
  }
  return [...byWorkload]
    .map(([workload, counts]) => ({ workload, ...counts }))
    .sort((a, b) => b.total - a.total || a.workload.localeCompare(b.workload));
}

/** The day with the most deployments, or null when there were none. */
export function busiestDay(chart: DailyChart): { day: string; total: number } | null {
  let best: { day: string; total: number } | null = null;
  chart.days.forEach((day, index) => {
    const total = chart.series.reduce((sum, series) => sum + (series.counts[index] ?? 0), 0);
    if (total > 0 && (!best || total > best.total)) best = { day, total };
  });
  return best;
}
