import { sql, type ExpressionBuilder } from 'kysely';
import { SUCCESSFUL_STATUSES } from '../deployments/deployment.js';
import type { StoreDatabase } from './database.js';
import { parseUtcDate, type SqlFragments } from './dialects/index.js';
import type { DoraMeasuring } from './dialects/strategies.js';
import type { Database, StatusHistoryTable, VersionsTable } from './schema.js';
import { leadTimes } from './lead-time.store.js';
import { DORA_MEASURES } from './dora-rollup.js';
import { relativeTo } from './keyset.js';
import { addToHistogram, binOf, medianOfHistogram, type Histogram } from '../insights/histogram.js';
import {
  FAILED_STATUS,
  type DoraGroup,
  type DoraMedians,
  type DoraMeasures,
  type DoraWindow,
  type HistoryEntry,
  type MatrixEntry,
} from '../insights/insights.js';

const SUCCESSFUL = [...SUCCESSFUL_STATUSES];
/** What DORA figures may be grouped by, and the columns of each group. */
const GROUP_COLUMNS = {
  workload: ['workload'],
  environment: ['workload', 'platform', 'environment'],
} as const satisfies Record<string, readonly GroupColumn[]>;
type GroupColumn = 'workload' | 'platform' | 'environment';
/** A row read with a group's columns among others. */
type GroupRow = Partial<Record<GroupColumn, string>>;

/** A group's identity, for Maps: its columns' values in order. */
export function groupKey(row: GroupRow, columns: readonly GroupColumn[]): string {
  return JSON.stringify(columns.map((column) => row[column]));
}

/** A window whose deployments are at least 1/4 of the ids between its first and last reads that id range. */
const DENSE_RANGE_FACTOR = 4;

/** The deployments of a DORA window go by the alias `v` in every query below, their history by `h`. */
type WithV = Database & { v: VersionsTable };
type WithH = Database & { h: StatusHistoryTable };

type DurationsReader = (
  window: DoraWindow,
  history: ReturnType<InsightsStore['historyOf']>,
  columns: readonly GroupColumn[],
) => Promise<Record<'deploymentSeconds' | 'restoreSeconds', Array<{ key: GroupRow; seconds: number }>>>;

/**
 * The read-only queries behind history, matrix and DORA figures. Every query is bounded: the matrix walks
 * the environments table with LIMIT 1 lookups on idx_versions_environment_date, and DORA reads only the
 * deployments created in its window (idx_versions_date) plus their own history (idx_status_history_deployment).
 */
export class InsightsStore {
  constructor(private readonly database: StoreDatabase) {}

  private get db() {
    return this.database.db;
  }

  /** Every status of a deployment, oldest first with its creation first; undefined when there is no such id. */
  history(id: number): Promise<HistoryEntry[] | undefined> {
    return this.database.guard(async () => {
      const entries = await this.db
        .selectFrom('versions_status_history')
        .select(['id', 'status', 'date'])
        .where('versions_id', '=', id)
        .orderBy('date')
        .orderBy('id')
        .execute();
      if (entries.length > 0) {
        // The creation entry is the deployment's first row (lowest id). A backfilled creation date a little
        // ahead of the server's clock could sort after a status change; it still comes first.
        const creation = entries.reduce((first, entry) => (entry.id < first.id ? entry : first));
        return [creation, ...entries.filter((entry) => entry !== creation)].map(toHistoryEntry);
      }
      // A row written by something that keeps no history (the Go original on the same database): its
      // current status at its date is all that is known.
      const row = await this.db
        .selectFrom('versions')
        .select(['status', 'date'])
        .where('versions_id', '=', id)
        .executeTakeFirst();
      return row && [toHistoryEntry(row)];
    });
  }

  /**
   * One entry per workload/platform/environment (of one workload when given), sorted by those three: its
   * newest deployment and its newest successful one. Two LIMIT 1 index lookups per environment, whatever
   * the size of the versions table.
   */
  matrix(workload?: string): Promise<MatrixEntry[]> {
    return this.database.guard(async () => {
      const rows = await this.matrixQuery(workload).execute();
      return rows.map((row) => ({
        workload: row.workload,
        platform: row.platform,
        environment: row.environment,
        current:
          row.current_id === null || row.current_version === null
            ? null
            : {
                versions_id: Number(row.current_id),
                version: row.current_version,
                date: parseUtcDate(row.current_date).toISOString(),
                commit: row.current_commit ?? null,
                environmentURL: row.current_environment_url ?? null,
              },
        latest: {
          versions_id: Number(row.latest_id),
          version: row.latest_version,
          status: row.latest_status,
          date: parseUtcDate(row.latest_date).toISOString(),
        },
      }));
    });
  }

  /** matrix()'s query, built and not run (test/unit/store-sql.test.ts pins its SQL on each dialect). */
  matrixQuery(workload?: string) {
    // MariaDB is told the environment's date index: given the choice, it reads the newest successful one
    // from idx_versions_environment_status_date instead, sorting every successful row of the environment.
    const newest = (eb: ExpressionBuilder<Database & { e: Database['versions_environments'] }, 'e'>) =>
      eb
        .selectFrom(this.database.sql.versionsThrough('idx_versions_environment_date', 'n'))
        .select('n.versions_id')
        .whereRef('n.workload', '=', 'e.workload')
        .whereRef('n.platform', '=', 'e.platform')
        .whereRef('n.environment', '=', 'e.environment')
        .orderBy('n.date', 'desc')
        .orderBy('n.versions_id', 'desc')
        .limit(1);
    const environments = this.db
      .selectFrom('versions_environments as e')
      .select((eb) => [
        'e.workload',
        'e.platform',
        'e.environment',
        newest(eb).as('latest_id'),
        newest(eb).where('n.status', 'in', SUCCESSFUL).as('current_id'),
      ])
      .$if(workload !== undefined, (query) => query.where('e.workload', '=', workload ?? ''));
    return this.db
      .selectFrom(environments.as('m'))
      .innerJoin('versions as l', 'l.versions_id', 'm.latest_id')
      .leftJoin('versions as c', 'c.versions_id', 'm.current_id')
      .leftJoin('versions_details as cd', 'cd.versions_id', 'm.current_id')
      .select([
        'm.workload',
        'm.platform',
        'm.environment',
        'l.versions_id as latest_id',
        'l.version as latest_version',
        'l.status as latest_status',
        'l.date as latest_date',
        'c.versions_id as current_id',
        'c.version as current_version',
        'c.date as current_date',
        'cd.commit_sha as current_commit',
        'cd.environment_url as current_environment_url',
      ])
      .orderBy('m.workload')
      .orderBy('m.platform')
      .orderBy('m.environment');
  }

  /**
   * What DORA figures are computed from, over the deployments created in the window: their counts by current
   * status, their deployment durations and their failures' times to restore, in seconds.
   */
  dora(window: DoraWindow): Promise<DoraMeasures> {
    return this.database.guard(async () => {
      const [whole] = await this.measures(window, []);
      if (!whole) throw new Error('an ungrouped count always answers one row');
      return whole.measures;
    });
  }

  /**
   * dora() for every workload (or workload/platform/environment) with deployments in the window, sorted: the
   * same queries, each grouped by those columns, so that a hundred groups cost one pass, not a hundred.
   */
  doraByGroup(window: DoraWindow, by: 'workload' | 'environment'): Promise<Array<DoraGroup & DoraMeasures>> {
    return this.database.guard(async () => {
      const columns = GROUP_COLUMNS[by];
      return (await this.measures(window, columns)).map(({ key, measures }) => ({
        ...(Object.fromEntries(columns.map((column) => [column, key[column]])) as DoraGroup),
        ...measures,
      }));
    });
  }

  /**
   * dora() from the DORA rollup (dora-rollup.ts): the window's whole UTC months and days read from it, and
   * its last day too when nothing is dated later; the parts of days at its ends from the deployments,
   * medians from the merged histograms. Undefined (ask
   * dora()) when the window holds no whole day or its whole days hold `exactUpTo` deployments or fewer. For
   * every deployment of an environment, whatever the scope: the rollup is not kept per environment.
   */
  doraRolledUp(window: DoraWindow, exactUpTo: number): Promise<DoraMedians | undefined> {
    return this.database.guard(async () => {
      const plan = rollupPlan(window);
      if (plan.periods.length === 0) return undefined;
      // The window's last day is in the rollup whole unless something is dated after its end (a create's date
      // may be a few minutes ahead of the clock): then its part up to `to` is read from the deployments.
      const later = await this.db
        .selectFrom('versions')
        .select('versions_id')
        .where('date', '>', this.database.sql.toDbDate(window.to))
        .limit(1)
        .executeTakeFirst();
      const periods = later ? plan.periods : [...plan.periods, plan.lastDay];
      const edges = later ? plan.edges : plan.edges.slice(0, -1);
      const rows = await this.db
        .selectFrom('versions_dora_rollup')
        .select(['measure', 'bin', 'deployments'])
        .where('period', 'in', periods)
        .execute();
      const counts = { deployments: 0, successful: 0, failed: 0 };
      const histograms = { deployment: new Map(), restore: new Map() } as Record<string, Histogram>;
      for (const row of rows) {
        const count = Number(row.deployments);
        if (row.measure === DORA_MEASURES.deployments) counts.deployments += count;
        else if (row.measure === DORA_MEASURES.successful) counts.successful += count;
        else if (row.measure === DORA_MEASURES.failed) counts.failed += count;
        else if (row.measure === DORA_MEASURES.deploymentSeconds)
          addToHistogram(histograms.deployment!, row.bin, count);
        else if (row.measure === DORA_MEASURES.restoreSeconds)
          addToHistogram(histograms.restore!, row.bin, count);
      }
      if (counts.deployments <= exactUpTo) return undefined;
      // The ends: a failure there may be restored after the end of its part, up to the window's end.
      const measured = await Promise.all(
        edges.map((edge) => this.edgeMeasures({ ...window, ...edge, restoredBy: window.to })),
      );
      for (const edge of measured) {
        counts.deployments += edge.deployments;
        counts.successful += edge.successful;
        counts.failed += edge.failed;
        for (const seconds of edge.deploymentSeconds)
          addToHistogram(histograms.deployment!, binOf(seconds), 1);
        for (const seconds of edge.restoreSeconds) addToHistogram(histograms.restore!, binOf(seconds), 1);
      }
      return {
        ...counts,
        medianDeploymentSeconds: medianOfHistogram(histograms.deployment!),
        medianTimeToRestoreSeconds: medianOfHistogram(histograms.restore!),
      };
    });
  }

  /**
   * dora() of a part of a day, its failures' restorers sought up to `restoredBy`: by restoreSeconds() where
   * a correlated subquery seeks them, else by edgeRestoreSeconds() (the restorer may come after the part).
   */
  private async edgeMeasures(window: DoraWindow): Promise<DoraMeasures> {
    const [group] = await this.counts(window, []);
    if (!group || group.first === null || group.last === null || group.deployments === 0) {
      return { deployments: 0, successful: 0, failed: 0, deploymentSeconds: [], restoreSeconds: [] };
    }
    const ids = { first: Number(group.first), last: Number(group.last) };
    const history = this.historyOf(window, ids, group.deployments);
    const [deploymentSeconds, restoreSeconds] = await Promise.all([
      this.deploymentSeconds(window, history, []),
      this.database.dialect.doraMeasuring === 'seekPerFailure'
        ? this.restoreSeconds(window, []).then((rows) => rows.map((row) => row.seconds))
        : this.edgeRestoreSeconds(window),
    ]);
    return {
      deployments: group.deployments,
      successful: group.successful,
      failed: group.failed,
      deploymentSeconds: deploymentSeconds.map((row) => row.seconds),
      restoreSeconds: restoreSeconds,
    };
  }

  /**
   * restoreSeconds() of a part of a day for MySQL and MariaDB: its failures first, then each one's restorer
   * sought from its own date as a literal (they seek an index by a literal range, not by an outer column's),
   * a hundred failures per statement (PostgreSQL would spend milliseconds planning each).
   */
  private async edgeRestoreSeconds(window: DoraWindow): Promise<number[]> {
    const failures = await this.db
      .selectFrom('versions as v')
      .where((eb) => inWindow(eb, window, this.database.sql))
      .where('v.status', '=', FAILED_STATUS)
      .select((eb) => [
        'v.versions_id',
        'v.workload',
        'v.platform',
        'v.environment',
        'v.date',
        eb
          .selectFrom('versions_status_history as hf')
          .select((sub) => sub.fn.min('hf.date').as('failed_at'))
          .whereRef('hf.versions_id', '=', 'v.versions_id')
          .where('hf.status', '=', FAILED_STATUS)
          .as('failed_at'),
      ])
      .execute();
    const to = this.database.sql.toDbDate(window.restoredBy ?? window.to);
    const seconds: number[] = [];
    for (let start = 0; start < failures.length; start += 100) {
      const chunk = failures.slice(start, start + 100);
      const seeks = chunk.map((failure) => {
        const date = this.database.sql.toDbDate(parseUtcDate(failure.date));
        return (
          this.db
            .selectFrom(this.database.sql.versionsThrough('idx_versions_environment_date'))
            .select((eb) => [
              eb.fn
                .coalesce(
                  eb
                    .selectFrom('versions_status_history as hr')
                    .select((sub) => sub.fn.min('hr.date').as('succeeded_at'))
                    .whereRef('hr.versions_id', '=', 'versions.versions_id')
                    .where('hr.status', 'in', SUCCESSFUL),
                  eb.ref('versions.date'),
                )
                .as('restored_at'),
            ])
            .where('versions.workload', '=', failure.workload)
            .where('versions.platform', '=', failure.platform)
            .where('versions.environment', '=', failure.environment)
            // The range first, alone: the planners seek an index by it, not by the OR that follows.
            .where('versions.date', '>=', date)
            .where((eb) => {
              const columns = { date: eb.ref('versions.date'), id: eb.ref('versions.versions_id') };
              return relativeTo(eb, columns, '>', { date, id: Number(failure.versions_id) });
            })
            .where('versions.date', '<=', to)
            .where('versions.status', 'in', SUCCESSFUL)
            .orderBy('versions.date')
            .orderBy('versions.versions_id')
            .limit(1)
        );
      });
      // One statement per failure, the same SQL text each time (a prepared statement), in parallel on the pool.
      const found = await Promise.all(seeks.map((seek) => seek.executeTakeFirst()));
      const restored = new Map(
        chunk.flatMap((failure, index) => {
          const row = found[index];
          return row ? [[Number(failure.versions_id), parseUtcDate(row.restored_at).getTime()] as const] : [];
        }),
      );
      for (const failure of chunk) {
        const at = restored.get(Number(failure.versions_id));
        if (at === undefined) continue;
        const failedAt = parseUtcDate(failure.failed_at ?? failure.date).getTime();
        seconds.push((at - failedAt) / 1000);
      }
    }
    return seconds;
  }

  /** The measures of the window, one entry per group of `columns` (one in all when none), in their order. */
  private async measures(window: DoraWindow, columns: readonly GroupColumn[]) {
    const groups = await this.counts(window, columns);
    const measured = new Map(
      groups.map(({ key, deployments, successful, failed }) => [
        groupKey(key, columns),
        { key, measures: { deployments, successful, failed, deploymentSeconds: [], restoreSeconds: [] } },
      ]),
    ) as Map<string, { key: GroupRow; measures: DoraMeasures }>;
    const ranged = groups.filter((group) => group.first !== null && group.last !== null);
    if (ranged.length === 0) return [...measured.values()];
    const ids = {
      first: Math.min(...ranged.map((group) => Number(group.first))),
      last: Math.max(...ranged.map((group) => Number(group.last))),
    };
    const deployments = groups.reduce((sum, group) => sum + group.deployments, 0);
    const history = this.historyOf(window, ids, deployments);
    const add = (
      field: 'deploymentSeconds' | 'restoreSeconds',
      rows: Array<{ key: GroupRow; seconds: number }>,
    ) => {
      for (const row of rows) measured.get(groupKey(row.key, columns))?.measures[field].push(row.seconds);
    };
    const measure = this.measuring[this.database.dialect.doraMeasuring];
    const { deploymentSeconds, restoreSeconds } = await measure(window, history, columns);
    add('deploymentSeconds', deploymentSeconds);
    add('restoreSeconds', restoreSeconds);
    return [...measured.values()];
  }

  /** The two ways of reading DORA's durations; the dialect names the one its planner serves well. */
  private readonly measuring: Record<DoraMeasuring, DurationsReader> = {
    seekPerFailure: async (window, history, columns) => {
      const [deploymentSeconds, restoreSeconds] = await Promise.all([
        this.deploymentSeconds(window, history, columns),
        this.restoreSeconds(window, columns),
      ]);
      return { deploymentSeconds, restoreSeconds };
    },
    onePassInOrder: (window, history, columns) => this.measuredInOrder(window, history, columns),
  };

  /**
   * Deployments of the window by current status, and the range of their ids (null when none), per group of
   * `columns` in their order; without columns, one row even for an empty window.
   */
  private async counts(window: DoraWindow, columns: readonly GroupColumn[]) {
    const rows = await this.doraCountsQuery(window, columns).execute();
    return rows.map((row) => ({
      key: row as GroupRow,
      deployments: Number(row.deployments),
      successful: Number(row.successful ?? 0),
      failed: Number(row.failed ?? 0),
      first: row.first,
      last: row.last,
    }));
  }

  /** The main query of DORA figures (counts()), built and not run, as matrixQuery(). */
  doraCountsQuery(window: DoraWindow, columns: readonly GroupColumn[] = []) {
    return this.db
      .selectFrom('versions as v')
      .where((eb) => inWindow(eb, window, this.database.sql))
      .$if(columns.length > 0, (query) => {
        let grouped = query.groupBy(columns.map((column) => `v.${column}` as const));
        for (const column of columns) grouped = grouped.orderBy(`v.${column}`);
        return grouped;
      })
      .select(columns.map((column) => `v.${column}` as const))
      .select((eb) => [
        eb.fn.countAll<number | string>().as('deployments'),
        eb.fn
          .sum<number | string | null>(eb.case().when('v.status', 'in', SUCCESSFUL).then(1).else(0).end())
          .as('successful'),
        eb.fn
          .sum<number | string | null>(eb.case().when('v.status', '=', FAILED_STATUS).then(1).else(0).end())
          .as('failed'),
        // Among other aggregates, so that PostgreSQL reads them off the window's rows instead of walking
        // the primary key from one end until a row of the window turns up.
        eb.fn.min('v.versions_id').as('first'),
        eb.fn.max('v.versions_id').as('last'),
      ]);
  }

  /**
   * For each deployment of the window whose creation entry is not successful and that later reached a
   * successful status: the seconds from its creation (its `date`) to its first successful history entry.
   */
  private async deploymentSeconds(
    window: DoraWindow,
    history: ReturnType<InsightsStore['historyOf']>,
    columns: readonly GroupColumn[],
  ): Promise<Array<{ key: GroupRow; seconds: number }>> {
    const rows = await this.db
      .selectFrom('versions as v')
      .innerJoin(history.as('s'), 's.versions_id', 'v.versions_id')
      .where((eb) => inWindow(eb, window, this.database.sql))
      .whereRef('s.created_entry', '<', 's.success_entry')
      .select(columns.map((column) => `v.${column}` as const))
      .select((eb) =>
        this.database.sql.secondsBetween(eb.ref('v.date'), eb.ref('s.succeeded_at')).as('seconds'),
      )
      .execute();
    return rows.map((row) => ({ key: row as GroupRow, seconds: Number(row.seconds) }));
  }

  /**
   * For each failed deployment of the window that was restored: the seconds from its failure (its first
   * history entry with status failed, else its date) to the first successful history entry (else the date)
   * of the next successful deployment of its environment (ordered by date, then id; created no later than
   * `to`). Failures never restored are left out. A few index seeks per failure, none per other deployment.
   */
  private async restoreSeconds(
    window: DoraWindow,
    columns: readonly GroupColumn[],
  ): Promise<Array<{ key: GroupRow; seconds: number }>> {
    const to = this.database.sql.toDbDate(window.restoredBy ?? window.to);
    // One row per failure, no join: a join to the restoring deployments tempts PostgreSQL into hashing the
    // whole versions table once the window holds a few thousand failures.
    const rows = await this.db
      .selectFrom('versions as v')
      .where((eb) => inWindow(eb, window, this.database.sql))
      .where('v.status', '=', FAILED_STATUS)
      .select(columns.map((column) => `v.${column}` as const))
      .select((eb) => {
        const failedAt = eb.fn.coalesce(
          eb
            .selectFrom('versions_status_history as hf')
            .select((sub) => sub.fn.min('hf.date').as('failed_at'))
            .whereRef('hf.versions_id', '=', 'v.versions_id')
            .where('hf.status', '=', FAILED_STATUS),
          eb.ref('v.date'),
        );
        // The next successful deployment of the environment, and when it first succeeded.
        const restoredAt = eb
          .selectFrom('versions as r')
          .select((sub) =>
            sub.fn
              .coalesce(
                sub
                  .selectFrom('versions_status_history as hr')
                  .select((first) => first.fn.min('hr.date').as('succeeded_at'))
                  .whereRef('hr.versions_id', '=', 'r.versions_id')
                  .where('hr.status', 'in', SUCCESSFUL),
                sub.ref('r.date'),
              )
              .as('restored_at'),
          )
          .whereRef('r.workload', '=', 'v.workload')
          .whereRef('r.platform', '=', 'v.platform')
          .whereRef('r.environment', '=', 'v.environment')
          .whereRef('r.date', '>=', 'v.date')
          .where((sub) =>
            sub.or([
              sub('r.date', '>', sub.ref('v.date')),
              sub('r.versions_id', '>', sub.ref('v.versions_id')),
            ]),
          )
          .where('r.date', '<=', to)
          .where('r.status', 'in', SUCCESSFUL)
          .orderBy('r.date')
          .orderBy('r.versions_id')
          .limit(1);
        return this.database.sql.secondsBetween(failedAt, restoredAt).as('seconds');
      })
      .execute();
    // NULL: no successful deployment came after the failure.
    return rows.flatMap((row) =>
      row.seconds === null ? [] : [{ key: row as GroupRow, seconds: Number(row.seconds) }],
    );
  }

  /**
   * The same measures as deploymentSeconds() and restoreSeconds(), in one pass over the window's deployments
   * sorted per environment, for databases that cannot seek an index by a range on an outer column (MySQL,
   * MariaDB: there, each failure's lookup would scan its environment from the start).
   *
   * The next successful deployment is found with window functions: numbering the environment's deployments
   * by how many successful ones come at or after each (newest first), a failure and the deployment that
   * restores it share that number, and the restorer is the only successful one that has it. Every restorer
   * is in the window, as it is created after the failure and no later than `to`.
   */
  private async measuredInOrder(
    window: DoraWindow,
    history: ReturnType<InsightsStore['historyOf']>,
    columns: readonly GroupColumn[],
  ): Promise<Record<'deploymentSeconds' | 'restoreSeconds', Array<{ key: GroupRow; seconds: number }>>> {
    const environment = ['workload', 'platform', 'environment'] as const;
    const deploymentsOfWindow = this.db
      .selectFrom('versions as v')
      .leftJoin(history.as('s'), 's.versions_id', 'v.versions_id')
      .where((eb) => inWindow(eb, window, this.database.sql))
      .select((eb) => [
        ...environment.map((column) => `v.${column}` as const),
        'v.date',
        'v.status',
        's.created_entry',
        's.success_entry',
        's.succeeded_at',
        's.failed_at',
        eb.fn
          .sum<number | string>(eb.case().when('v.status', 'in', SUCCESSFUL).then(1).else(0).end())
          .over((over) =>
            over
              .partitionBy(environment.map((column) => `v.${column}` as const))
              .orderBy('v.date', 'desc')
              .orderBy('v.versions_id', 'desc'),
          )
          .as('successes_after'),
      ]);
    const withRestorer = this.db.selectFrom(deploymentsOfWindow.as('d')).select((eb) => [
      ...columns.map((column) => `d.${column}` as const),
      'd.status',
      'd.date',
      'd.created_entry',
      'd.success_entry',
      'd.succeeded_at',
      'd.failed_at',
      eb.fn
        .min(
          eb.case().when('d.status', 'in', SUCCESSFUL).then(eb.fn.coalesce('d.succeeded_at', 'd.date')).end(),
        )
        .over((over) =>
          over.partitionBy([...environment.map((column) => `d.${column}` as const), 'd.successes_after']),
        )
        .as('restored_at'),
    ]);
    const rows = await this.db
      .selectFrom(withRestorer.as('m'))
      .where((eb) =>
        eb.or([eb('m.status', '=', FAILED_STATUS), eb('m.created_entry', '<', eb.ref('m.success_entry'))]),
      )
      .select(columns.map((column) => `m.${column}` as const))
      .select((eb) => [
        eb
          .case()
          .when('m.created_entry', '<', eb.ref('m.success_entry'))
          .then(this.database.sql.secondsBetween(eb.ref('m.date'), eb.ref('m.succeeded_at')))
          .end()
          .as('deployment'),
        eb
          .case()
          .when('m.status', '=', FAILED_STATUS)
          .then(
            this.database.sql.secondsBetween(
              eb.fn.coalesce('m.failed_at', 'm.date'),
              eb.ref('m.restored_at'),
            ),
          )
          .end()
          .as('restore'),
      ])
      .execute();
    return {
      deploymentSeconds: rows.flatMap((row) =>
        row.deployment === null ? [] : [{ key: row as GroupRow, seconds: Number(row.deployment) }],
      ),
      restoreSeconds: rows.flatMap((row) =>
        row.restore === null ? [] : [{ key: row as GroupRow, seconds: Number(row.restore) }],
      ),
    };
  }

  /**
   * Per deployment of the window, from its history: its creation entry (lowest id), its first successful
   * entry (id and date) and when it first failed. When the window's deployments are most of the ids from
   * its first to its last (the usual case: ids grow with time), the history is read as that range of its
   * index; without the bound PostgreSQL prefers hashing the whole history table to thousands of index
   * lookups. When they are a sparse part of it (one environment over a year), each one is looked up.
   */
  private historyOf(window: DoraWindow, ids: { first: number; last: number }, deployments: number) {
    const dense = deployments * DENSE_RANGE_FACTOR >= ids.last - ids.first + 1;
    const windowIds = this.db
      .selectFrom('versions as v')
      .select('v.versions_id')
      .where((eb) => inWindow(eb, window, this.database.sql));
    const successful = (eb: ExpressionBuilder<WithH, 'h'>) => eb('h.status', 'in', SUCCESSFUL);
    return this.db
      .selectFrom('versions_status_history as h')
      .$if(dense, (query) =>
        query.where('h.versions_id', '>=', ids.first).where('h.versions_id', '<=', ids.last),
      )
      .$if(!dense, (query) => query.where('h.versions_id', 'in', windowIds))
      .groupBy('h.versions_id')
      .select((eb) => [
        'h.versions_id',
        eb.fn.min('h.id').as('created_entry'),
        eb.fn.min(eb.case().when(successful(eb)).then(eb.ref('h.id')).end()).as('success_entry'),
        eb.fn.min(eb.case().when(successful(eb)).then(eb.ref('h.date')).end()).as('succeeded_at'),
        eb.fn
          .min(eb.case().when('h.status', '=', FAILED_STATUS).then(eb.ref('h.date')).end())
          .as('failed_at'),
      ]);
  }

  /**
   * The workload (and platform and environment, when asked) and date of every successful deployment of the
   * window, oldest first (for rollouts).
   */
  successfulDeploymentTimes(
    window: DoraWindow,
    withEnvironment = false,
  ): Promise<Array<DoraGroup & { date: Date }>> {
    return this.database.guard(async () => {
      const rows = await this.db
        .selectFrom('versions as v')
        .where((eb) => inWindow(eb, window, this.database.sql))
        .where('v.status', 'in', SUCCESSFUL)
        .select(['v.workload', 'v.date'])
        .$if(withEnvironment, (query) => query.select(['v.platform', 'v.environment']))
        // By date alone: deployments of one workload at the same date fall in one rollout in either order.
        .orderBy('v.date')
        .execute();
      return rows.map(({ date, ...group }) => ({ ...group, date: parseUtcDate(date) }));
    });
  }

  /** The lead times for changes of the window, in seconds: see leadTimeSeconds() in lead-time.store.ts. */
  leadTimeSeconds(window: DoraWindow): Promise<number[]> {
    return this.database.guard(async () =>
      (await leadTimes(this.db, window, (eb) => inWindow(eb, window, this.database.sql))).map(
        (lead) => lead.seconds,
      ),
    );
  }

  /** leadTimeSeconds() with the workload, platform and environment of each, for groupBy. */
  leadTimes(window: DoraWindow): Promise<Array<Required<DoraGroup> & { seconds: number }>> {
    return this.database.guard(() =>
      leadTimes(this.db, window, (eb) => inWindow(eb, window, this.database.sql)),
    );
  }
}

/** Deployments created from `from` to `to` (both included), narrowed to the scope's fields. */
function inWindow(eb: ExpressionBuilder<WithV, 'v'>, window: DoraWindow, fragments: SqlFragments) {
  const { workload, platform, environment } = window.scope;
  const pairs = window.environments;
  return eb.and([
    eb('v.date', '>=', fragments.toDbDate(window.from)),
    eb('v.date', '<=', fragments.toDbDate(window.to)),
    ...(workload === undefined ? [] : [eb('v.workload', '=', workload)]),
    ...(platform === undefined ? [] : [eb('v.platform', '=', platform)]),
    ...(environment === undefined ? [] : [eb('v.environment', '=', environment)]),
    // A tier's environments, as (platform = ? AND environment = ?) OR ...: a few dozen at most. SQLite would
    // answer each term from the original's index on `environment` alone (a tier's "production" holds a big
    // part of every table) and merge them, reading far more rows than the window holds; its dialect keeps
    // the terms from choosing an index (sql.unindexed), so the window's date range picks it instead.
    ...(pairs === undefined
      ? []
      : [
          pairs.length === 0
            ? sql<boolean>`1 = 0`
            : eb.or(
                pairs.map((pair) => {
                  const column = (name: 'v.platform' | 'v.environment') => fragments.unindexed(eb.ref(name));
                  return eb.and([
                    eb(column('v.platform'), '=', pair.platform),
                    eb(column('v.environment'), '=', pair.environment),
                  ]);
                }),
              ),
        ]),
  ]);
}

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * How doraRolledUp() reads a window: its whole UTC months and days (rollup periods: YYYY-MM and YYYY-MM-DD),
 * and the parts of days at its two ends (windows of their own), empty ones left out.
 */
export function rollupPlan(window: DoraWindow): {
  periods: string[];
  edges: Array<{ from: Date; to: Date }>;
  /** The day `to` is in (the last edge's). */
  lastDay: string;
} {
  const from = window.from.getTime();
  const to = window.to.getTime();
  const firstDay = Math.ceil(from / DAY_MS) * DAY_MS;
  const endDay = Math.floor(to / DAY_MS) * DAY_MS;
  const lastDay = new Date(endDay).toISOString().slice(0, 10);
  if (firstDay >= endDay) return { periods: [], edges: [], lastDay };
  const periods: string[] = [];
  for (let day = firstDay; day < endDay;) {
    const date = new Date(day);
    const nextMonth = Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 1);
    if (date.getUTCDate() === 1 && nextMonth <= endDay) {
      periods.push(date.toISOString().slice(0, 7));
      day = nextMonth;
    } else {
      periods.push(date.toISOString().slice(0, 10));
      day += DAY_MS;
    }
  }
  const edges = [
    ...(from < firstDay ? [{ from: window.from, to: new Date(firstDay - 1) }] : []),
    { from: new Date(endDay), to: window.to },
  ];
  return { periods, edges, lastDay };
}

function toHistoryEntry(row: { status: string; date: unknown }): HistoryEntry {
  return { status: row.status, date: parseUtcDate(row.date).toISOString() };
}
