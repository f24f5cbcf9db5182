// The "what runs where" grid: workloads down, environments across in tier order (development → production),
// and how each environment stands against the tier before it in its workload's pipeline.
//
// Imports carry their `.js` extension: test/web runs these functions under Node's module resolution too.
import { TIERS, type MatrixEntry, type Tier } from '../api/types.js';
import { statusKind } from '../format/status.js';
import { compareSemver } from './semver.js';

/**
 * Where a name usually sits in a delivery pipeline: development first, production last. Orders platforms and
 * environments within one tier; names without a known word come between test and production, alphabetically.
 */
const STAGES: ReadonlyArray<RegExp> = [
  /\b(dev|develop|development|local|sandbox)\b/,
  /\b(ci|test|tests|testing|qa|int|integration)\b/,
  /\b(stage|staging|stg|preprod|pre-prod|preproduction|uat|acceptance)\b/,
  /\b(prod|production|prd|live)\b/,
];

export function stageRank(name: string): number {
  const words = name.toLowerCase().replace(/[_.]/g, '-');
  const index = STAGES.findIndex((stage) => stage.test(words));
  if (index === -1) return 2.5;
  return index;
}

function byStage(a: string, b: string): number {
  return stageRank(a) - stageRank(b) || a.localeCompare(b);
}

/** development 0 … production 3; `other` last, outside the pipeline. */
export const tierRank = (tier: Tier): number => TIERS.indexOf(tier);

/** Tells an environment's tier (from GET /environments). */
export type TierOf = (platform: string, environment: string) => Tier;

/** A platform's environments of one tier, side by side; `collapsed` when they show as one summary column. */
export interface MatrixColumnGroup {
  tier: Tier;
  platform: string;
  environments: string[];
  collapsed: boolean;
}

/** How a cell's current version stands against the tier before it in the same workload. */
export type Drift =
  /** The first tier of the workload (or `other`): nothing to compare with. */
  | 'first'
  /** Runs what the tier before runs. */
  | 'same'
  /** A lower semantic version than the tier before. */
  | 'behind'
  /** A higher semantic version than the tier before (a hotfix straight to this tier). */
  | 'ahead'
  /** Another version, where versions are not semantic versions and cannot be ordered. */
  | 'differs'
  /** Nothing has succeeded here yet. */
  | 'none';

export interface MatrixCell {
  entry: MatrixEntry;
  tier: Tier;
  drift: Drift;
  /** The tier compared with and the version it runs; null for `first` and `none`. */
  reference: { tier: Tier; version: string } | null;
  /** The latest attempt when it is not what runs: a failure, one still going, or any other status. */
  attempt: { versions_id: number; version: string; status: string; date: string } | null;
}

/** A collapsed platform's cell: how many of the row's environments there run the commonest version. */
export interface MatrixSummary {
  /** The row's cells it stands for, in column order: what opening the summary lists. */
  cells: MatrixCell[];
  environments: number;
  version: string | null;
  onVersion: number;
  failed: number;
  ongoing: number;
}

export interface MatrixRow {
  workload: string;
  /** One per environment of an expanded group, in order; null where the workload has no such environment. */
  cells: Array<MatrixCell | null>;
  /** One per group, in order: the summary of a collapsed group (null for expanded ones or none there). */
  summaries: Array<MatrixSummary | null>;
  /** How many different versions run in the row's environments. */
  distinctVersions: number;
}

export interface Matrix {
  columns: MatrixColumnGroup[];
  rows: MatrixRow[];
}

export interface MatrixOptions {
  tierOf: TierOf;
  /** A platform with more environments than this (in one tier) shows as one summary column… */
  collapseAbove?: number;
  /** …unless it is listed here. */
  expanded?: ReadonlySet<string>;
}

/** Platforms with more environments than this show as one summary column until opened. */
export const COLLAPSE_ABOVE = 8;

const cellKey = (platform: string, environment: string) => JSON.stringify([platform, environment]);
type Current = NonNullable<MatrixEntry['current']>;

/** The newest of versions: the highest when all are semantic versions, else the latest deployed. */
function newestOf(currents: readonly Current[]): Current | null {
  if (currents.length === 0) return null;
  const ordered = currents.every(
    (current, _, all) => compareSemver(current.version, all[0]!.version) !== null,
  );
  return currents.reduce((a, b) => {
    if (ordered) return (compareSemver(b.version, a.version) ?? 0) > 0 ? b : a;
    return Date.parse(b.date) > Date.parse(a.date) ? b : a;
  });
}

function driftAgainst(current: Current, reference: string): Drift {
  const order = compareSemver(current.version, reference);
  if (order === null) return current.version === reference ? 'same' : 'differs';
  return order === 0 ? 'same' : order < 0 ? 'behind' : 'ahead';
}

/** The grid of `entries` (as GET /read/matrix sorts them: by workload, platform, environment). */
export function buildMatrix(entries: readonly MatrixEntry[], options: MatrixOptions): Matrix {
  const { tierOf, collapseAbove = COLLAPSE_ABOVE, expanded = new Set<string>() } = options;
  const groups = new Map<string, { tier: Tier; platform: string; environments: Set<string> }>();
  for (const entry of entries) {
    const tier = tierOf(entry.platform, entry.environment);
    const key = JSON.stringify([tier, entry.platform]);
    let group = groups.get(key);
    if (!group) groups.set(key, (group = { tier, platform: entry.platform, environments: new Set() }));
    group.environments.add(entry.environment);
  }
  const columns: MatrixColumnGroup[] = [...groups.values()]
    .sort((a, b) => tierRank(a.tier) - tierRank(b.tier) || byStage(a.platform, b.platform))
    .map((group) => ({
      tier: group.tier,
      platform: group.platform,
      environments: [...group.environments].sort(byStage),
      collapsed: group.environments.size > collapseAbove && !expanded.has(group.platform),
    }));
  const order = columns.flatMap((group) =>
    group.collapsed ? [] : group.environments.map((env) => cellKey(group.platform, env)),
  );

  const byWorkload = new Map<string, MatrixEntry[]>();
  for (const entry of entries) {
    let list = byWorkload.get(entry.workload);
    if (!list) byWorkload.set(entry.workload, (list = []));
    list.push(entry);
  }

  const rows = [...byWorkload.keys()]
    .sort((a, b) => a.localeCompare(b))
    .map((workload) => {
      const list = byWorkload.get(workload) ?? [];
      const newestByTier = new Map<Tier, Current>();
      for (const tier of TIERS) {
        const currents = list.flatMap((entry) =>
          entry.current && tierOf(entry.platform, entry.environment) === tier ? [entry.current] : [],
        );
        const newest = newestOf(currents);
        if (newest) newestByTier.set(tier, newest);
      }
      /** The closest lower tier of the pipeline where this workload runs something. */
      const tierBefore = (tier: Tier): Tier | null => {
        if (tier === 'other') return null;
        for (let rank = tierRank(tier) - 1; rank >= 0; rank -= 1) {
          const candidate = TIERS[rank]!;
          if (newestByTier.has(candidate)) return candidate;
        }
        return null;
      };
      const cells = new Map(
        list.map((entry) => {
          const tier = tierOf(entry.platform, entry.environment);
          const before = tierBefore(tier);
          const reference = before ? newestByTier.get(before) : undefined;
          const tried = entry.latest.versions_id !== entry.current?.versions_id;
          const cell: MatrixCell = {
            entry,
            tier,
            drift: !entry.current
              ? 'none'
              : reference
                ? driftAgainst(entry.current, reference.version)
                : 'first',
            reference:
              entry.current && before && reference ? { tier: before, version: reference.version } : null,
            attempt: tried && statusKind(entry.latest.status) !== 'success' ? entry.latest : null,
          };
          return [cellKey(entry.platform, entry.environment), cell] as const;
        }),
      );
      const summaries = columns.map((group) => {
        if (!group.collapsed) return null;
        const inGroup = group.environments.flatMap((env) => {
          const cell = cells.get(cellKey(group.platform, env));
          return cell ? [cell] : [];
        });
        return inGroup.length === 0 ? null : summarize(inGroup);
      });
      const currents = list.flatMap((entry) => (entry.current ? [entry.current.version] : []));
      return {
        workload,
        cells: order.map((key) => cells.get(key) ?? null),
        summaries,
        distinctVersions: new Set(currents).size,
      };
    });
  return { columns, rows };
}

function summarize(cells: readonly MatrixCell[]): MatrixSummary {
  const counts = new Map<string, number>();
  for (const cell of cells) {
    const version = cell.entry.current?.version;
    if (version !== undefined) counts.set(version, (counts.get(version) ?? 0) + 1);
  }
  let version: string | null = null;
  let onVersion = 0;
  for (const [candidate, count] of counts) {
    if (count > onVersion) [version, onVersion] = [candidate, count];
  }
  return {
    cells: [...cells],
    environments: cells.length,
    version,
    onVersion,
    failed: cells.filter((cell) => statusKind(cell.entry.latest.status) === 'failed').length,
    ongoing: cells.filter((cell) => statusKind(cell.entry.latest.status) === 'ongoing').length,
  };
}

/** "38/56 on 7.4.0, 2 failed": a collapsed platform's cell in words. */
export function describeSummary(summary: MatrixSummary): string {
  const parts = [
    summary.version === null
      ? `${summary.environments} environments, none succeeded`
      : `${summary.onVersion}/${summary.environments} on ${summary.version}`,
  ];
  if (summary.failed > 0) parts.push(`${summary.failed} failed`);
  if (summary.ongoing > 0) parts.push(`${summary.ongoing} ongoing`);
  return parts.join(', ');
}

/** How a drift reads in a cell: "= staging", "behind staging"; '' when there is nothing to compare. */
export function describeDrift(cell: MatrixCell): string {
  if (!cell.reference) return '';
  const tier = cell.reference.tier;
  switch (cell.drift) {
    case 'same':
      return `= ${tier}`;
    case 'behind':
      return `behind ${tier}`;
    case 'ahead':
      return `ahead of ${tier}`;
    case 'differs':
      return `≠ ${tier}`;
    default:
      return '';
  }
}

/** The environments kept by a choice from the address (`platform/environment` each); every one when empty. */
export function chooseEntries(entries: readonly MatrixEntry[], chosen: readonly string[]): MatrixEntry[] {
  if (chosen.length === 0) return [...entries];
  const keep = new Set(chosen);
  return entries.filter((entry) => keep.has(`${entry.platform}/${entry.environment}`));
}
