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

/** The filters of `GET /deployments` the UI sends; an absent one is not sent. */
export interface DeploymentQuery {
  workload?: string;
  platform?: string;
  environment?: string;
  /** Comma-separated; `successful` means deployed or completed. */
  status?: string;
  /** Exact, or a prefix with a trailing `*`. */
  version?: string;
  /** The start of a commit SHA. */
  commit?: string;
  deployer?: string;
  /** ISO 8601 with a zone. */
  from?: string;
  to?: string;
  q?: string;
  limit?: number;
  cursor?: string;
}

/** One page of `GET /deployments`, newest first; `nextCursor` is null on the last. */
export interface DeploymentList {
  items: Deployment[];
  nextCursor: string | null;
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

/** One status a deployment went through (`GET /read/history`); the first is its creation. */
export interface HistoryEntry {
  status: string;
  /** ISO 8601, UTC. */
  date: string;
}

/** What one environment runs and last tried (`GET /read/matrix`). */
export interface MatrixEntry extends EnvironmentPath {
  /** The newest successful (deployed or completed) deployment; null when none succeeded yet. */
  current: {
    versions_id: number;
    version: string;
    date: string;
    /** Its commit and the environment's address, when its create sent them. */
    commit?: string | null;
    environmentURL?: string | null;
  } | null;
  /** The newest deployment, whatever its status. */
  latest: { versions_id: number; version: string; status: string; date: string };
}

/** DORA figures over the deployments created in a window (`GET /stats/dora`); null where nothing was measured. */
export interface DoraFigures {
  from: string;
  to: string;
  deployments: number;
  successful: number;
  failed: number;
  deploymentsPerDay: number;
  changeFailureRate: number | null;
  medianTimeToRestoreSeconds: number | null;
  medianDeploymentSeconds: number | null;
  /** Commits that first reached an environment in the window, and their median lead time. */
  changes?: number;
  medianLeadTimeSeconds?: number | null;
  /** With `tier`: successful deployments, a workload's within an hour of each other counted once. */
  rollouts?: number;
  rolloutsPerDay?: number;
}

/** Which deployments DORA figures cover: an absent field means every value. */
export interface DoraScope {
  workload?: string;
  platform?: string;
  environment?: string;
  /** Only the environments of this tier (`GET /environments`). */
  tier?: Tier;
}

/** What deploying to an environment means for delivery, from the first a change reaches to the last. */
export const TIERS = ['development', 'testing', 'staging', 'production', 'other'] as const;
export type Tier = (typeof TIERS)[number];

/** A platform's environment and its tier (`GET /environments`). */
export interface EnvironmentTier {
  platform: string;
  environment: string;
  tier: Tier;
  /** `set` by hand (PUT), else `inferred` from the names. */
  tierSource: 'set' | 'inferred';
  workloads: number;
  deployments: number;
  /** Where it answers: the newest environmentURL sent there (any workload); null when none was. */
  url: string | null;
}

/** A commit a deployment brought to its environment. */
export interface Change {
  commit: string;
  committedAt: string;
  title: string | null;
  author: string | null;
}

/** A deployment with what it knows of its change and its history (`GET /deployments/{versionId}`). */
export interface WholeDeployment extends Deployment {
  commit: string | null;
  ref: string | null;
  repository: string | null;
  deployer: string | null;
  logURL: string | null;
  environmentURL: string | null;
  description: string | null;
  changes: Change[];
  history: Array<{
    status: string;
    date: string;
    setBy: string | null;
    description: string | null;
    logURL: string | null;
  }>;
}

/** A deployment as a link to it needs it. */
export interface DeploymentLink {
  versions_id: number;
  version: string;
  status: string;
  date: string;
}

/** The deployments around one in its environment, and the one running there (`GET /deployments/{id}/neighbours`). */
export interface Neighbours {
  previous: DeploymentLink | null;
  next: DeploymentLink | null;
  current: DeploymentLink | null;
}

/** What promoting `from` to `to` would ship (`GET /compare`). */
export interface Comparison {
  workload: string;
  from: { platform: string; environment: string };
  to: { platform: string; environment: string };
  changes: Array<Change & { versions: Array<{ versions_id: number; version: string; date: string }> }>;
}
