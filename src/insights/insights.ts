import type { EnvironmentKey } from '../deployments/deployment.js';

/** One status a deployment went through and when; a deployment's history starts with its creation. */
export interface HistoryEntry {
  status: string;
  /** ISO 8601 in UTC. */
  date: string;
}

/** What one environment runs (`current`: newest successful deployment) and last tried (`latest`: any status). */
export interface MatrixEntry extends EnvironmentKey {
  current: {
    versions_id: number;
    version: string;
    date: string;
    /** Its commit and environment link, when its create sent them. */
    commit: string | null;
    environmentURL: string | null;
  } | null;
  latest: { versions_id: number; version: string; status: string; date: string };
}

/** Which deployments DORA figures are computed over: created from `from` to `to` (both included). */
export interface DoraWindow {
  from: Date;
  to: Date;
  /** Optional equality filters; an absent field means every value. */
  scope: Partial<EnvironmentKey>;
  /** Only these platform/environment pairs (those of a tier) when given; an empty list matches nothing. */
  environments?: Array<{ platform: string; environment: string }>;
  /**
   * Restoring deployments count up to this time (the window's `to` when absent): the whole window's end, for
   * a part of it measured on its own.
   */
  restoredBy?: Date;
}

/** Deployments of a window counted by their current status. */
export interface DoraCounts {
  deployments: number;
  successful: number;
  failed: number;
}

/** What DORA figures are computed from: counts, and the durations measured in the window, in seconds. */
export interface DoraMeasures extends DoraCounts {
  deploymentSeconds: number[];
  restoreSeconds: number[];
}

/** The answer of /stats/dora; see docs/insights.md for every definition. */
export interface DoraFigures extends DoraCounts {
  from: string;
  to: string;
  deploymentsPerDay: number;
  changeFailureRate: number | null;
  medianTimeToRestoreSeconds: number | null;
  medianDeploymentSeconds: number | null;
  /** Commits that first reached an environment in the window (each once per environment). */
  changes: number;
  /** Median lead time for changes: from commit to its first successful deployment there. */
  medianLeadTimeSeconds: number | null;
  /** With `tier`: successful deployments, a workload's within an hour of each other counting once. */
  rollouts?: number;
  rolloutsPerDay?: number;
  /** The medians were read from the DORA rollup's histograms (within histogram.ts's RELATIVE_ERROR). */
  approximate?: boolean;
}

/** DoraMeasures with the medians already taken (read from the DORA rollup's histograms). */
export interface DoraMedians extends DoraCounts {
  medianDeploymentSeconds: number | null;
  medianTimeToRestoreSeconds: number | null;
}

/** A group of `/stats/dora?groupBy=`: a workload, or a workload's environment. */
export type DoraGroup = { workload: string; platform?: string; environment?: string };

/** `/stats/dora` with `groupBy` and/or `bucketDays`: the window's figures, per group and per span. */
export interface DoraAnswer extends DoraFigures {
  /** With `groupBy`: the figures of each workload (or environment) with deployments in the window, sorted. */
  groups?: Array<DoraGroup & DoraFigures>;
  /** With `bucketDays`: the figures of consecutive spans of the window, oldest first. */
  buckets?: DoraFigures[];
}

/** The status a deployment reaches when it fails. */
export const FAILED_STATUS = 'failed';
