import { sql, type ExpressionBuilder, type Kysely, type Selectable } from 'kysely';
import { DatabaseUnavailableError } from '../errors.js';
import { parseUtcDate, versionsTable, type StoreDialect } from '../store/dialects/index.js';
import type { Database, VersionsTable } from '../store/schema.js';
import type { Deployment } from './deployment.js';
import type { CursorPosition, DeploymentFilter } from './deployments-query.js';

const TRANSACTION_ATTEMPTS = 5;

/** A deployment as lists show it: the row, its payload (`raw`) only when asked for. */
export type ListedDeployment = Omit<Deployment, 'raw'> & { raw?: string };

/** The escape character of LIKE patterns: rarer than a backslash, and the same in every database's syntax. */
const LIKE_ESCAPE = '!';

/**
 * The queries of GET /deployments and of corrections (DELETE). Every page is a keyset read: rows strictly
 * older than the cursor (by date, then id), newest first, through an index whose order is that order, so
 * that page 10,000 reads what page 1 reads and no OFFSET is ever counted through.
 */
export class DeploymentsQueryStore {
  private readonly db: Kysely<Database>;

  constructor(private readonly dialect: StoreDialect) {
    this.db = dialect.db;
  }

  /** Up to `limit` deployments matching `filter`, newest first, strictly older than `after` when given. */
  page(
    filter: DeploymentFilter,
    after: CursorPosition | undefined,
    limit: number,
    includeRaw: boolean,
  ): Promise<ListedDeployment[]> {
    return this.guard(async () => {
      const rows = await this.query(filter, after, includeRaw).limit(limit).execute();
      return rows.map((row) => toListed(row, includeRaw));
    });
  }

  /**
   * Every deployment matching `filter`, newest first, in batches of `batchSize` read one after the other by
   * the same keyset query as pages. Memory holds one batch whatever the number of rows, and no connection is
   * held between batches: on SQLite a driver-level stream would hold the only connection (every other
   * request waiting) for the whole export, and on PostgreSQL it would run into the statement timeout.
   */
  async *batches(
    filter: DeploymentFilter,
    after: CursorPosition | undefined,
    includeRaw: boolean,
    batchSize: number,
  ): AsyncGenerator<ListedDeployment[]> {
    let position = after;
    for (;;) {
      const batch = await this.page(filter, position, batchSize, includeRaw);
      if (batch.length > 0) yield batch;
      const last = batch.at(-1);
      if (batch.length < batchSize || !last) return;
      position = { date: new Date(last.date), id: last.versions_id };
    }
  }

  /** The SQL of a page, for EXPLAIN checks in tests. */
  compile(filter: DeploymentFilter, after: CursorPosition | undefined, limit: number) {
    return this.query(filter, after, false).limit(limit).compile();
  }

  /**
   * Removes a deployment, its status history, and one from its environment's count (the environment's row
   * goes when none is left, so the menu and the matrix forget it). Returns the deployment as it was, or
   * undefined when there is no such id.
   */
  remove(id: number): Promise<Deployment | undefined> {
    return this.retrying(() =>
      this.db.transaction().execute(async (trx) => {
        const row = await trx
          .selectFrom('versions')
          .selectAll()
          .where('versions_id', '=', id)
          .executeTakeFirst();
        if (!row) return undefined;
        await trx.deleteFrom('versions_status_history').where('versions_id', '=', id).execute();
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
        await trx
          .deleteFrom('versions_environments')
          .where(environment)
          .where('deployments', '<=', 0)
          .execute();
        return { ...toListed(row, true), raw: row.raw };
      }),
    );
  }

  private query(filter: DeploymentFilter, after: CursorPosition | undefined, includeRaw: boolean) {
    const columns = [
      'versions_id',
      'workload',
      'platform',
      'environment',
      'version',
      'changelog_url',
      'status',
      'date',
      ...(includeRaw ? (['raw'] as const) : []),
    ] as const;
    return this.db
      .selectFrom(this.source(filter))
      .select(columns)
      .where((eb) => eb.and(this.conditions(eb, filter, after)))
      .orderBy('date', 'desc')
      .orderBy('versions_id', 'desc');
  }

  /**
   * Where the rows are read from. A filter on a whole environment (or platform) reads its composite index
   * newest first; MySQL and MariaDB must be told so (see dialects/mysql.ts). Other filters leave the choice
   * to the planner: the version index for a version, the status index for statuses, the date index else.
   */
  private source(filter: DeploymentFilter) {
    const searching = filter.version !== undefined || filter.q !== undefined;
    if (!searching && filter.workload && filter.platform && filter.environment) {
      return this.dialect.versionsThrough('idx_versions_environment_date');
    }
    if (!searching && filter.workload && filter.platform && !filter.environment) {
      return this.dialect.versionsThrough('idx_versions_platform_date');
    }
    return versionsTable();
  }

  private conditions(
    eb: ExpressionBuilder<Database, 'versions'>,
    filter: DeploymentFilter,
    after: CursorPosition | undefined,
  ) {
    const toDb = (date: Date) => this.dialect.toDbDate(date);
    const conditions = [];
    if (filter.workload !== undefined) conditions.push(eb('workload', '=', filter.workload));
    if (filter.platform !== undefined) conditions.push(eb('platform', '=', filter.platform));
    if (filter.environment !== undefined) conditions.push(eb('environment', '=', filter.environment));
    if (filter.statuses !== undefined) {
      const [only] = filter.statuses;
      conditions.push(
        filter.statuses.length === 1 && only !== undefined
          ? eb('status', '=', only)
          : eb('status', 'in', filter.statuses),
      );
    }
    if (filter.version !== undefined) {
      conditions.push(
        'exact' in filter.version
          ? eb('version', '=', filter.version.exact)
          : sql<boolean>`${eb.ref('version')} LIKE ${likePattern(filter.version.prefix, 'prefix')} ESCAPE '!'`,
      );
    }
    if (filter.q !== undefined) {
      const pattern = likePattern(filter.q.toLowerCase(), 'substring');
      conditions.push(sql<boolean>`lower(${eb.ref('version')}) LIKE ${pattern} ESCAPE '!'`);
    }
    if (filter.from !== undefined) conditions.push(eb('date', '>=', toDb(filter.from)));
    if (filter.to !== undefined) conditions.push(eb('date', '<=', toDb(filter.to)));
    if (after !== undefined) {
      const date = toDb(after.date);
      // `date <= d` alone bounds the index range; the OR then drops the rows of that instant already sent.
      conditions.push(eb('date', '<=', date));
      conditions.push(
        eb.or([eb('date', '<', date), eb.and([eb('date', '=', date), eb('versions_id', '<', after.id)])]),
      );
    }
    return conditions;
  }

  /** Runs `work` (a transaction), again when the database reports a deadlock or a busy file. */
  private retrying<T>(work: () => Promise<T>): Promise<T> {
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

/** A LIKE pattern matching `text` literally (its wildcards escaped) at the start or anywhere. */
export function likePattern(text: string, where: 'prefix' | 'substring'): string {
  const escaped = text.replace(/[!%_]/g, (character) => `${LIKE_ESCAPE}${character}`);
  return where === 'prefix' ? `${escaped}%` : `%${escaped}%`;
}

function toListed(
  row: Partial<Selectable<VersionsTable>> & Omit<Selectable<VersionsTable>, 'raw'>,
  includeRaw: boolean,
) {
  const listed: ListedDeployment = {
    versions_id: Number(row.versions_id),
    workload: row.workload,
    platform: row.platform,
    environment: row.environment,
    version: row.version,
    changelog_url: row.changelog_url,
    status: row.status,
    date: parseUtcDate(row.date).toISOString(),
  };
  if (includeRaw) listed.raw = row.raw ?? '';
  return listed;
}
