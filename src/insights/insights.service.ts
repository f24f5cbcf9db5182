import type { ReadCache } from '../cache/read-cache.js';
import type { EnvironmentKey } from '../deployments/deployment.js';
import { badRequest, notFound } from '../errors.js';
import { optionalName, versionId } from '../validation/names.js';
import type {
  DoraAnswer,
  DoraFigures,
  DoraGroup,
  DoraMeasures,
  DoraMedians,
  DoraWindow,
  HistoryEntry,
  MatrixEntry,
} from './insights.js';
import { DEFAULT_DORA_DAYS, MAX_DORA_BUCKETS, type DoraQuery } from './insights.schemas.js';
import type { InsightsStore } from '../store/insights.store.js';

const DAY_MS = 24 * 60 * 60 * 1000;
/** Deployments of a workload this close to the start of a rollout count as part of it. */
const ROLLOUT_MS = 60 * 60 * 1000;

/**
 * A window whose whole days hold more deployments than this is answered from the DORA rollup (approximate
 * medians, exact counts); smaller ones are measured deployment by deployment (exact).
 */
export const DORA_EXACT_UP_TO = 10_000;

/** How many groups or buckets are measured at a time: a few of the pool's connections, never all. */
const DORA_CONCURRENCY = 4;

export interface InsightsServiceDeps {
  store: InsightsStore;
  cache: ReadCache;
  now?: () => Date;
  /** The platform/environment pairs of a tier (400 when it is not one), for DORA's `tier` filter. */
  environmentsOfTier?: (tier: string) => Promise<Array<{ platform: string; environment: string }>>;
  /** DORA_EXACT_UP_TO unless given (tests force the rollup with 0). */
  doraExactUpTo?: number;
}

/** What the recorded deployments tell: a deployment's history, what runs where, DORA figures. */
export class InsightsService {
  private readonly store: InsightsStore;
  private readonly cache: ReadCache;
  private readonly now: () => Date;
  private readonly environmentsOfTier: InsightsServiceDeps['environmentsOfTier'];
  private readonly doraExactUpTo: number;

  constructor(deps: InsightsServiceDeps) {
    this.store = deps.store;
    this.cache = deps.cache;
    this.now = deps.now ?? (() => new Date());
    this.environmentsOfTier = deps.environmentsOfTier;
    this.doraExactUpTo = deps.doraExactUpTo ?? DORA_EXACT_UP_TO;
  }

  /** Every status of a deployment with its time, oldest first, creation first; 404 when there is no such id. */
  async history(versionIdInput: number | string): Promise<HistoryEntry[]> {
    const id = versionId(versionIdInput);
    const entries = await this.cache.read(JSON.stringify(['history', id]), () => this.store.history(id));
    if (!entries) throw notFound(`no deployment with versionId ${id}`);
    return entries;
  }

  /** Per workload/platform/environment (of one workload when given): current and latest deployment, sorted. */
  matrix(workloadInput: string | undefined): Promise<MatrixEntry[]> {
    const workload = optionalName(workloadInput, 'workload');
    return this.cache.read(JSON.stringify(['matrix', workload ?? null]), () => this.store.matrix(workload));
  }

  /** DORA figures over the deployments created in the last `days` days (up to now), as docs/insights.md defines. */
  async dora(input: DoraQuery): Promise<DoraAnswer> {
    // The schema bounds `days` (1 to 3650) and `bucketDays`, and lets only workload or environment be `groupBy`.
    const days = input.days ?? DEFAULT_DORA_DAYS;
    const scope: Partial<EnvironmentKey> = {};
    for (const field of ['workload', 'platform', 'environment'] as const) {
      const value = optionalName(input[field], field);
      if (value !== undefined) scope[field] = value;
    }
    const to = this.now();
    const window: DoraWindow = { from: new Date(to.getTime() - days * DAY_MS), to, scope };
    const tier = input.tier === '' ? undefined : input.tier;
    const byTier = tier !== undefined && this.environmentsOfTier !== undefined;
    const groupBy = input.groupBy;
    const bucketDays = doraBucketDays(input.bucketDays, days);
    if (tier !== undefined && this.environmentsOfTier)
      window.environments = await this.environmentsOfTier(tier);
    // Not cached: the window moves with the clock, so no two requests ask the same question.
    const figures = await this.figures(window, days, byTier, true);
    if (groupBy === undefined && bucketDays === undefined) return figures;
    const [groups, buckets] = await Promise.all([
      groupBy === undefined ? undefined : this.groups(window, days, byTier, groupBy),
      bucketDays === undefined ? undefined : this.buckets(window, days, byTier, bucketDays),
    ]);
    return { ...figures, ...(groups ? { groups } : {}), ...(buckets ? { buckets } : {}) };
  }

  /**
   * The figures of every workload (or workload/platform/environment) with deployments in the window, each
   * as its own request would answer: the DORA page's table in one request instead of one per line.
   */
  private async groups(window: DoraWindow, days: number, byTier: boolean, groupBy: DoraGroupBy) {
    // Each measure read once for every group (grouped in the database, or split here by the group's
    // columns), instead of one set of queries per group: the same answers, as test/insights proves.
    const columns = groupBy === 'workload' ? (['workload'] as const) : GROUP_ENVIRONMENT;
    const keyOf = (row: DoraGroup) => JSON.stringify(columns.map((column) => row[column]));
    const [measured, leadTimes, successes] = await Promise.all([
      this.store.doraByGroup(window, groupBy),
      this.store.leadTimes(window),
      byTier ? this.store.successfulDeploymentTimes(window, groupBy === 'environment') : undefined,
    ]);
    const leadTimesOf = new Map<string, number[]>();
    for (const lead of leadTimes) {
      const key = keyOf(lead);
      leadTimesOf.set(key, [...(leadTimesOf.get(key) ?? []), lead.seconds]);
    }
    // Within an environment's group, its own deployments make its rollouts, as its own request counts them.
    const rolloutsOf = successes && countRollouts(successes, keyOf);
    return measured.map((group) => {
      const { deploymentSeconds, restoreSeconds, ...counts } = group;
      const key = Object.fromEntries(columns.map((column) => [column, group[column]])) as DoraGroup;
      const rollouts = rolloutsOf && (rolloutsOf.get(keyOf(group)) ?? 0);
      return {
        ...key,
        ...figuresOf(
          window,
          days,
          { ...counts, deploymentSeconds, restoreSeconds },
          leadTimesOf.get(keyOf(group)) ?? [],
          rollouts,
        ),
      };
    });
  }

  /**
   * The window cut into consecutive spans of `bucketDays`, oldest first, each with its figures: the newest
   * ends at `to`, and each span ends a millisecond (the databases' precision) before the next begins, so
   * every deployment counts in exactly one. The oldest is shorter when `days` is not a multiple.
   */
  private async buckets(window: DoraWindow, days: number, byTier: boolean, bucketDays: number) {
    const spans: Array<{ from: Date; to: Date; days: number }> = [];
    const end = window.to.getTime();
    for (let start = 0; start < days; start += bucketDays) {
      const spanDays = Math.min(bucketDays, days - start);
      spans.unshift({
        from: new Date(end - (start + spanDays) * DAY_MS),
        to: new Date(end - start * DAY_MS - (start === 0 ? 0 : 1)),
        days: spanDays,
      });
    }
    return mapLimited(spans, (span) =>
      this.figures({ ...window, from: span.from, to: span.to }, span.days, byTier),
    );
  }

  /**
   * The figures of one window of `days` days. `endsNow`: a long window over every environment may be read
   * from the DORA rollup, whose failures count as restored by deployments up to now, that is up to its end.
   */
  private async figures(
    window: DoraWindow,
    days: number,
    byTier: boolean,
    endsNow = false,
  ): Promise<DoraFigures> {
    const everywhere = Object.keys(window.scope).length === 0 && window.environments === undefined;
    const rolledUp =
      endsNow && everywhere ? await this.store.doraRolledUp(window, this.doraExactUpTo) : undefined;
    const [measures, leadTimeSeconds, successes] = await Promise.all([
      rolledUp ?? this.store.dora(window),
      this.store.leadTimeSeconds(window),
      byTier ? this.store.successfulDeploymentTimes(window) : undefined,
    ]);
    const rollouts = successes && [...countRollouts(successes, () => '').values()].reduce((a, b) => a + b, 0);
    return figuresOf(window, days, measures, leadTimeSeconds, rollouts);
  }
}

const GROUP_ENVIRONMENT = ['workload', 'platform', 'environment'] as const;

/**
 * The figures of one window of `days` days from what was measured in it (rollouts only for a tier); its
 * medians already taken when they come from the DORA rollup (then marked `approximate`).
 */
function figuresOf(
  window: DoraWindow,
  days: number,
  measures: DoraMeasures | DoraMedians,
  leadTimeSeconds: number[],
  rollouts: number | undefined,
): DoraFigures {
  const counts = {
    deployments: measures.deployments,
    successful: measures.successful,
    failed: measures.failed,
  };
  const attempts = counts.successful + counts.failed;
  const approximate = 'medianDeploymentSeconds' in measures;
  return {
    from: window.from.toISOString(),
    to: window.to.toISOString(),
    ...counts,
    deploymentsPerDay: counts.successful / days,
    changeFailureRate: attempts === 0 ? null : counts.failed / attempts,
    medianTimeToRestoreSeconds: approximate
      ? measures.medianTimeToRestoreSeconds
      : median(measures.restoreSeconds),
    medianDeploymentSeconds: approximate
      ? measures.medianDeploymentSeconds
      : median(measures.deploymentSeconds),
    changes: leadTimeSeconds.length,
    medianLeadTimeSeconds: median(leadTimeSeconds),
    ...(rollouts === undefined ? {} : { rollouts, rolloutsPerDay: rollouts / days }),
    ...(approximate ? { approximate: true } : {}),
  };
}

/**
 * Successful deployments (oldest first) counted as rollouts, per group of `groupOf`: a workload's deployment
 * within an hour of the first deployment of its current rollout belongs to it (one release to 40 production
 * regions is one).
 */
function countRollouts(
  successes: Array<DoraGroup & { date: Date }>,
  groupOf: (success: DoraGroup) => string,
): Map<string, number> {
  const rolloutStart = new Map<string, number>();
  const counts = new Map<string, number>();
  for (const success of successes) {
    const group = groupOf(success);
    const workload = JSON.stringify([group, success.workload]);
    const start = rolloutStart.get(workload);
    const time = success.date.getTime();
    if (start !== undefined && time - start < ROLLOUT_MS) continue;
    rolloutStart.set(workload, time);
    counts.set(group, (counts.get(group) ?? 0) + 1);
  }
  return counts;
}

/**
 * The median of durations in seconds, `null` for none. A negative duration (a status recorded before a
 * backfilled date, clocks a little apart) counts as 0; results are rounded to the millisecond, which is
 * what the databases store.
 */
export function median(seconds: number[]): number | null {
  if (seconds.length === 0) return null;
  const sorted = seconds.map((value) => Math.max(0, value)).sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const value =
    sorted.length % 2 === 1 ? (sorted[middle] ?? 0) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
  return Math.round(value * 1000) / 1000;
}

/** What `/stats/dora` may be grouped by. */
export type DoraGroupBy = 'workload' | 'environment';

/** A trend's span in days: a whole number from 1 to `days`, cutting the window in at most 100 spans. */
function doraBucketDays(bucketDays: number | undefined, days: number): number | undefined {
  if (bucketDays === undefined) return undefined;
  if (bucketDays > days) {
    throw badRequest(`bucketDays must be a whole number from 1 to days (${days})`);
  }
  if (Math.ceil(days / bucketDays) > MAX_DORA_BUCKETS) {
    throw badRequest(
      `bucketDays must cut the window in at most ${MAX_DORA_BUCKETS} spans: at least ${Math.ceil(days / MAX_DORA_BUCKETS)}`,
    );
  }
  return bucketDays;
}

/** Runs `work` over `items`, a few at a time, keeping their order. */
async function mapLimited<T, R>(items: readonly T[], work: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    for (let index = next++; index < items.length; index = next++)
      results[index] = await work(items[index] as T);
  };
  await Promise.all(Array.from({ length: Math.min(DORA_CONCURRENCY, items.length) }, worker));
  return results;
}
