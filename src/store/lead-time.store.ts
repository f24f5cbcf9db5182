import type { Expression, ExpressionBuilder, Kysely, SqlBool } from 'kysely';
import { SUCCESSFUL_STATUSES } from '../deployments/deployment.js';
import { parseUtcDate } from './dialects/index.js';
import type { Database, VersionsTable } from './schema.js';
import type { DoraWindow } from '../insights/insights.js';

/** The window's filter on deployments aliased `v` (InsightsStore's, so that every figure uses one rule). */
export type WindowFilter = (
  eb: ExpressionBuilder<Database & { v: VersionsTable }, 'v'>,
) => Expression<SqlBool>;

const SUCCESSFUL = [...SUCCESSFUL_STATUSES];

/**
 * Lead time for changes, one figure per commit and environment: from the commit's `committedAt` to the
 * first successful status of the first deployment of that environment that brought it (the earliest
 * successful history entry among the deployments listing it). A commit repeated by later deployments, or
 * listed by a failed one and then by a success, counts once. The window holds the commits whose deployments
 * were created in it (its usual rule) and that first reached their environment within it, so a commit that
 * reached it before the window and is repeated inside counts in neither.
 *
 * Bounded by the window: its deployments' changes are the candidates (versions by idx_versions_date, their
 * changes by primary key); each candidate looks its commit up in idx_changes_commit.
 */
export async function leadTimes(
  db: Kysely<Database>,
  window: DoraWindow,
  inWindow: WindowFilter,
): Promise<Array<{ workload: string; platform: string; environment: string; seconds: number }>> {
  const candidates = db
    .selectFrom('versions as v')
    .innerJoin('versions_changes as c', 'c.versions_id', 'v.versions_id')
    .where(inWindow)
    .select(['v.workload', 'v.platform', 'v.environment', 'c.commit_sha'])
    .distinct();
  const rows = await db
    .selectFrom(candidates.as('w'))
    .innerJoin('versions_changes as c2', 'c2.commit_sha', 'w.commit_sha')
    .innerJoin('versions as v2', (join) =>
      join
        .onRef('v2.versions_id', '=', 'c2.versions_id')
        .onRef('v2.workload', '=', 'w.workload')
        .onRef('v2.platform', '=', 'w.platform')
        .onRef('v2.environment', '=', 'w.environment'),
    )
    .innerJoin('versions_status_history as h', (join) =>
      join.onRef('h.versions_id', '=', 'v2.versions_id').on('h.status', 'in', SUCCESSFUL),
    )
    .groupBy(['w.workload', 'w.platform', 'w.environment', 'w.commit_sha'])
    .select((eb) => [
      'w.workload',
      'w.platform',
      'w.environment',
      eb.fn.min('h.date').as('reached_at'),
      // Two deployments may send one commit with different dates (a rebase); the earliest stands.
      eb.fn.min('c2.committed_at').as('committed_at'),
    ])
    .execute();
  const from = window.from.getTime();
  const to = window.to.getTime();
  return rows.flatMap((row) => {
    const reached = parseUtcDate(row.reached_at).getTime();
    if (reached < from || reached > to) return [];
    const seconds = (reached - parseUtcDate(row.committed_at).getTime()) / 1000;
    return [{ workload: row.workload, platform: row.platform, environment: row.environment, seconds }];
  });
}
