// The daily counts (versions_daily_counts): deployments per UTC day, workload/platform/environment and current
// status. Every write that changes what they count (a create, a status change, a delete) changes them in its
// own transaction through the builders below, and the migration 2026-12-02-15-daily-counts counted the rows
// that were there before. /stats/latest and DORA's counts then read days × environments of this table instead
// of every deployment of their window.
import { sql, type ExpressionBuilder, type Kysely } from 'kysely';
import type { EnvironmentKey } from '../deployments/deployment.js';
import { parseUtcDate, type DailyCountKey, type StoreDialect } from './dialects/index.js';
import type { Database } from './schema.js';

const DAY_MS = 24 * 60 * 60 * 1000;

/** The UTC day (YYYY-MM-DD) a deployment's date counts in, as the databases' own day functions give it. */
export function utcDayOf(date: unknown): string {
  return parseUtcDate(date).toISOString().slice(0, 10);
}

/** The count of a new deployment: one more in its day and status (built, not run). */
export function countCreated(
  dialect: StoreDialect,
  db: Kysely<Database>,
  deployment: EnvironmentKey & { status: string; date: Date },
) {
  const { workload, platform, environment, status, date } = deployment;
  return dialect.countDay(db, { day: utcDayOf(date), workload, platform, environment, status });
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
  dialect: StoreDialect,
  trx: Kysely<Database>,
  row: EnvironmentKey & { status: string; date: unknown },
  status: string,
): Promise<void> {
  const { workload, platform, environment } = row;
  const day = utcDayOf(row.date);
  await uncount(trx, { day, workload, platform, environment, status: row.status }).execute();
  await dialect.countDay(trx, { day, workload, platform, environment, status }).execute();
}

/** Part of a window read from the deployments themselves: from `from` up to `to` (included or not). */
export interface RowSpan {
  from: Date;
  to: Date;
  toIncluded: boolean;
}

/**
 * A window from `from` to `to` (both included) cut into the whole UTC days it covers, read from the daily
 * counts (`days`, first and last included; none when it covers no whole day), and the parts of days at its
 * ends, read from the deployments (at most two spans of less than a day each).
 */
export function splitByDay(
  from: Date,
  to: Date,
): { days?: { first: string; last: string }; rows: RowSpan[] } {
  const firstWhole = Math.ceil(from.getTime() / DAY_MS) * DAY_MS;
  // A day is whole when its last millisecond is in the window: it ends (exclusive) at or before to + 1 ms.
  const wholeEnd = Math.floor((to.getTime() + 1) / DAY_MS) * DAY_MS;
  if (firstWhole >= wholeEnd) return { rows: [{ from, to, toIncluded: true }] };
  const rows: RowSpan[] = [];
  // The end of the first part is exclusive: a date stored with microseconds (PostgreSQL, written by other
  // means) just before midnight belongs to it, and to no whole day.
  if (from.getTime() < firstWhole) rows.push({ from, to: new Date(firstWhole), toIncluded: false });
  if (wholeEnd <= to.getTime()) rows.push({ from: new Date(wholeEnd), to, toIncluded: true });
  return {
    days: { first: utcDayOf(new Date(firstWhole)), last: utcDayOf(new Date(wholeEnd - DAY_MS)) },
    rows,
  };
}

/** Which daily counts a scope reads: its fields, and a tier's platform/environment pairs when given. */
export interface DailyScope {
  scope: Partial<EnvironmentKey>;
  environments?: Array<{ platform: string; environment: string }>;
}

/** The daily counts (aliased `d`) of days `first` to `last` in the scope, empty ones left out. */
export function inDays(
  eb: ExpressionBuilder<Database & { d: Database['versions_daily_counts'] }, 'd'>,
  days: { first: string; last: string },
  { scope, environments }: DailyScope,
) {
  return eb.and([
    eb('d.day', '>=', days.first),
    eb('d.day', '<=', days.last),
    eb('d.deployments', '>', 0),
    ...(scope.workload === undefined ? [] : [eb('d.workload', '=', scope.workload)]),
    ...(scope.platform === undefined ? [] : [eb('d.platform', '=', scope.platform)]),
    ...(scope.environment === undefined ? [] : [eb('d.environment', '=', scope.environment)]),
    ...(environments === undefined
      ? []
      : [
          environments.length === 0
            ? sql<boolean>`1 = 0`
            : eb.or(
                environments.map((pair) =>
                  eb.and([eb('d.platform', '=', pair.platform), eb('d.environment', '=', pair.environment)]),
                ),
              ),
        ]),
  ]);
}
