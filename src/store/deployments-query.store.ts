import { sql, type Expression, type ExpressionBuilder, type Kysely, type SqlBool } from 'kysely';
import type { StoreDatabase } from './database.js';
import { parseUtcDate, versionsTable } from './dialects/index.js';
import type { Database } from './schema.js';
import { DeploymentDetailsStore } from './deployment-details.store.js';
import { toDeployment } from './deployments.store.js';
import type { Deployment } from '../deployments/deployment.js';
import type { Details, WholeDeploymentWithoutRaw } from '../deployments/deployment-details.js';
import type { CursorPosition, DeploymentFilter } from '../deployments/deployments-query.js';
import { AuditStore } from './audit.store.js';
import type { AuditStamp } from '../audit/audit.js';
import { uncount, utcDayOf } from './daily-counts.js';
import { applyRollupChange, factsOf, lockEnvironment, rangeAround } from './dora-rollup.js';

/** A deployment as pages show it: whole (details, changes, history), its payload only when asked for. */
export type ListedDeployment = WholeDeploymentWithoutRaw & { raw?: string };

/** A deployment as exports write it: the row and its details, flat (one CSV line). */
export type ExportedDeployment = Omit<Deployment, 'raw'> & Details & { raw?: string };

/** The escape character of LIKE patterns: rarer than a backslash, and the same in every database's syntax. */
const LIKE_ESCAPE = '!';

/**
 * The queries of GET /deployments and of corrections (DELETE). Every page is a keyset read: rows strictly
 * older than the cursor (by date, then id), newest first, through an index whose order is that order, so
 * that page 10,000 reads what page 1 reads and no OFFSET is ever counted through.
 */
export class DeploymentsQueryStore {
  private readonly db: Kysely<Database>;
  private readonly details: DeploymentDetailsStore;

  constructor(private readonly database: StoreDatabase) {
    this.db = database.db;
    this.details = new DeploymentDetailsStore(database);
  }

  /**
   * Up to `limit` deployments matching `filter`, newest first, strictly older than `after` when given: whole
   * (details, changes, history), the payload only when asked for. The keyset query reads ids only; the
   * whole deployments of those ids are then loaded by id.
   */
  page(
    filter: DeploymentFilter,
    after: CursorPosition | undefined,
    limit: number,
    includeRaw: boolean,
  ): Promise<ListedDeployment[]> {
    return this.database.guard(async () => {
      const rows = await this.matching(filter, after).select('versions.versions_id').limit(limit).execute();
      const ids = rows.map((row) => Number(row.versions_id));
      return includeRaw
        ? this.details.wholeDeployments(ids, { raw: true })
        : this.details.wholeDeployments(ids, { raw: false });
    });
  }

  /**
   * Every deployment matching `filter`, newest first, flat (the row and its details, no changes or history),
   * in batches of `batchSize` read one after the other by the same keyset query as pages, each one query.
   * Memory holds one batch whatever the number of rows, and no connection is held between batches: on
   * SQLite a driver-level stream would hold the only connection (every other request waiting) for the whole
   * export, and on PostgreSQL it would run into the statement timeout.
   */
  async *batches(
    filter: DeploymentFilter,
    after: CursorPosition | undefined,
    includeRaw: boolean,
    batchSize: number,
  ): AsyncGenerator<ExportedDeployment[]> {
    let position = after;
    for (;;) {
      const batch = await this.database.guard(() => this.flat(filter, position, includeRaw, batchSize));
      if (batch.length > 0) yield batch;
      const last = batch.at(-1);
      if (batch.length < batchSize || !last) return;
      position = { date: new Date(last.date), id: last.versions_id };
    }
  }

  /** The SQL of a page's keyset query, for EXPLAIN checks in tests. */
  compile(filter: DeploymentFilter, after: CursorPosition | undefined, limit: number) {
    return this.matching(filter, after).select('versions.versions_id').limit(limit).compile();
  }

  private async flat(
    filter: DeploymentFilter,
    after: CursorPosition | undefined,
    includeRaw: boolean,
    limit: number,
  ): Promise<ExportedDeployment[]> {
    const rows = await this.matching(filter, after)
      .leftJoin('versions_details as d', 'd.versions_id', 'versions.versions_id')
      .select([
        'versions.versions_id',
        'versions.workload',
        'versions.platform',
        'versions.environment',
        'versions.version',
        'versions.changelog_url',
        'versions.status',
        'versions.date',
        'd.commit_sha',
        'd.ref',
        'd.repository',
        'd.deployer',
        'd.log_url',
        'd.environment_url',
        'd.description',
      ])
      .$if(includeRaw, (query) => query.select('versions.raw'))
      .limit(limit)
      .execute();
    return rows.map((row) => {
      const exported: ExportedDeployment = {
        versions_id: Number(row.versions_id),
        workload: row.workload,
        platform: row.platform,
        environment: row.environment,
        version: row.version,
        changelog_url: row.changelog_url,
        status: row.status,
        date: parseUtcDate(row.date).toISOString(),
        commit: row.commit_sha ?? null,
        ref: row.ref ?? null,
        repository: row.repository ?? null,
        deployer: row.deployer ?? null,
        logURL: row.log_url ?? null,
        environmentURL: row.environment_url ?? null,
        description: row.description ?? null,
      };
      if (includeRaw) exported.raw = String((row as { raw?: unknown }).raw ?? '');
      return exported;
    });
  }

  /**
   * Removes a deployment, its status history, and one from its environment's count (the environment's row
   * goes when none is left, so the menu and the matrix forget it) and from its day's (daily-counts.ts).
   * Returns the deployment as it was, or undefined when there is no such id. With `audit`, the delete is
   * appended to the audit log in the same transaction.
   */
  remove(id: number, audit?: AuditStamp): Promise<Deployment | undefined> {
    return this.database.retrying(() =>
      this.db.transaction().execute(async (trx) => {
        // Locked: its status is counted one less in its day (daily-counts.ts), and must not change meanwhile.
        const row = await this.database.sql
          .forUpdate(trx.selectFrom('versions').selectAll().where('versions_id', '=', id))
          .executeTakeFirst();
        if (!row) return undefined;
        const deployment = toDeployment(row);
        // The environment's stretch around it as the DORA rollup counted it (dora-rollup.ts), before.
        const at = { date: row.date, id };
        await lockEnvironment(trx, this.database.sql, row);
        const before = factsOf(await rangeAround(trx, this.database.sql, row, at));
        // The audit row first, in the same transaction: the log keeps the deployment as it was.
        if (audit)
          await AuditStore.insert(trx, this.database.sql, 'deleted', audit, id, deployment).execute();
        // MySQL has no foreign keys here, and SQLite enforces them only when asked: every table is cleared.
        await trx.deleteFrom('versions_status_history').where('versions_id', '=', id).execute();
        await trx.deleteFrom('versions_changes').where('versions_id', '=', id).execute();
        await trx.deleteFrom('versions_details').where('versions_id', '=', id).execute();
        await trx.deleteFrom('versions').where('versions_id', '=', id).execute();
        const environment = (eb: ExpressionBuilder<Database, 'versions_environments'>) =>
          eb.and([
            eb('workload', '=', row.workload),
            eb('platform', '=', row.platform),
            eb('environment', '=', row.environment),
          ]);
        await trx
          .updateTable('versions_environments')
          .set({ deployments: sql`deployments - 1` })
          .where(environment)
          .execute();
        await DeploymentDetailsStore.unmarkEnvironmentUrl(trx, row, id);
        await trx
          .deleteFrom('versions_environments')
          .where(environment)
          .where('deployments', '<=', 0)
          .execute();
        const day = utcDayOf(row.date);
        await uncount(trx, { ...row, day }).execute();
        const after = factsOf(await rangeAround(trx, this.database.sql, row, at));
        await applyRollupChange(trx, this.database.sql, before, after);
        return deployment;
      }),
    );
  }

  /** Deployments matching `filter` older than `after`, newest first: the keyset query, columns to be chosen. */
  private matching(filter: DeploymentFilter, after: CursorPosition | undefined) {
    return this.db
      .selectFrom(this.source(filter))
      .where((eb) => eb.and(this.conditions(eb, filter, after)))
      .orderBy('versions.date', 'desc')
      .orderBy('versions.versions_id', 'desc');
  }

  /**
   * Where the rows are read from. A filter on a whole environment (or platform) reads its composite index
   * newest first; MySQL and MariaDB must be told so (see dialects/mysql.ts). Other filters leave the choice
   * to the planner: the version index for a version, the status index for statuses, the date index else.
   */
  private source(filter: DeploymentFilter) {
    const searching =
      filter.version !== undefined ||
      filter.q !== undefined ||
      filter.commit !== undefined ||
      filter.deployer !== undefined;
    if (!searching && filter.workload && filter.platform && filter.environment) {
      return this.database.sql.versionsThrough('idx_versions_environment_date');
    }
    if (!searching && filter.workload && filter.platform && !filter.environment) {
      return this.database.sql.versionsThrough('idx_versions_platform_date');
    }
    return versionsTable();
  }

  private conditions(
    eb: ExpressionBuilder<Database, 'versions'>,
    filter: DeploymentFilter,
    after: CursorPosition | undefined,
  ) {
    const toDb = (date: Date) => this.database.sql.toDbDate(date);
    const conditions = [];
    if (filter.workload !== undefined) conditions.push(eb('versions.workload', '=', filter.workload));
    if (filter.platform !== undefined) conditions.push(eb('versions.platform', '=', filter.platform));
    if (filter.environment !== undefined)
      conditions.push(eb('versions.environment', '=', filter.environment));
    if (filter.statuses !== undefined) {
      const [only] = filter.statuses;
      conditions.push(
        filter.statuses.length === 1 && only !== undefined
          ? eb('versions.status', '=', only)
          : eb('versions.status', 'in', filter.statuses),
      );
    }
    if (filter.version !== undefined) {
      conditions.push(
        'exact' in filter.version
          ? eb('versions.version', '=', filter.version.exact)
          : sql<boolean>`${eb.ref('versions.version')} LIKE ${likePattern(filter.version.prefix, 'prefix')} ESCAPE '!'`,
      );
    }
    // Details live beside `versions`: a filter on them is a semi-join, so a query without one reads one table.
    const withDetails = (
      where: (details: ExpressionBuilder<Database, 'versions_details'>) => Expression<SqlBool>,
    ) =>
      eb(
        'versions.versions_id',
        'in',
        eb.selectFrom('versions_details').select('versions_details.versions_id').where(where),
      );
    if (filter.commit !== undefined) {
      const pattern = likePattern(filter.commit, 'prefix');
      conditions.push(
        withDetails((details) => sql<boolean>`${details.ref('commit_sha')} LIKE ${pattern} ESCAPE '!'`),
      );
    }
    if (filter.deployer !== undefined) {
      const deployer = filter.deployer;
      conditions.push(withDetails((details) => details('deployer', '=', deployer)));
    }
    if (filter.q !== undefined) {
      const pattern = likePattern(filter.q.toLowerCase(), 'substring');
      const contains = (column: Expression<unknown>) =>
        sql<boolean>`lower(${column}) LIKE ${pattern} ESCAPE '!'`;
      conditions.push(
        eb.or([
          contains(eb.ref('versions.version')),
          withDetails((details) =>
            details.or([contains(details.ref('description')), contains(details.ref('commit_sha'))]),
          ),
        ]),
      );
    }
    if (filter.from !== undefined) conditions.push(eb('versions.date', '>=', toDb(filter.from)));
    if (filter.to !== undefined) conditions.push(eb('versions.date', '<=', toDb(filter.to)));
    if (after !== undefined) {
      const date = toDb(after.date);
      // `date <= d` alone bounds the index range; the OR then drops the rows of that instant already sent.
      conditions.push(eb('versions.date', '<=', date));
      conditions.push(
        eb.or([
          eb('versions.date', '<', date),
          eb.and([eb('versions.date', '=', date), eb('versions.versions_id', '<', after.id)]),
        ]),
      );
    }
    return conditions;
  }
}

/** A LIKE pattern matching `text` literally (its wildcards escaped) at the start or anywhere. */
export function likePattern(text: string, where: 'prefix' | 'substring'): string {
  const escaped = text.replace(/[!%_]/g, (character) => `${LIKE_ESCAPE}${character}`);
  return where === 'prefix' ? `${escaped}%` : `%${escaped}%`;
}
