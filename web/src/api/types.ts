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
  /** ISO 8601, UTC. */
  date: string;
}

/** A row of a paginated read: `total` counts every row of the platform or environment. */
export interface PagedDeployment extends Deployment {
  total: number;
}

/** One workload / platform / environment combination that has deployments. */
export interface EnvironmentPath {
  workload: string;
  platform: string;
  environment: string;
}

/** Deployments of one environment on one UTC day with one status (`GET /stats/latest`). */
export interface DailyStatusCount extends EnvironmentPath {
  total: number;
  status: string;
  /** `YYYY-MM-DD`, a UTC day. */
  date: string;
}

/** One page of a platform's or an environment's history. */
export interface DeploymentPage {
  rows: Deployment[];
  /** Every row of that history, over all pages. */
  total: number;
}
