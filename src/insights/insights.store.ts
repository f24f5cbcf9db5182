import type { ExpressionBuilder } from 'kysely';
import { SUCCESSFUL_STATUSES } from '../deployments/deployment.js';
import { DatabaseUnavailableError } from '../errors.js';
import { parseUtcDate, type StoreDialect } from '../store/dialects/index.js';
import type { Database, VersionsTable } from '../store/schema.js';
import {
  FAILED_STATUS,
  type DoraCounts,
  type DoraWindow,
  type HistoryEntry,
  type MatrixEntry,
} from './insights.js';

const SUCCESSFUL = [...SUCCESSFUL_STATUSES];

/** The deployments of a DORA window go by the alias `v` in every query below. */
type WithV = Database & { v: VersionsTable };

/**
 * The read-only queries behind history, matrix and DORA figures. Every query is bounded: the matrix walks
 * the environments table with LIMIT 1 lookups on idx_versions_environment_date, and DORA reads only the
 * deployments created in its window (idx_versions_date) plus their own history (idx_status_history_deployment).
 */
export class InsightsStore {
  constructor(private readonly dialect: StoreDialect) {}

  private get db() {
    return this.dialect.db;
  }

  /** Every status of a deployment, oldest first with its creation first; undefined when there is no such id. */
  history(id: number): Promise<HistoryEntry[] | undefined> {
    return this.guard(async () => {
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
    return this.guard(async () => {
      const newest = (eb: ExpressionBuilder<Database & { e: Database['versions_environments'] }, 'e'>) =>
        eb
          .selectFrom('versions as n')
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
      const rows = await this.db
        .selectFrom(environments.as('m'))
        .innerJoin('versions as l', 'l.versions_id', 'm.latest_id')
        .leftJoin('versions as c', 'c.versions_id', 'm.current_id')
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
        ])
        .orderBy('m.workload')
        .orderBy('m.platform')
        .orderBy('m.environment')
        .execute();
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

  /** How many deployments the window holds, and how many of them are successful and failed now. */
  doraCounts(window: DoraWindow): Promise<DoraCounts> {
    return this.guard(async () => {
      const row = await this.db
        .selectFrom('versions as v')
        .where((eb) => inWindow(eb, window, this.dialect))
        .select((eb) => [
          eb.fn.countAll<number | string>().as('deployments'),
          eb.fn
            .sum<number | string | null>(eb.case().when('v.status', 'in', SUCCESSFUL).then(1).else(0).end())
            .as('successful'),
          eb.fn
            .sum<number | string | null>(eb.case().when('v.status', '=', FAILED_STATUS).then(1).else(0).end())
            .as('failed'),
        ])
        .executeTakeFirstOrThrow();
      return {
        deployments: Number(row.deployments),
        successful: Number(row.successful ?? 0),
        failed: Number(row.failed ?? 0),
      };
    });
  }

  /**
   * For each deployment of the window whose creation entry is not successful and that later reached a
   * successful status: the seconds from its creation (its `date`) to its first successful history entry.
   */
  deploymentSeconds(window: DoraWindow): Promise<number[]> {
    return this.guard(async () => {
      const rows = await this.db
        .selectFrom('versions as v')
        .innerJoin('versions_status_history as h', 'h.versions_id', 'v.versions_id')
        .where((eb) => inWindow(eb, window, this.dialect))
        .groupBy(['v.versions_id', 'v.date'])
        // The creation entry has the deployment's lowest history id: it must come before the first success.
        .having((eb) =>
          eb(
            eb.fn.min('h.id'),
            '<',
            eb.fn.min(eb.case().when('h.status', 'in', SUCCESSFUL).then(eb.ref('h.id')).end()),
          ),
        )
        .select((eb) =>
          this.dialect
            .secondsBetween(
              eb.ref('v.date'),
              eb.fn.min(eb.case().when('h.status', 'in', SUCCESSFUL).then(eb.ref('h.date')).end()),
            )
            .as('seconds'),
        )
        .execute();
      return rows.map((row) => Number(row.seconds));
    });
  }

  /**
   * For each failed deployment of the window that was restored: the seconds from its failure (its first
   * history entry with status failed, else its date) to the first successful history entry of the next
   * successful deployment of its environment (ordered by date, then id; created no later than `to`).
   * Failures never restored are left out.
   */
  restoreSeconds(window: DoraWindow): Promise<number[]> {
    return this.guard(async () => {
      const to = this.dialect.toDbDate(window.to);
      const failures = this.db
        .selectFrom('versions as v')
        .where((eb) => inWindow(eb, window, this.dialect))
        .where('v.status', '=', FAILED_STATUS)
        .select((eb) => [
          'v.versions_id',
          eb.fn
            .coalesce(
              eb
                .selectFrom('versions_status_history as hf')
                .select((sub) => sub.fn.min('hf.date').as('failed_at'))
                .whereRef('hf.versions_id', '=', 'v.versions_id')
                .where('hf.status', '=', FAILED_STATUS),
              eb.ref('v.date'),
            )
            .as('failed_at'),
          eb
            .selectFrom('versions as r')
            .select('r.versions_id')
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
            .limit(1)
            .as('restored_by'),
        ]);
      const rows = await this.db
        .selectFrom(failures.as('f'))
        .innerJoin('versions as r', 'r.versions_id', 'f.restored_by')
        .leftJoin('versions_status_history as hr', (join) =>
          join.onRef('hr.versions_id', '=', 'r.versions_id').on('hr.status', 'in', SUCCESSFUL),
        )
        .groupBy(['f.versions_id', 'f.failed_at', 'r.date'])
        .select((eb) =>
          this.dialect
            .secondsBetween(eb.ref('f.failed_at'), eb.fn.coalesce(eb.fn.min('hr.date'), eb.ref('r.date')))
            .as('seconds'),
        )
        .execute();
      return rows.map((row) => Number(row.seconds));
    });
  }

  /** Turns "database unreachable" errors into DatabaseUnavailableError (a 503) and lets others through. */
  private async guard<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (this.dialect.isUnavailable(error)) {
        throw new DatabaseUnavailableError(error instanceof Error ? error.message : String(error));
      }
      throw error;
    }
  }
}

/** Deployments created from `from` to `to` (both included), narrowed to the scope's fields. */
function inWindow(eb: ExpressionBuilder<WithV, 'v'>, window: DoraWindow, dialect: StoreDialect) {
  const { workload, platform, environment } = window.scope;
  return eb.and([
    eb('v.date', '>=', dialect.toDbDate(window.from)),
    eb('v.date', '<=', dialect.toDbDate(window.to)),
    ...(workload === undefined ? [] : [eb('v.workload', '=', workload)]),
    ...(platform === undefined ? [] : [eb('v.platform', '=', platform)]),
    ...(environment === undefined ? [] : [eb('v.environment', '=', environment)]),
  ]);
}

function toHistoryEntry(row: { status: string; date: unknown }): HistoryEntry {
  return { status: row.status, date: parseUtcDate(row.date).toISOString() };
}
