/** One deployment as the API returns it; `versions_id` is the deployment id (the original's column name). */
export interface Deployment {
  versions_id: number;
  workload: string;
  platform: string;
  environment: string;
  version: string;
  changelog_url: string;
  raw: string;
  status: string;
  /** ISO 8601 in UTC, e.g. 2020-12-02T19:58:10.123Z */
  date: string;
}

/** A row of a paginated read: the deployment and the number of rows of what was asked for. */
export type DeploymentWithTotal = Deployment & { total: number };

export interface EnvironmentKey {
  workload: string;
  platform: string;
  environment: string;
}

export interface PlatformKey {
  workload: string;
  platform: string;
}

export interface NewDeployment extends EnvironmentKey {
  version: string;
  changelog_url: string;
  raw: string;
  status: string;
  date: Date;
}

/** A count of deployments of one UTC day (YYYY-MM-DD) and status. */
export interface DailyStatusCount extends EnvironmentKey {
  total: number;
  status: string;
  date: string;
}

/** The statuses that mean a deployment worked. */
export const SUCCESSFUL_STATUSES = ['deployed', 'completed'] as const;

/** The statuses the service reads a meaning into (worked, under way, failed); any other text is kept as it is. */
export const KNOWN_STATUSES = [...SUCCESSFUL_STATUSES, 'ongoing', 'failed'] as const;

/** The days /stats/latest counts: the last 10 UTC days, today included. */
const STATS_DAYS = 10;

/** The first instant /stats/latest counts when it is `today`: midnight UTC, 9 days before. */
export function latestStatsFrom(today: Date): Date {
  return new Date(
    Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate() - (STATS_DAYS - 1)),
  );
}
