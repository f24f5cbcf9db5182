// The DORA rollup (versions_dora_rollup): per UTC day and per UTC month, the deployments created in it by
// current status and the histograms (src/insights/histogram.ts) of their deployment durations and of their
// failures' times to restore, as docs/insights.md defines them. /stats/dora reads a long window's whole days
// and months from it instead of every deployment (insights.store.ts).
//
// A deployment's durations depend on its own history and, for a failure, on the next successful deployment
// of its environment: a write (create, status change, delete) of deployment D can change only D's own figures
// and the restore times of the failures between the successful deployment before D and the one after it.
// Every write reads that stretch of its environment before and after it (rangeAround), inside its
// transaction and after locking the environment's row, and adds the difference to the rollup.
import { sql, type ExpressionBuilder, type Kysely, type SelectQueryBuilder } from 'kysely';
import { SUCCESSFUL_STATUSES, type EnvironmentKey } from '../deployments/deployment.js';
import { binOf } from '../insights/histogram.js';
import { FAILED_STATUS } from '../insights/insights.js';
import { parseUtcDate, type SqlFragments } from './dialects/index.js';
import type { DoraRollupRow } from './dialects/dialect.js';
import { relativeTo, type KeysetColumns, type KeysetPosition } from './keyset.js';
import type { Database, VersionsTable } from './schema.js';

/** What a rollup row counts (its `measure`). */
export const DORA_MEASURES = {
  deployments: 0,
  successful: 1,
  failed: 2,
  deploymentSeconds: 3,
  restoreSeconds: 4,
} as const;

const SUCCESSFUL = [...SUCCESSFUL_STATUSES];
const isSuccessful = (status: string) => (SUCCESSFUL as string[]).includes(status);

/** A deployment of the stretch, with what its history says. */
export interface RolledDeployment {
  id: number;
  date: Date;
  status: string;
  /** Its creation entry's id is lower than its first successful entry's: it has a deployment duration. */
  measured: boolean;
  succeededAt: Date | null;
  failedAt: Date | null;
}

/**
 * How many deployments on each side of a written one rangeAround() reads first. Most stretches end at the
 * next deployment (four in five deployments succeed), and every row read costs SQLite four seeks of the
 * history: 4 instead of 16 took a create's CPU ×0.81 on SQLite (bench/README.md, change 24).
 */
const NEAR = 4;

/**
 * The deployments of `environment` from just after the last successful one before `at` to the first
 * successful one after it (both ends excluding `at` itself), with `at` when it exists, oldest first: every
 * deployment whose figures a write of `at` may change, and the one that restores the failures among them.
 * One statement reads `at` and up to NEAR deployments on each side; only a longer stretch (a long run of
 * failures) is read again whole.
 */
export async function rangeAround(
  trx: Kysely<Database>,
  fragments: SqlFragments,
  environment: EnvironmentKey,
  at: KeysetPosition,
): Promise<RolledDeployment[]> {
  const date = fragments.toDbDate(parseUtcDate(at.date));
  const ofEnvironment = () => withHistory(deploymentsOf(trx, environment));
  // Each range is written twice: alone, which the planners seek an index by, and exactly, as an OR.
  const before = ofEnvironment()
    .select(sql.lit('b').as('side'))
    .where('v.date', '<=', date)
    .where((eb) => relativeTo(eb, columns(eb), '<', { date, id: at.id }))
    .orderBy('v.date', 'desc')
    .orderBy('v.versions_id', 'desc')
    .limit(NEAR);
  const after = ofEnvironment()
    .select(sql.lit('a').as('side'))
    .where('v.date', '>=', date)
    .where((eb) => relativeTo(eb, columns(eb), '>', { date, id: at.id }))
    .orderBy('v.date')
    .orderBy('v.versions_id')
    .limit(NEAR);
  const itself = ofEnvironment().select(sql.lit('x').as('side')).where('v.versions_id', '=', at.id);
  const rows = await trx
    .selectFrom(itself.as('x'))
    .selectAll()
    .unionAll(trx.selectFrom(before.as('b')).selectAll())
    .unionAll(trx.selectFrom(after.as('a')).selectAll())
    .execute();
  const side = (name: string) => rows.filter((row) => row.side === name).map(toRolled);
  const earlier = side('b').sort(byPosition).reverse();
  const later = side('a').sort(byPosition);
  const previous = earlier.findIndex((deployment) => isSuccessful(deployment.status));
  const next = later.findIndex((deployment) => isSuccessful(deployment.status));
  if ((previous < 0 && earlier.length === NEAR) || (next < 0 && later.length === NEAR)) {
    return wholeRangeAround(trx, fragments, environment, at);
  }
  return [
    ...(previous < 0 ? earlier : earlier.slice(0, previous)).reverse(),
    ...side('x'),
    ...(next < 0 ? later : later.slice(0, next + 1)),
  ];
}

/** The deployments of one environment, as `v`. */
function deploymentsOf(trx: Kysely<Database>, environment: EnvironmentKey) {
  return trx
    .selectFrom('versions as v')
    .where('v.workload', '=', environment.workload)
    .where('v.platform', '=', environment.platform)
    .where('v.environment', '=', environment.environment);
}

/** rangeAround() read in three statements, however long the stretch. */
async function wholeRangeAround(
  trx: Kysely<Database>,
  fragments: SqlFragments,
  environment: EnvironmentKey,
  at: KeysetPosition,
): Promise<RolledDeployment[]> {
  const date = fragments.toDbDate(parseUtcDate(at.date));
  const ofEnvironment = deploymentsOf(trx, environment);
  const successful = ofEnvironment
    .where('v.status', 'in', SUCCESSFUL)
    .where('v.versions_id', '<>', at.id)
    .select(['v.date', 'v.versions_id'])
    .limit(1);
  const [before, after] = await Promise.all([
    successful
      .where('v.date', '<=', date)
      .where((eb) => relativeTo(eb, columns(eb), '<', { date, id: at.id }))
      .orderBy('v.date', 'desc')
      .orderBy('v.versions_id', 'desc')
      .executeTakeFirst(),
    successful
      .where('v.date', '>=', date)
      .where((eb) => relativeTo(eb, columns(eb), '>', { date, id: at.id }))
      .orderBy('v.date')
      .orderBy('v.versions_id')
      .executeTakeFirst(),
  ]);
  const rows = await withHistory(ofEnvironment)
    .$if(before !== undefined, (query) =>
      query
        .where('v.date', '>=', before!.date)
        .where((eb) => relativeTo(eb, columns(eb), '>', { date: before!.date, id: before!.versions_id })),
    )
    .$if(after !== undefined, (query) =>
      query
        .where('v.date', '<=', after!.date)
        .where((eb) => relativeTo(eb, columns(eb), '<=', { date: after!.date, id: after!.versions_id })),
    )
    .orderBy('v.date')
    .orderBy('v.versions_id')
    .execute();
  return rows.map(toRolled);
}

/** The keyset columns of `versions as v` (keyset.ts). */
function columns(eb: ExpressionBuilder<Database & { v: VersionsTable }, 'v'>): KeysetColumns {
  return { date: eb.ref('v.date'), id: eb.ref('v.versions_id') };
}

/** The deployments' columns rangeAround() needs, with what their history says. */
function withHistory(query: SelectQueryBuilder<Database & { v: VersionsTable }, 'v', object>) {
  return query.select((eb) => {
    const history = () =>
      eb.selectFrom('versions_status_history as h').whereRef('h.versions_id', '=', 'v.versions_id');
    return [
      'v.versions_id',
      'v.date',
      'v.status',
      history()
        .select((sub) => sub.fn.min('h.id').as('m'))
        .as('created_entry'),
      history()
        .where('h.status', 'in', SUCCESSFUL)
        .select((sub) => sub.fn.min('h.id').as('m'))
        .as('success_entry'),
      history()
        .where('h.status', 'in', SUCCESSFUL)
        .select((sub) => sub.fn.min('h.date').as('m'))
        .as('succeeded_at'),
      history()
        .where('h.status', '=', FAILED_STATUS)
        .select((sub) => sub.fn.min('h.date').as('m'))
        .as('failed_at'),
    ];
  });
}

/** A deployment's row as withHistory() reads it: its columns and the first entries of its history. */
export interface RolledRow {
  versions_id: number | string;
  date: unknown;
  status: string;
  /** The id of its first history entry, of its first successful one. */
  created_entry: unknown;
  success_entry: unknown;
  /** The date of its first successful entry, of its first failed one. */
  succeeded_at: unknown;
  failed_at: unknown;
}

/** The deployment a row of withHistory() describes (pure: the rollup's migration reads its rows with it too). */
export function toRolled(row: RolledRow): RolledDeployment {
  return {
    id: Number(row.versions_id),
    date: parseUtcDate(row.date),
    status: row.status,
    measured:
      row.created_entry !== null &&
      row.success_entry !== null &&
      Number(row.created_entry) < Number(row.success_entry),
    succeededAt: row.succeeded_at === null ? null : parseUtcDate(row.succeeded_at),
    failedAt: row.failed_at === null ? null : parseUtcDate(row.failed_at),
  };
}

function byPosition(a: RolledDeployment, b: RolledDeployment) {
  return a.date.getTime() - b.date.getTime() || a.id - b.id;
}

/** A rollup key of a UTC day: `YYYY-MM-DD|measure|bin`. */
type FactKey = string;

/** Deployments counted per rollup key of their UTC day (factsOf()). */
export type Facts = Map<FactKey, number>;

/**
 * What deployments (a stretch of one environment, oldest first, as rangeAround reads it) put in the rollup,
 * per UTC day of the deployment counted: its counts, its deployment duration, and each failure's time to
 * restore (from its failure to the first success of the next successful deployment of the stretch).
 */
export function factsOf(deployments: readonly RolledDeployment[]): Facts {
  const facts: Facts = new Map();
  const count = countingFacts(facts);
  for (const deployment of deployments) count(deployment);
  return facts;
}

/**
 * factsOf() one deployment at a time: each call counts the next deployment of one environment (oldest
 * first) into `facts`, holding only the failures not yet restored. For a stretch too long to hold at once
 * (the rollup's migration reads every environment page by page).
 */
export function countingFacts(facts: Facts): (deployment: RolledDeployment) => void {
  const add = (date: Date, measure: number, bin = 0) => {
    const key = `${date.toISOString().slice(0, 10)}|${measure}|${bin}`;
    facts.set(key, (facts.get(key) ?? 0) + 1);
  };
  let unrestored: RolledDeployment[] = [];
  return (deployment) => {
    add(deployment.date, DORA_MEASURES.deployments);
    if (deployment.measured && deployment.succeededAt) {
      const seconds = (deployment.succeededAt.getTime() - deployment.date.getTime()) / 1000;
      add(deployment.date, DORA_MEASURES.deploymentSeconds, binOf(seconds));
    }
    if (deployment.status === FAILED_STATUS) {
      add(deployment.date, DORA_MEASURES.failed);
      unrestored.push(deployment);
    } else if (isSuccessful(deployment.status)) {
      add(deployment.date, DORA_MEASURES.successful);
      const restoredAt = (deployment.succeededAt ?? deployment.date).getTime();
      for (const failure of unrestored) {
        const seconds = (restoredAt - (failure.failedAt ?? failure.date).getTime()) / 1000;
        add(failure.date, DORA_MEASURES.restoreSeconds, binOf(seconds));
      }
      unrestored = [];
    }
  };
}

/**
 * The rollup rows that turn the facts `before` into `after`: each day's difference, and the same in its
 * month, sorted by key so that concurrent writes take the rows' locks in one order (no deadlock).
 */
export function rollupChange(
  before: ReadonlyMap<FactKey, number>,
  after: ReadonlyMap<FactKey, number>,
): DoraRollupRow[] {
  // Keyed by period, measure and bin: the days of one month add up in its row.
  const change = new Map<string, DoraRollupRow>();
  const add = (key: FactKey, count: number) => {
    const [day = '', measure = '0', bin = '0'] = key.split('|');
    for (const period of [day, day.slice(0, 7)]) {
      const row = change.get(`${period}|${measure}|${bin}`);
      if (row) row.deployments += count;
      else
        change.set(`${period}|${measure}|${bin}`, {
          period,
          measure: Number(measure),
          bin: Number(bin),
          deployments: count,
        });
    }
  };
  for (const [key, count] of after) add(key, count);
  for (const [key, count] of before) add(key, -count);
  const rows = [...change.values()].filter((row) => row.deployments !== 0);
  return rows.sort(
    (a, b) =>
      (a.period < b.period ? -1 : a.period > b.period ? 1 : 0) || a.measure - b.measure || a.bin - b.bin,
  );
}

/** Adds rollupChange(before, after) to the rollup, inside the write's transaction. */
export async function applyRollupChange(
  trx: Kysely<Database>,
  fragments: SqlFragments,
  before: ReadonlyMap<FactKey, number>,
  after: ReadonlyMap<FactKey, number>,
): Promise<void> {
  const rows = rollupChange(before, after);
  if (rows.length > 0) await fragments.addToDoraRollup(trx, rows).execute();
}

/**
 * Locks the environment's row (versions_environments) until the transaction ends: the writes of one
 * environment change the rollup one at a time, each reading what the one before committed. SQLite's writer
 * holds the whole file.
 */
export async function lockEnvironment(
  trx: Kysely<Database>,
  fragments: SqlFragments,
  environment: EnvironmentKey,
): Promise<void> {
  await fragments
    .forUpdate(
      trx
        .selectFrom('versions_environments')
        .select('deployments')
        .where('workload', '=', environment.workload)
        .where('platform', '=', environment.platform)
        .where('environment', '=', environment.environment),
    )
    .execute();
}

/**
 * Runs `write` (a create, status change or delete of the deployment at `at`, whose environment's row is
 * locked already) and adds its effect on the DORA figures to the rollup, in the caller's transaction.
 * `write` returns the deployment's position when it was unknown before (a create's id).
 */
export async function rollingUp<T>(
  trx: Kysely<Database>,
  fragments: SqlFragments,
  environment: EnvironmentKey,
  at: KeysetPosition | undefined,
  write: () => Promise<{ result: T; at?: KeysetPosition }>,
): Promise<T> {
  const before = at && (await rangeAround(trx, fragments, environment, at));
  const { result, at: written } = await write();
  const position = written ?? at;
  if (!position) throw new Error('a write of the DORA rollup needs the deployment’s position');
  const after = await rangeAround(trx, fragments, environment, position);
  await applyRollupChange(trx, fragments, factsOf(before ?? without(after, position.id)), factsOf(after));
  return result;
}

function without(deployments: readonly RolledDeployment[], id: number) {
  return deployments.filter((deployment) => deployment.id !== id);
}
