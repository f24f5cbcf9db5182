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
}

export interface Database {
  versions: VersionsTable;
  versions_status_history: StatusHistoryTable;
  versions_environments: EnvironmentsTable;
}
