// The daily counts (versions_daily_counts): deployments per UTC day, workload/platform/environment and current
// status. Every write that changes what they count (a create, a status change, a delete) changes them in its
// own transaction through the builders below, and the migration 2026-12-02-15-daily-counts counted the rows
// that were there before. /stats/latest then reads ten days × environments of this table instead of grouping
// every deployment of those days.
import { sql, type Kysely } from 'kysely';
import type { EnvironmentKey } from '../deployments/deployment.js';
import { parseUtcDate, type DailyCountKey, type SqlFragments } from './dialects/index.js';
import type { Database } from './schema.js';

/** The UTC day (YYYY-MM-DD) a deployment's date counts in, as the databases' own day functions give it. */
export function utcDayOf(date: unknown): string {
  return parseUtcDate(date).toISOString().slice(0, 10);
}

/** The count of a new deployment: one more in its day and status (built, not run). */
export function countCreated(
  fragments: SqlFragments,
  db: Kysely<Database>,
  deployment: EnvironmentKey & { status: string; date: unknown },
) {
  const { workload, platform, environment, status, date } = deployment;
  return fragments.countDay(db, { day: utcDayOf(date), workload, platform, environment, status });
}

/** One less in a day and status: a deployment left it (status change, delete). Built, not run. */
export function uncount(db: Kysely<Database>, key: DailyCountKey) {
  return db
    .updateTable('versions_daily_counts')
    .set({ deployments: sql`deployments - 1` })
    .where('day', '=', key.day)
    .where('workload', '=', key.workload)
    .where('platform', '=', key.platform)
    .where('environment', '=', key.environment)
    .where('status', '=', key.status);
}

/**
 * Moves a deployment (as it was read, locked, in `trx`) from its old status's count to its new one. The
 * caller holds the row's lock, so `row.status` is the status being left, not one a concurrent change replaced.
 */
export async function recountStatus(
  fragments: SqlFragments,
  trx: Kysely<Database>,
  row: EnvironmentKey & { status: string; date: unknown },
  status: string,
): Promise<void> {
  const { workload, platform, environment } = row;
  const day = utcDayOf(row.date);
  await uncount(trx, { day, workload, platform, environment, status: row.status }).execute();
  await fragments.countDay(trx, { day, workload, platform, environment, status }).execute();
}
