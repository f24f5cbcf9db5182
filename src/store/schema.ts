import type { ColumnType, Generated } from 'kysely';

/** Dates go in as a Date or an ISO string (SQLite), come out as whatever the driver returns. */
type DateColumn = ColumnType<unknown, Date | string, Date | string>;

/** The original's table, kept by name and shape so that its databases are adopted as they are. */
export interface VersionsTable {
  /** The deployment id; the API calls it versionId. */
  versions_id: Generated<number>;
  workload: string;
  platform: string;
  environment: string;
  version: string;
  changelog_url: string;
  raw: string;
  status: string;
  date: DateColumn;
}

/** Every status a deployment went through, creation first. */
export interface StatusHistoryTable {
  id: Generated<number>;
  versions_id: number;
  status: string;
  date: DateColumn;
  /** The name of the token that set it (`APP_API_TOKENS` entry `name:token`); null when unnamed or open. */
  set_by: ColumnType<string | null, string | null | undefined, string | null>;
  /** What was said along with the status, and the link to its log (a failed deployment's). */
  description: ColumnType<string | null, string | null | undefined, string | null>;
  log_url: ColumnType<string | null, string | null | undefined, string | null>;
}

/** What a deployment knows of its change, beside `versions` (which the Go original reads with SELECT *). */
export interface DetailsTable {
  versions_id: number;
  /** The commit deployed; COMMIT is an SQL keyword, hence the suffix. */
  commit_sha: string | null;
  ref: string | null;
  repository: string | null;
  deployer: string | null;
  log_url: string | null;
  environment_url: string | null;
  description: string | null;
}

/** The commits a deployment brought to its environment, in the order they were sent. */
export interface ChangesTable {
  versions_id: number;
  position: number;
  commit_sha: string;
  committed_at: DateColumn;
  title: string | null;
  author: string | null;
}

/**
 * One row per workload/platform/environment with its number of deployments, kept in the same transaction
 * as each create: it answers the menu and the pagination totals without scanning the big table.
 */
export interface EnvironmentsTable {
  workload: string;
  platform: string;
  environment: string;
  deployments: ColumnType<number | string, number, number>;
  /** The newest deployment there that sent an environmentURL (its URL is in versions_details); null when none. */
  environment_url_id: ColumnType<number | null, number | null | undefined, number | null>;
}

/**
 * Deployments per UTC day, workload/platform/environment and current status, kept in the same transaction as
 * every create, status change and delete (src/store/daily-counts.ts): /stats/latest reads ten days ×
 * environments of it instead of grouping every deployment of those days. A row may hold 0 after changes.
 */
export interface DailyCountsTable {
  /** The UTC day of the deployments' `date`, YYYY-MM-DD. */
  day: string;
  workload: string;
  platform: string;
  environment: string;
  status: string;
  deployments: ColumnType<number | string, number, number>;
}

/**
 * The DORA rollup (src/store/dora-rollup.ts): per UTC day and per UTC month (`period` YYYY-MM-DD or YYYY-MM),
 * the deployments created in it by current status, and the histograms of their deployment and restore
 * durations (src/insights/histogram.ts), kept in the transaction of every create, status change and delete.
 */
export interface DoraRollupTable {
  period: string;
  /** What is counted: see DORA_MEASURES in dora-rollup.ts. */
  measure: number;
  /** The histogram's bin (0 for the counts). */
  bin: number;
  deployments: ColumnType<number | string, number, number>;
}

/** The tier given by hand to a platform's environment; the others take the tier inferred from their names. */
export interface EnvironmentTiersTable {
  platform: string;
  environment: string;
  tier: string;
}

export interface Database {
  versions: VersionsTable;
  versions_status_history: StatusHistoryTable;
  versions_details: DetailsTable;
  versions_changes: ChangesTable;
  versions_environments: EnvironmentsTable;
  versions_environment_tiers: EnvironmentTiersTable;
  versions_daily_counts: DailyCountsTable;
  versions_dora_rollup: DoraRollupTable;
}
