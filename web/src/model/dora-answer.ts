// The DORA page's trend and table from `/stats/dora` answers with `bucketDays` and `groupBy`: two requests
// whatever the number of environments, instead of one per line and one per trend window.
//
// Imports carry their `.js` extension: test/web runs these functions under Node's module resolution too.
import type { DoraFigures } from '../api/types.js';
import type { DoraScopeRow, TrendBucket } from './dora.js';

const DAY_MS = 24 * 3600 * 1000;

/** The trend's bars, oldest first, from the answer's spans (`buckets`). */
export function trendFromBuckets(answer: { to: string; buckets?: DoraFigures[] }): TrendBucket[] {
  const end = Date.parse(answer.to);
  return (answer.buckets ?? []).map((bucket) => {
    // Spans end a millisecond before the next begins: rounding gives back their whole days.
    const startDaysAgo = Math.round((end - Date.parse(bucket.from)) / DAY_MS);
    const endDaysAgo = Math.round((end - Date.parse(bucket.to)) / DAY_MS);
    const finished = bucket.successful + bucket.failed;
    return {
      startDaysAgo,
      endDaysAgo,
      deployments: bucket.deployments,
      successful: bucket.successful,
      failed: bucket.failed,
      perDay: bucket.successful / Math.max(1, startDaysAgo - endDaysAgo),
      changeFailureRate: finished === 0 ? null : bucket.failed / finished,
    };
  });
}

type Group = DoraFigures & { workload: string; platform?: string; environment?: string };

/** A line of the table: a workload, or one of its environments, with its figures. */
export type DoraTableLine = DoraScopeRow & { figures: DoraFigures };

/** A group's figures without its names. */
function figuresOf(group: Group): DoraFigures {
  const figures: Partial<Group> = { ...group };
  delete figures.workload;
  delete figures.platform;
  delete figures.environment;
  return figures as DoraFigures;
}

/** The table's lines: each workload (its figures) followed by its environments', in the answers' order. */
export function tableRows(workloads: readonly Group[], environments: readonly Group[]): DoraTableLine[] {
  const rows: DoraTableLine[] = [];
  for (const group of workloads) {
    rows.push({ kind: 'workload', workload: group.workload, figures: figuresOf(group) });
    for (const inner of environments) {
      if (inner.workload !== group.workload) continue;
      rows.push({
        kind: 'environment',
        workload: inner.workload,
        platform: inner.platform ?? '',
        environment: inner.environment ?? '',
        figures: figuresOf(inner),
      });
    }
  }
  return rows;
}
