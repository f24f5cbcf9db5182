import type { CompiledQuery, Kysely, QueryResult, SelectQueryBuilder, Selectable } from 'kysely';
import type {
  DailyStatusCount,
  Deployment,
  EnvironmentKey,
  NewDeployment,
  PlatformKey,
} from '../deployments/deployment.js';
import { SUCCESSFUL_STATUSES } from '../deployments/deployment.js';
import type { StoreDatabase } from './database.js';
import { parseUtcDate, versionsTable, type VersionsIndex } from './dialects/index.js';
import { fillPayloads, LIST_COLUMNS } from './payload-budget.js';
import type { Database, VersionsTable } from './schema.js';
import { DeploymentDetailsStore } from './deployment-details.store.js';
import type { AuditRowOf, NewDeploymentRow } from './dialects/strategies.js';
import type { NewDetails, StatusNote } from '../deployments/deployment-details.js';
import { AuditStore } from './audit.store.js';
import type { AuditStamp } from '../audit/audit.js';
import { countCreated, recountStatus, utcDayOf } from './daily-counts.js';
import { applyRollupChange, factsOf, lockEnvironment, rangeAround, rollingUp } from './dora-rollup.js';

/** What a create may carry besides the original's row. */
export interface CreateExtra {
  details?: NewDetails;
  /** The name of the token that wrote it. */
  setBy?: string;
  /** Append the create to the audit log, in its own transaction: the deployment as the log keeps it. */
  audit?: { stamp: AuditStamp; deployment: Omit<Deployment, 'versions_id'> };
}

/** The queries of deployments; the only code that reads or writes the versions tables. */
export class DeploymentsStore {
  private readonly db: Kysely<Database>;

  constructor(readonly database: StoreDatabase) {
    this.db = database.db;
  }

  /**
   * Stores a new deployment with its first status entry and counts it in its environment and its day (see
   * daily-counts.ts); returns its id.
   */
  create(deployment: NewDeployment, extra: CreateExtra = {}): Promise<number> {
    const row = { ...deployment, date: this.database.sql.toDbDate(deployment.date) };
    if (extra.details || extra.setBy) return this.createWithDetails(row, extra);
    const statements = this.createStatements(row, extra.audit);
    // The dialect's statements (which count the environment first, locking its row), then the DORA rollup
    // (dora-rollup.ts), which reads the environment around the new deployment: one transaction.
    return this.database.transaction(async (trx) => {
      const executor = {
        db: trx,
        executeAtomically: async (compiled: readonly CompiledQuery[]) => {
          const results: Array<QueryResult<unknown>> = [];
          for (const statement of compiled) results.push(await trx.executeQuery(statement));
          return results;
        },
      };
      const id = await this.database.dialect.create.run(executor, statements);
      await this.rollUpCreate(trx, row, id);
      return id;
    });
  }

  /** Adds a new deployment (counted in its environment already, so that its row is locked) to the DORA rollup. */
  private rollUpCreate(trx: Kysely<Database>, row: NewDeploymentRow, id: number) {
    const { workload, platform, environment, date } = row;
    return rollingUp(trx, this.database.sql, { workload, platform, environment }, undefined, async () => ({
      result: undefined,
      at: { date, id },
    }));
  }

  /** The statements of a create without details, compiled (the dialect's create strategy sends them). */
  createStatements(row: NewDeploymentRow, audit?: CreateExtra['audit']) {
    const auditRow: AuditRowOf | undefined =
      audit &&
      ((versionsId) =>
        AuditStore.insert(this.db, this.database.sql, 'created', audit.stamp, versionsId, audit.deployment));
    return this.database.dialect.create.statements(this.db, this.database.sql, row, auditRow);
  }

  /** A create that also writes details, changes or who set its first status: one transaction. */
  private createWithDetails(row: NewDeploymentRow, extra: CreateExtra) {
    const { workload, platform, environment, status, date } = row;
    return this.database.transaction(async (trx) => {
      const id = await this.database.dialect.create.insertRow(trx, row);
      await trx
        .insertInto('versions_status_history')
        .values({ versions_id: id, status, date, set_by: extra.setBy ?? null })
        .execute();
      await this.database.sql.countDeployment(trx, { workload, platform, environment }).execute();
      await countCreated(this.database.sql, trx, row).execute();
      await this.rollUpCreate(trx, row, id);
      if (extra.details) await DeploymentDetailsStore.insert(trx, this.database.sql, id, extra.details);
      if (extra.details?.environmentURL !== undefined) {
        await DeploymentDetailsStore.markEnvironmentUrl(trx, { workload, platform, environment }, id, date);
      }
      if (extra.audit) {
        const { stamp, deployment: audited } = extra.audit;
        await AuditStore.insert(trx, this.database.sql, 'created', stamp, id, audited).execute();
      }
      return id;
    });
  }

  /**
   * Sets a deployment's status and records the change in its history (only when the status differs).
   * Returns the deployment as it now is and whether its status changed, or undefined when there is no such id.
   * With `audit`, a change is appended to the audit log in the same transaction.
   */
  updateStatus(
    id: number,
    status: string,
    at: Date,
    note: StatusNote = {},
    audit?: AuditStamp,
  ): Promise<{ deployment: Deployment; changed: boolean } | undefined> {
    return this.database.transaction(async (trx) => {
      // Locked: the status this change leaves is counted one less (daily-counts.ts), so it must be the one
      // the row holds when it is replaced, not one a concurrent change is replacing.
      const row = await this.database.sql
        .forUpdate(trx.selectFrom('versions').selectAll().where('versions_id', '=', id))
        .executeTakeFirst();
      if (!row) return undefined;
      const changing = row.status !== status;
      // Before the change, the environment's stretch around the deployment as the DORA rollup counted it
      // (dora-rollup.ts), read once its environment's row is locked.
      const position = { date: row.date, id };
      if (changing) await lockEnvironment(trx, this.database.sql, row);
      const before = changing ? factsOf(await rangeAround(trx, this.database.sql, row, position)) : undefined;
      // `status <>` in the UPDATE itself: of two identical updates at once, the second waits for the first's
      // row lock and then changes nothing, so that a change is recorded (and announced) once.
      const changed =
        changing &&
        (
          await trx
            .updateTable('versions')
            .set({ status })
            .where('versions_id', '=', id)
            .where('status', '<>', status)
            .executeTakeFirst()
        ).numUpdatedRows > 0n;
      if (changed) {
        await trx
          .insertInto('versions_status_history')
          .values({
            versions_id: id,
            status,
            date: this.database.sql.toDbDate(at),
            set_by: note.setBy ?? null,
            description: note.description ?? null,
            log_url: note.logURL ?? null,
          })
          .execute();
        await recountStatus(this.database.sql, trx, row, status);
        const after = factsOf(await rangeAround(trx, this.database.sql, row, position));
        await applyRollupChange(trx, this.database.sql, before ?? new Map(), after);
      }
      await DeploymentDetailsStore.note(trx, id, note);
      // An announced change carries what the deployment knows of its change, as a create's event does.
      const fields = changed ? await DeploymentDetailsStore.eventFields(trx, id) : {};
      const deployment = { ...toDeployment(row), status, ...fields };
      if (changed && audit) {
        await AuditStore.insert(trx, this.database.sql, 'status', audit, id, deployment).execute();
      }
      return { deployment, changed };
    });
  }

  /**
   * Page `page` (from 1) of an environment's deployments, newest first, and how many it has in all. The
   * page is not read (`complete` false, no rows) when its payloads add up to more than `maxBytes`; `fitting`
   * says how many of its leading rows would fit.
   */
  environmentPage(key: EnvironmentKey, page: number, limit: number, maxBytes = Infinity) {
    const queries = this.environmentPageQueries(key, page, limit);
    return this.database.guard(async () => {
      const [rows, count] = await Promise.all([queries.rows.execute(), queries.count.executeTakeFirst()]);
      const fitted = await fillPayloads(this.db, rows, maxBytes, false);
      const total = Number(count?.deployments ?? 0);
      return {
        rows: fitted.rows.map(toDeployment),
        total,
        complete: fitted.complete,
        fitting: fitted.fitting,
      };
    });
  }

  /** Page `page` of a platform's deployments (every environment), newest first, and its total; as above. */
  platformPage(key: PlatformKey, page: number, limit: number, maxBytes = Infinity) {
    const queries = this.platformPageQueries(key, page, limit);
    return this.database.guard(async () => {
      const [rows, count] = await Promise.all([queries.rows.execute(), queries.count.executeTakeFirst()]);
      const fitted = await fillPayloads(this.db, rows, maxBytes, false);
      const total = Number(count?.deployments ?? 0);
      return {
        rows: fitted.rows.map(toDeployment),
        total,
        complete: fitted.complete,
        fitting: fitted.fitting,
      };
    });
  }

  /** The newest deployments over everything, stopping before the row whose payload passes `maxBytes`. */
  newest(limit: number, maxBytes = Infinity): Promise<Deployment[]> {
    return this.database.guard(async () => {
      const rows = await this.newestQuery(limit).execute();
      return (await fillPayloads(this.db, rows, maxBytes, true)).rows.map(toDeployment);
    });
  }

  /** Every workload/platform/environment that has deployments, sorted. */
  environments(): Promise<EnvironmentKey[]> {
    return this.database.guard(() =>
      this.db
        .selectFrom('versions_environments')
        .select(['workload', 'platform', 'environment'])
        .orderBy('workload')
        .orderBy('platform')
        .orderBy('environment')
        .execute(),
    );
  }

  /** The newest deployment of that version in that environment. */
  newestOfVersion(key: EnvironmentKey, version: string): Promise<Deployment | undefined> {
    return this.database.guard(async () => {
      // No index named: the planners read the few rows of that version (idx_version) rather than the
      // environment's whole history back to it.
      const row = await this.newestFirst(
        this.inEnvironment(key, versionsTable()).selectAll().where('version', '=', version),
      )
        .limit(1)
        .executeTakeFirst();
      return row && toDeployment(row);
    });
  }

  byId(id: number): Promise<Deployment | undefined> {
    return this.database.guard(async () => {
      const row = await this.db
        .selectFrom('versions')
        .selectAll()
        .where('versions_id', '=', id)
        .executeTakeFirst();
      return row && toDeployment(row);
    });
  }

  /**
   * The version of an environment's newest deployment; with `successfulOnly`, of the newest deployed or
   * completed one. Only that column is read: the payload (`raw`) may be a large manifest.
   */
  latestVersion(key: EnvironmentKey, successfulOnly: boolean): Promise<string | undefined> {
    return this.database.guard(async () => {
      const row = await this.latestVersionQuery(key, successfulOnly).executeTakeFirst();
      return row?.version;
    });
  }

  // The builders below are the main reads' queries, built and not run: the methods above send them, and
  // test/unit/store-sql.test.ts compiles them on each dialect to pin the SQL each database receives.

  /** latestVersion()'s query: the newest (successful) deployment's version, through the environment's index. */
  latestVersionQuery(key: EnvironmentKey, successfulOnly: boolean) {
    let query = this.inEnvironment(key, 'idx_versions_environment_date').select('version');
    if (successfulOnly) query = query.where('status', 'in', [...SUCCESSFUL_STATUSES]);
    return this.newestFirst(query).limit(1);
  }

  /** environmentPage()'s queries: the page's rows (payloads left out) and the environment's count. */
  environmentPageQueries(key: EnvironmentKey, page: number, limit: number) {
    return {
      rows: this.newestFirst(this.inEnvironment(key, 'idx_versions_environment_date').select(LIST_COLUMNS))
        .limit(limit)
        .offset((page - 1) * limit),
      count: this.db
        .selectFrom('versions_environments')
        .select('deployments')
        .where('workload', '=', key.workload)
        .where('platform', '=', key.platform)
        .where('environment', '=', key.environment),
    };
  }

  /** platformPage()'s queries: the page's rows (payloads left out) and the platform's count. */
  platformPageQueries(key: PlatformKey, page: number, limit: number) {
    return {
      rows: this.newestFirst(
        this.db
          .selectFrom(this.database.sql.versionsThrough('idx_versions_platform_date'))
          .select(LIST_COLUMNS)
          .where('workload', '=', key.workload)
          .where('platform', '=', key.platform),
      )
        .limit(limit)
        .offset((page - 1) * limit),
      count: this.db
        .selectFrom('versions_environments')
        .select((eb) => eb.fn.sum<number | string>('deployments').as('deployments'))
        .where('workload', '=', key.workload)
        .where('platform', '=', key.platform),
    };
  }

  /** newest()'s query: the home page's newest deployments over everything (payloads left out). */
  newestQuery(limit: number) {
    return this.newestFirst(this.db.selectFrom('versions').select(LIST_COLUMNS)).limit(limit);
  }

  /**
   * Deployments since `from` (a UTC midnight), counted per UTC day, environment and status: the daily counts
   * (daily-counts.ts) of those days, whatever the number of deployments in them.
   */
  dailyStatusCounts(from: Date): Promise<DailyStatusCount[]> {
    return this.database.guard(async () => {
      const rows = await this.db
        .selectFrom('versions_daily_counts')
        .select(['deployments', 'workload', 'platform', 'environment', 'status', 'day'])
        .where('day', '>=', utcDayOf(from))
        .where('deployments', '>', 0)
        .orderBy('day')
        .orderBy('workload')
        .orderBy('platform')
        .orderBy('environment')
        .orderBy('status')
        .execute();
      return rows.map(({ day: date, deployments, ...rest }) => ({
        total: Number(deployments),
        ...rest,
        date,
      }));
    });
  }

  /** An environment's rows, read through `from` (an index for newest-first reads, or the planner's choice). */
  private inEnvironment(key: EnvironmentKey, from: VersionsIndex | ReturnType<typeof versionsTable>) {
    return this.db
      .selectFrom(typeof from === 'string' ? this.database.sql.versionsThrough(from) : from)
      .where('workload', '=', key.workload)
      .where('platform', '=', key.platform)
      .where('environment', '=', key.environment);
  }

  /** "Newest" is by date, then by id, so deployments of the same instant keep a fixed order. */
  private newestFirst<O>(query: SelectQueryBuilder<Database, 'versions', O>) {
    return query.orderBy('date', 'desc').orderBy('versions_id', 'desc');
  }
}

/** A `versions` row as the API answers it: dates in ISO 8601 UTC, the id a number. */
export function toDeployment(row: Selectable<VersionsTable>): Deployment {
  return {
    versions_id: Number(row.versions_id),
    workload: row.workload,
    platform: row.platform,
    environment: row.environment,
    version: row.version,
    changelog_url: row.changelog_url,
    raw: row.raw,
    status: row.status,
    date: parseUtcDate(row.date).toISOString(),
  };
}
