import { sql, type Kysely, type SelectQueryBuilder, type Selectable } from 'kysely';
import type {
  DailyStatusCount,
  Deployment,
  EnvironmentKey,
  NewDeployment,
  PlatformKey,
} from '../deployments/deployment.js';
import { SUCCESSFUL_STATUSES } from '../deployments/deployment.js';
import { parseUtcDate, versionsTable, type StoreDialect, type VersionsIndex } from './dialects/index.js';
import { fillPayloads, LIST_COLUMNS } from './payload-budget.js';
import type { Database, VersionsTable } from './schema.js';
import { DeploymentDetailsStore } from './deployment-details.store.js';
import type { NewDetails, StatusNote } from '../deployments/deployment-details.js';
import { guardUnavailable } from './unavailable.js';
import { AuditStore } from './audit.store.js';
import type { AuditStamp } from '../audit/audit.js';
import { countCreated, recountStatus, utcDayOf } from './daily-counts.js';

/** What a create may carry besides the original's row. */
export interface CreateExtra {
  details?: NewDetails;
  /** The name of the token that wrote it. */
  setBy?: string;
  /** Append the create to the audit log, in its own transaction: the deployment as the log keeps it. */
  audit?: { stamp: AuditStamp; deployment: Omit<Deployment, 'versions_id'> };
}

const TRANSACTION_ATTEMPTS = 5;

/** The queries of deployments; the only code that reads or writes the versions tables. */
export class DeploymentsStore {
  private readonly db: Kysely<Database>;

  constructor(readonly dialect: StoreDialect) {
    this.db = dialect.db;
  }

  /**
   * Stores a new deployment with its first status entry and counts it in its environment and its day (see
   * daily-counts.ts); returns its id.
   * Where INSERTs may run inside WITH (PostgreSQL), the three writes are one statement: atomic all the same,
   * and one round trip instead of five (BEGIN, three statements, COMMIT).
   */
  create(deployment: NewDeployment, extra: CreateExtra = {}): Promise<number> {
    const date = this.dialect.toDbDate(deployment.date);
    if (extra.details || extra.setBy) return this.createWithDetails(deployment, date, extra);
    if (this.dialect.supportsWritesInWith) {
      // A statement sent alone is rolled back whole on a deadlock or serialization failure: safe to run again.
      return this.retrying(() => this.createInOneStatement(deployment, date, extra.audit));
    }
    const { workload, platform, environment, status } = deployment;
    const insert = this.db.insertInto('versions').values({ ...deployment, date });
    const statements = [
      (this.dialect.supportsReturning ? insert.returning('versions_id') : insert).compile(),
      this.db
        .insertInto('versions_status_history')
        .values({ versions_id: this.dialect.lastInsertId, status, date })
        .compile(),
      // Before the count's upsert, which may move the last insert id on: the history row just written
      // (the last insert) names the deployment.
      ...(extra.audit
        ? [
            AuditStore.insert(
              this.db,
              this.dialect,
              'created',
              extra.audit.stamp,
              this.db
                .selectFrom('versions_status_history')
                .select('versions_id')
                .where('id', '=', this.dialect.lastInsertId)
                .$asScalar(),
              extra.audit.deployment,
            ).compile(),
          ]
        : []),
      this.dialect.countDeployment(this.db, { workload, platform, environment }).compile(),
      countCreated(this.dialect, this.db, deployment).compile(),
    ];
    return this.retrying(async () => {
      const [created] = await this.dialect.executeAtomically(statements);
      const row = created?.rows[0] as { versions_id?: number } | undefined;
      return Number(row?.versions_id ?? created?.insertId);
    });
  }

  /** A create that also writes details, changes or who set its first status: one transaction. */
  private createWithDetails(deployment: NewDeployment, date: Date | string, extra: CreateExtra) {
    const { workload, platform, environment, status } = deployment;
    return this.transaction(async (trx) => {
      const insert = trx.insertInto('versions').values({ ...deployment, date });
      const id = this.dialect.supportsReturning
        ? (await insert.returning('versions_id').executeTakeFirstOrThrow()).versions_id
        : Number((await insert.executeTakeFirstOrThrow()).insertId);
      await trx
        .insertInto('versions_status_history')
        .values({ versions_id: id, status, date, set_by: extra.setBy ?? null })
        .execute();
      await this.dialect.countDeployment(trx, { workload, platform, environment }).execute();
      await countCreated(this.dialect, trx, deployment).execute();
      if (extra.details) await DeploymentDetailsStore.insert(trx, this.dialect, id, extra.details);
      if (extra.details?.environmentURL !== undefined) {
        await DeploymentDetailsStore.markEnvironmentUrl(
          trx,
          { workload, platform, environment },
          Number(id),
          date,
        );
      }
      if (extra.audit) {
        const { stamp, deployment: audited } = extra.audit;
        await AuditStore.insert(trx, this.dialect, 'created', stamp, Number(id), audited).execute();
      }
      return Number(id);
    });
  }

  private async createInOneStatement(
    deployment: NewDeployment,
    date: Date | string,
    audit: CreateExtra['audit'],
  ): Promise<number> {
    const { workload, platform, environment } = deployment;
    const written = this.db
      .with('created', (db) =>
        db
          .insertInto('versions')
          .values({ ...deployment, date })
          .returning(['versions_id', 'status', 'date']),
      )
      .with('history', (db) =>
        db
          .insertInto('versions_status_history')
          .columns(['versions_id', 'status', 'date'])
          .expression((eb) => eb.selectFrom('created').select(['versions_id', 'status', 'date']))
          .returning('id'),
      )
      .with('counted', () =>
        this.dialect.countDeployment(this.db, { workload, platform, environment }).returning('deployments'),
      )
      // The data-modifying parts of a WITH run in no order the query states, while every other write (the
      // create with details, the delete) counts the environment first and then the day. Two writes in one
      // environment taking the two count rows in opposite orders deadlock; selecting the day's row from
      // `counted` makes this statement take the environment's lock first too.
      .with('counted_day', (db) =>
        db
          .insertInto('versions_daily_counts')
          .columns(['day', 'workload', 'platform', 'environment', 'status', 'deployments'])
          .expression((eb) =>
            eb
              .selectFrom('counted')
              .select([
                sql.val(utcDayOf(deployment.date)).as('day'),
                sql.val(workload).as('workload'),
                sql.val(platform).as('platform'),
                sql.val(environment).as('environment'),
                sql.val(deployment.status).as('status'),
                sql.lit(1).as('deployments'),
              ]),
          )
          .onConflict((conflict) =>
            conflict
              .columns(['day', 'workload', 'platform', 'environment', 'status'])
              .doUpdateSet({ deployments: sql`versions_daily_counts.deployments + 1` }),
          )
          .returning('deployments'),
      );
    // The audit row in the same statement: a data-modifying WITH runs whether or not the query reads it.
    const query = audit
      ? written
          .with('audited', () =>
            AuditStore.insert(
              this.db,
              this.dialect,
              'created',
              audit.stamp,
              sql<number>`(SELECT versions_id FROM created)`,
              audit.deployment,
            ).returning('id'),
          )
          .selectFrom('created')
          .select('versions_id')
      : written.selectFrom('created').select('versions_id');
    const created = await query.executeTakeFirstOrThrow();
    return created.versions_id;
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
    return this.transaction(async (trx) => {
      // Locked: the status this change leaves is counted one less (daily-counts.ts), so it must be the one
      // the row holds when it is replaced, not one a concurrent change is replacing.
      const row = await trx
        .selectFrom('versions')
        .selectAll()
        .where('versions_id', '=', id)
        .$if(this.dialect.supportsForUpdate, (query) => query.forUpdate())
        .executeTakeFirst();
      if (!row) return undefined;
      // `status <>` in the UPDATE itself: of two identical updates at once, the second waits for the first's
      // row lock and then changes nothing, so that a change is recorded (and announced) once.
      const changed =
        row.status !== status &&
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
            date: this.dialect.toDbDate(at),
            set_by: note.setBy ?? null,
            description: note.description ?? null,
            log_url: note.logURL ?? null,
          })
          .execute();
        await recountStatus(this.dialect, trx, row, status);
      }
      await DeploymentDetailsStore.note(trx, id, note);
      // An announced change carries what the deployment knows of its change, as a create's event does.
      const fields = changed ? await DeploymentDetailsStore.eventFields(trx, id) : {};
      const deployment = { ...toDeployment(row), status, ...fields };
      if (changed && audit) {
        await AuditStore.insert(trx, this.dialect, 'status', audit, id, deployment).execute();
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
    return this.guard(async () => {
      const [rows, count] = await Promise.all([
        this.newestFirst(this.inEnvironment(key, 'idx_versions_environment_date').select(LIST_COLUMNS))
          .limit(limit)
          .offset((page - 1) * limit)
          .execute(),
        this.db
          .selectFrom('versions_environments')
          .select('deployments')
          .where('workload', '=', key.workload)
          .where('platform', '=', key.platform)
          .where('environment', '=', key.environment)
          .executeTakeFirst(),
      ]);
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
    return this.guard(async () => {
      const [rows, count] = await Promise.all([
        this.newestFirst(
          this.db
            .selectFrom(this.dialect.versionsThrough('idx_versions_platform_date'))
            .select(LIST_COLUMNS)
            .where('workload', '=', key.workload)
            .where('platform', '=', key.platform),
        )
          .limit(limit)
          .offset((page - 1) * limit)
          .execute(),
        this.db
          .selectFrom('versions_environments')
          .select((eb) => eb.fn.sum<number | string>('deployments').as('deployments'))
          .where('workload', '=', key.workload)
          .where('platform', '=', key.platform)
          .executeTakeFirst(),
      ]);
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
    return this.guard(async () => {
      const rows = await this.newestFirst(this.db.selectFrom('versions').select(LIST_COLUMNS))
        .limit(limit)
        .execute();
      return (await fillPayloads(this.db, rows, maxBytes, true)).rows.map(toDeployment);
    });
  }

  /** Every workload/platform/environment that has deployments, sorted. */
  environments(): Promise<EnvironmentKey[]> {
    return this.guard(() =>
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
    return this.guard(async () => {
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
    return this.guard(async () => {
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
    return this.guard(async () => {
      let query = this.inEnvironment(key, 'idx_versions_environment_date').select('version');
      if (successfulOnly) query = query.where('status', 'in', [...SUCCESSFUL_STATUSES]);
      const row = await this.newestFirst(query).limit(1).executeTakeFirst();
      return row?.version;
    });
  }

  /**
   * Deployments since `from` (a UTC midnight), counted per UTC day, environment and status: the daily counts
   * (daily-counts.ts) of those days, whatever the number of deployments in them.
   */
  dailyStatusCounts(from: Date): Promise<DailyStatusCount[]> {
    return this.guard(async () => {
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

  /** Answers when the database does; throws otherwise. */
  async ping(): Promise<void> {
    await sql`SELECT 1`.execute(this.db);
  }

  /** An environment's rows, read through `from` (an index for newest-first reads, or the planner's choice). */
  private inEnvironment(key: EnvironmentKey, from: VersionsIndex | ReturnType<typeof versionsTable>) {
    return this.db
      .selectFrom(typeof from === 'string' ? this.dialect.versionsThrough(from) : from)
      .where('workload', '=', key.workload)
      .where('platform', '=', key.platform)
      .where('environment', '=', key.environment);
  }

  /** "Newest" is by date, then by id, so deployments of the same instant keep a fixed order. */
  private newestFirst<O>(query: SelectQueryBuilder<Database, 'versions', O>) {
    return query.orderBy('date', 'desc').orderBy('versions_id', 'desc');
  }

  /** Runs `work` in a transaction, again when the database reports a deadlock or a busy file. */
  private transaction<T>(work: (trx: Kysely<Database>) => Promise<T>): Promise<T> {
    return this.retrying(() => this.db.transaction().execute(work));
  }

  /** Runs `work` (a transaction), again when the database reports a deadlock or a busy file. */
  private async retrying<T>(work: () => Promise<T>): Promise<T> {
    return this.guard(async () => {
      for (let attempt = 1; ; attempt++) {
        try {
          return await work();
        } catch (error) {
          if (attempt >= TRANSACTION_ATTEMPTS || !this.dialect.isRetryable(error)) throw error;
          await new Promise((resolve) => setTimeout(resolve, 10 * attempt * Math.random()));
        }
      }
    });
  }

  /** Database work, "unreachable" answered as 503 (store/unavailable.ts). */
  private guard<T>(work: () => Promise<T>): Promise<T> {
    return guardUnavailable(this.dialect, work);
  }
}

function toDeployment(row: Selectable<VersionsTable>): Deployment {
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
