// The DORA page's table: sorted by any column (workloads keep their environments under them) and the worst
// band of each column flagged.
//
// Imports carry their `.js` extension: test/web runs these functions under Node's module resolution too.
import type { DoraFigures } from '../api/types.js';
import { doraBand, type DoraBand, type DoraMetric } from './dora.js';

export type DoraSortColumn = 'scope' | 'deployments' | DoraMetric;

export interface DoraTableRow {
  kind: 'workload' | 'environment';
  workload: string;
  platform?: string;
  environment?: string;
  figures: DoraFigures;
}

/** The value a metric column shows and sorts by: frequency per day (rollouts when counted), rates, medians. */
export function metricValue(figures: DoraFigures, metric: DoraMetric): number | null {
  switch (metric) {
    case 'deploymentFrequency':
      return figures.rolloutsPerDay ?? figures.deploymentsPerDay;
    case 'leadTime':
      return figures.medianLeadTimeSeconds ?? null;
    case 'changeFailureRate':
      return figures.changeFailureRate;
    case 'timeToRestore':
      return figures.medianTimeToRestoreSeconds;
    case 'deploymentDuration':
      return figures.medianDeploymentSeconds;
  }
}

const BAND_RANK: Record<DoraBand, number> = { elite: 0, high: 1, medium: 2, low: 3 };

/** A sort key where better bands come first; nothing measured sorts last. */
function sortValue(row: DoraTableRow, column: DoraSortColumn): number | string | null {
  if (column === 'scope')
    return row.kind === 'workload' ? row.workload : `${row.platform}/${row.environment}`;
  if (column === 'deployments') return row.figures.deployments;
  return metricValue(row.figures, column);
}

function compare(a: number | string | null, b: number | string | null): number {
  if (a === null || b === null) return a === b ? 0 : a === null ? 1 : -1;
  if (typeof a === 'string' || typeof b === 'string') return String(a).localeCompare(String(b));
  return a - b;
}

/**
 * The rows sorted by `column`, each workload's environments kept right under it: workloads sorted among
 * themselves, environments within their workload. Empty values stay last whichever the direction.
 */
export function sortDoraRows<Row extends DoraTableRow>(
  rows: readonly Row[],
  column: DoraSortColumn,
  direction: 'ascending' | 'descending',
): Row[] {
  const sign = direction === 'ascending' ? 1 : -1;
  const by = (a: DoraTableRow, b: DoraTableRow) => {
    const [x, y] = [sortValue(a, column), sortValue(b, column)];
    if (x === null || y === null) return compare(x, y);
    return sign * compare(x, y);
  };
  const groups = new Map<string, { head?: Row; environments: Row[] }>();
  for (const row of rows) {
    const group = groups.get(row.workload) ?? { environments: [] };
    if (row.kind === 'workload') group.head = row;
    else group.environments.push(row);
    groups.set(row.workload, group);
  }
  return [...groups.values()]
    .sort((a, b) => (a.head && b.head ? by(a.head, b.head) : 0))
    .flatMap((group) => [...(group.head ? [group.head] : []), ...[...group.environments].sort(by)]);
}

/** Per metric, the worst band any row of the table is in, when it is not elite (nothing to flag then). */
export function worstBands(
  rows: readonly DoraTableRow[],
  metrics: readonly DoraMetric[],
): Map<DoraMetric, DoraBand> {
  const worst = new Map<DoraMetric, DoraBand>();
  for (const metric of metrics) {
    for (const row of rows) {
      const band = doraBand(metric, metricValue(row.figures, metric));
      if (band && band !== 'elite' && BAND_RANK[band] > BAND_RANK[worst.get(metric) ?? 'elite']) {
        worst.set(metric, band);
      }
    }
  }
  return worst;
}
