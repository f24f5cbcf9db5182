// DORA figures as the page shows them: the performance band of each figure, and a trend made of successive
// sub-windows. The API answers for a window that ends now (`days` back), so the counts of an older
// sub-window are the difference of two nested windows: days 8–14 = the last 14 days − the last 7.

export type DoraBand = 'elite' | 'high' | 'medium' | 'low';

export type DoraMetric =
  'deploymentFrequency' | 'leadTime' | 'changeFailureRate' | 'timeToRestore' | 'deploymentDuration';

const HOUR = 3600;
const DAY = 24 * HOUR;
const WEEK = 7 * DAY;
const MONTH = 30 * DAY;

export interface BandThresholds {
  /** Which way is better. */
  better: 'higher' | 'lower';
  /** The limits of elite, high and medium, in the figure's unit; beyond medium's is low. */
  elite: number;
  high: number;
  medium: number;
  /** The bands in words, elite to low, as docs/ui.md and the page print them. */
  described: Record<DoraBand, string>;
}

/**
 * The usual bands of the DORA reports ("Accelerate State of DevOps"), as fourkeys and most dashboards apply
 * them; lead time for changes takes the 2024 report's (docs/insights.md names each band's source). The
 * deployment duration (creation to first success), an extra figure, keeps the older lead-time bands.
 */
export const DORA_BANDS: Record<DoraMetric, BandThresholds> = {
  // Successful deployments per day.
  deploymentFrequency: {
    better: 'higher',
    elite: 1,
    high: 1 / 7,
    medium: 1 / 30,
    described: {
      elite: 'once a day or more (on demand)',
      high: 'between once a week and once a day',
      medium: 'between once a month and once a week',
      low: 'less than once a month',
    },
  },
  // Seconds from a commit to its first successful deployment: the 2024 report's lead-time clusters.
  leadTime: {
    better: 'lower',
    elite: DAY,
    high: WEEK,
    medium: MONTH,
    described: {
      elite: 'less than a day',
      high: 'between a day and a week',
      medium: 'between a week and a month',
      low: 'a month or more',
    },
  },
  // Failed / (successful + failed).
  changeFailureRate: {
    better: 'lower',
    elite: 0.15,
    high: 0.3,
    medium: 0.45,
    described: {
      elite: '15 % or less',
      high: '30 % or less',
      medium: '45 % or less',
      low: 'more than 45 %',
    },
  },
  // Seconds.
  timeToRestore: {
    better: 'lower',
    elite: HOUR,
    high: DAY,
    medium: WEEK,
    described: {
      elite: 'less than an hour',
      high: 'less than a day',
      medium: 'less than a week',
      low: 'a week or more',
    },
  },
  // Seconds, against the lead-time bands.
  deploymentDuration: {
    better: 'lower',
    elite: HOUR,
    high: WEEK,
    medium: MONTH,
    described: {
      elite: 'less than an hour',
      high: 'less than a week',
      medium: 'less than a month',
      low: 'a month or more',
    },
  },
};

/**
 * The band a figure falls in; null when there is no figure (nothing was measured). A frequency or a rate on a
 * limit belongs to the better band (exactly once a day, exactly 15 %: elite); a duration on a limit to the
 * worse one (exactly an hour: high), as the bands read.
 */
export function doraBand(metric: DoraMetric, value: number | null | undefined): DoraBand | null {
  if (value === null || value === undefined || Number.isNaN(value)) return null;
  const limits = DORA_BANDS[metric];
  const test = (limit: number) =>
    limits.better === 'higher'
      ? value >= limit
      : // Rates are "or less": the limit is inside. Durations are "less than": the limit is outside.
        metric === 'changeFailureRate'
        ? value <= limit
        : value < limit;
  if (test(limits.elite)) return 'elite';
  if (test(limits.high)) return 'high';
  if (test(limits.medium)) return 'medium';
  return 'low';
}

/** The windows the page offers, in days. */
export const DORA_WINDOWS = [7, 30, 90] as const;
export const DEFAULT_DORA_WINDOW = 30;

/** How a window is cut into trend buckets: 7 days of 1, 10 spans of 3 days, 9 spans of 10 days. */
export function trendBuckets(days: number): { size: number; count: number } {
  if (days <= 14) return { size: 1, count: days };
  for (const size of [3, 5, 7, 10, 15, 30]) {
    if (days % size === 0 && days / size <= 10) return { size, count: days / size };
  }
  const size = Math.ceil(days / 10);
  return { size, count: Math.ceil(days / size) };
}

/** The nested windows to ask the API for, in days back from now: [size, 2·size, …, count·size]. */
export function cumulativeWindows(days: number): number[] {
  const { size, count } = trendBuckets(days);
  return Array.from({ length: count }, (_, index) => (index + 1) * size);
}

/** What the trend needs of each window's answer. */
export interface WindowCounts {
  deployments: number;
  successful: number;
  failed: number;
}

export interface TrendBucket extends WindowCounts {
  /** How many days back the bucket starts and ends: the newest bucket ends 0 days back. */
  startDaysAgo: number;
  endDaysAgo: number;
  /** Successful deployments per day over the bucket. */
  perDay: number;
  /** Failed / (successful + failed), null when neither. */
  changeFailureRate: number | null;
}

/**
 * The buckets, oldest first, from the answers for the nested windows (`cumulative[i]` covers the last
 * `windows[i]` days). A count that went down between two windows (a deployment changed status in between
 * the two requests) counts 0 rather than a negative number.
 */
export function trendFromCumulative(
  windows: readonly number[],
  cumulative: readonly WindowCounts[],
): TrendBucket[] {
  const buckets: TrendBucket[] = [];
  windows.forEach((days, index) => {
    const outer = cumulative[index];
    if (!outer) return;
    const inner = cumulative[index - 1] ?? { deployments: 0, successful: 0, failed: 0 };
    const difference = (field: keyof WindowCounts) => Math.max(0, outer[field] - inner[field]);
    const successful = difference('successful');
    const failed = difference('failed');
    const startDaysAgo = days;
    const endDaysAgo = windows[index - 1] ?? 0;
    buckets.push({
      startDaysAgo,
      endDaysAgo,
      deployments: difference('deployments'),
      successful,
      failed,
      perDay: successful / (startDaysAgo - endDaysAgo),
      changeFailureRate: successful + failed === 0 ? null : failed / (successful + failed),
    });
  });
  return buckets.reverse();
}

/** Runs `work` over `items` with at most `limit` at a time, keeping the order of the results. */
export async function mapWithConcurrency<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  async function worker(): Promise<void> {
    while (next < items.length) {
      const index = next;
      next += 1;
      results[index] = await work(items[index] as T, index);
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** A line of the DORA page's table: a workload, or one of its environments. */
export type DoraScopeRow =
  | { kind: 'workload'; workload: string }
  | { kind: 'environment'; workload: string; platform: string; environment: string };

/**
 * The table's lines: each workload followed by its environments, of one workload when given. Above
 * `maxEnvironments` environments (each line is one request) only the workloads are listed; `truncated` says so.
 */
export function doraScopeRows(
  paths: ReadonlyArray<{ workload: string; platform: string; environment: string }>,
  workload: string | undefined,
  maxEnvironments: number,
): { rows: DoraScopeRow[]; truncated: boolean } {
  const selected = workload === undefined ? paths : paths.filter((path) => path.workload === workload);
  const truncated = selected.length > maxEnvironments;
  const rows: DoraScopeRow[] = [];
  let previous: string | undefined;
  for (const path of selected) {
    if (path.workload !== previous) rows.push({ kind: 'workload', workload: path.workload });
    previous = path.workload;
    if (!truncated) rows.push({ kind: 'environment', ...path });
  }
  return { rows, truncated };
}
