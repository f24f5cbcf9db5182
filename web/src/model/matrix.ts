// The "what runs where" grid: workloads down, environments across grouped by platform, and the drift
// between the environments of one workload.
//
// Imports carry their `.js` extension: test/web runs these functions under Node's module resolution too.
import type { MatrixEntry } from '../api/types.js';
import { statusKind } from '../format/status.js';
import { compareSemver } from './semver.js';

/**
 * Where a name usually sits in a delivery pipeline: development first, production last. Names are free text;
 * this only orders the columns so that versions read left to right in the order they are promoted. Names
 * without a known word come between test and production, alphabetically.
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

export interface MatrixColumnGroup {
  platform: string;
  environments: string[];
}

/** How a cell's current version stands against the other environments of its workload. */
export type Drift =
  /** Every environment of the workload runs the same version. */
  | 'same'
  /** The highest version of the row (semantic versions), or the newest deployed one (other versions). */
  | 'newest'
  /** A lower semantic version than the row's newest. */
  | 'behind'
  /** Not the newest deployed version, where versions are not all semantic versions and cannot be ordered. */
  | 'differs'
  /** Nothing has succeeded here yet. */
  | 'none';

export interface MatrixCell {
  entry: MatrixEntry;
  drift: Drift;
  /** The latest attempt when it is not what runs: a failure, one still going, or any other status. */
  attempt: { versions_id: number; version: string; status: string; date: string } | null;
}

export interface MatrixRow {
  workload: string;
  /** One per environment of `columns`, in order; null where the workload has no such environment. */
  cells: Array<MatrixCell | null>;
  /** The newest version of the row (see Drift); null when nothing runs anywhere. */
  newest: string | null;
  /** How many different versions run in the row's environments. */
  distinctVersions: number;
}

export interface Matrix {
  columns: MatrixColumnGroup[];
  rows: MatrixRow[];
}

const cellKey = (platform: string, environment: string) => JSON.stringify([platform, environment]);

/** The newest version among a row's: the highest when all are semantic versions, else the latest deployed. */
function newestOf(currents: ReadonlyArray<NonNullable<MatrixEntry['current']>>): {
  version: string;
  ordered: boolean;
} | null {
  if (currents.length === 0) return null;
  const ordered = currents.every(
    (current, _, all) => compareSemver(current.version, all[0]!.version) !== null,
  );
  const best = currents.reduce((a, b) => {
    if (ordered) return (compareSemver(b.version, a.version) ?? 0) > 0 ? b : a;
    return Date.parse(b.date) > Date.parse(a.date) ? b : a;
  });
  return { version: best.version, ordered };
}

function driftOf(
  current: MatrixEntry['current'],
  newest: { version: string; ordered: boolean } | null,
  distinct: number,
): Drift {
  if (!current || !newest) return 'none';
  if (distinct <= 1) return 'same';
  if (newest.ordered) return compareSemver(current.version, newest.version) === 0 ? 'newest' : 'behind';
  return current.version === newest.version ? 'newest' : 'differs';
}

/** The grid of `entries` (as GET /read/matrix sorts them: by workload, platform, environment). */
export function buildMatrix(entries: readonly MatrixEntry[]): Matrix {
  const platforms = new Map<string, Set<string>>();
  for (const entry of entries) {
    let environments = platforms.get(entry.platform);
    if (!environments) platforms.set(entry.platform, (environments = new Set()));
    environments.add(entry.environment);
  }
  const columns = [...platforms.keys()].sort(byStage).map((platform) => ({
    platform,
    environments: [...(platforms.get(platform) ?? [])].sort(byStage),
  }));
  const order = columns.flatMap((group) => group.environments.map((env) => cellKey(group.platform, env)));

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
      const currents = list.flatMap((entry) => (entry.current ? [entry.current] : []));
      const distinctVersions = new Set(currents.map((current) => current.version)).size;
      const newest = newestOf(currents);
      const cells = new Map(
        list.map((entry) => {
          const tried = entry.latest.versions_id !== entry.current?.versions_id;
          const cell: MatrixCell = {
            entry,
            drift: driftOf(entry.current, newest, distinctVersions),
            attempt: tried && statusKind(entry.latest.status) !== 'success' ? entry.latest : null,
          };
          return [cellKey(entry.platform, entry.environment), cell] as const;
        }),
      );
      return {
        workload,
        cells: order.map((key) => cells.get(key) ?? null),
        newest: newest?.version ?? null,
        distinctVersions,
      };
    });
  return { columns, rows };
}
