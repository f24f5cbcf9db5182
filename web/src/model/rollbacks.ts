// Rollbacks: a successful deployment that carries a lower version than the successful deployment before it
// in the same environment. Computed in the browser over the rows a page has; no marker where that cannot be
// known (the one before is not on the page, or a version is not a semantic version).
//
// Imports carry their `.js` extension: test/web runs these functions under Node's module resolution too.
import { isSuccessfulStatus } from '../format/status.js';
import { compareSemver } from './semver.js';

/** The fields rollback detection reads from a deployment row. */
export interface DeploymentRow {
  versions_id: number;
  workload: string;
  platform: string;
  environment: string;
  version: string;
  status: string;
  /** ISO 8601. */
  date: string;
}

/** The environment a row belongs to, as a key. */
export function environmentKey(row: Pick<DeploymentRow, 'workload' | 'platform' | 'environment'>): string {
  return JSON.stringify([row.workload, row.platform, row.environment]);
}

/** Oldest first: by date, then by id (two deployments recorded in the same millisecond keep their order). */
function chronological(a: DeploymentRow, b: DeploymentRow): number {
  const byDate = Date.parse(a.date) - Date.parse(b.date);
  return byDate !== 0 && !Number.isNaN(byDate) ? byDate : a.versions_id - b.versions_id;
}

/**
 * The rollbacks among `rows`: deployment id → the version it went back from. `earlier` holds older rows that are
 * not shown (the next page of a history) and only serve as the "one before" of the oldest shown rows.
 */
export function findRollbacks(
  rows: readonly DeploymentRow[],
  earlier: readonly DeploymentRow[] = [],
): Map<number, string> {
  const shown = new Set(rows.map((row) => row.versions_id));
  const successful = [...rows, ...earlier.filter((row) => !shown.has(row.versions_id))]
    .filter((row) => isSuccessfulStatus(row.status))
    .sort(chronological);
  const previousIn = new Map<string, DeploymentRow>();
  const rollbacks = new Map<number, string>();
  for (const row of successful) {
    const key = environmentKey(row);
    const previous = previousIn.get(key);
    if (previous && shown.has(row.versions_id) && compareSemver(row.version, previous.version) === -1) {
      rollbacks.set(row.versions_id, previous.version);
    }
    previousIn.set(key, row);
  }
  return rollbacks;
}
