import { setImmediate } from 'node:timers/promises';
import {
  sql,
  type CompiledQuery,
  type Expression,
  type ExpressionBuilder,
  type Kysely,
  type SelectQueryBuilder,
  type SqlBool,
} from 'kysely';
import type { StoreDatabase } from './database.js';
import { parseUtcDate, versionsTable } from './dialects/index.js';
import type { VersionsIndex } from './dialects/dialect.js';
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
import { relativeTo } from './keyset.js';

/** A deployment as pages show it: whole (details, changes, history), its payload only when asked for. */
export type ListedDeployment = WholeDeploymentWithoutRaw & { raw?: string };

/** A deployment as exports write it: the row and its details, flat (one CSV line). */
export type ExportedDeployment = Omit<Deployment, 'raw'> & Details & { raw?: string };

/** The escape character of LIKE patterns: rarer than a backslash, and the same in every database's syntax. */
const LIKE_ESCAPE = '!';

/**
 * A version prefix on one environment is first looked for among the environment's newest rows, this many
 * times the rows asked for (plan()): when at least one in twenty of them matches, that walk answers; when
 * the prefix is rarer there, its matches are read from the version index and sorted.
 */
const PREFIX_WALK_FACTOR = 20;

/**
 * The most statuses read one seek each and merged; a longer list (rare: the UI sends one status, or
 * `successful`) is read by one walk that filters them.
 */
const MAX_MERGED_STATUSES = 8;

/**
 * A LIMIT no answer reaches (the largest INTEGER of the three databases). On the subquery of a version's
 * matches it changes nothing but keeps the planners from folding the subquery into the outer ORDER BY ...
 * LIMIT, where they could choose to walk the date index after all (SQLite does, to spare a sort).
 */
const EVERY_ROW = 2_147_483_647;

/** A read of `versions`: its conditions, order and limit set, its columns (and joins) left to the caller. */
type VersionsRead = SelectQueryBuilder<Database, 'versions', object>;

/** Ids (and dates) of the rows answering, newest first: the caller loads the rows by id. */
type KeysRead = SelectQueryBuilder<Database, 'versions', { versions_id: number; date: unknown }>;

/**
 * How a filter's rows are read (plan()): one query for the rows; one for their ids (merged seeks, a sort
 * of a version's matches); or, for a version prefix, the bounded walk first and the sorted matches when the
 * walk falls short.
 */
type Plan =
  | { kind: 'rows'; read: VersionsRead }
  | { kind: 'keys'; keys: KeysRead }
  | {
      kind: 'prefix';
      /** The date of the environment's row `limit` × PREFIX_WALK_FACTOR newest (within the filter's dates). */
      floor: SelectQueryBuilder<Database, 'versions', { date: unknown }>;
      /** The walk through the rows from that date on (every row when the environment has fewer). */
      walk: (floor: Date | string | undefined) => VersionsRead;
      matches: KeysRead;
    };

/** The WHERE terms of a filter and cursor, by what they constrain (plan() chooses which a query uses). */
interface Terms {
  /** workload, platform, environment. */
  scope: Array<Expression<SqlBool>>;
  statuses: Array<Expression<SqlBool>>;
  /** The version: exactly, or LIKE its prefix (and the range of that prefix where it helps, prefixRange). */
  version: Array<Expression<SqlBool>>;
  /** commit, deployer and q: semi-joins to versions_details, or a search of the version. */
  search: Array<Expression<SqlBool>>;
  /** from, to and the cursor's date: ranges of the date, which every index of `versions` has before the id. */
  range: Array<Expression<SqlBool>>;
  /** The rows of the cursor's own instant already sent (by id). */
  ties: Array<Expression<SqlBool>>;
}

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
      const rows = await this.answer(
        this.plan(filter, after, limit),
        limit,
        (read) => read.select('versions.versions_id').execute(),
        async (ids) => ids.map((id) => ({ versions_id: id })),
      );
      const ids = rows.map((row) => Number(row.versions_id));
      return includeRaw
        ? this.details.wholeDeployments(ids, { raw: true })
        : this.details.wholeDeployments(ids, { raw: false });
    });
  }

  /**
   * Every deployment matching `filter`, newest first, flat (the row and its details, no changes or history),
   * in batches of `batchSize` read one after the other by the same keyset queries as pages (plan()). Memory
   * holds one batch whatever the number of rows, and no connection is held between batches: on SQLite a
   * driver-level stream would hold the only connection (every other request waiting) for the whole export,
   * and on PostgreSQL it would run into the statement timeout.
   */
  async *batches(
    filter: DeploymentFilter,
    after: CursorPosition | undefined,
    includeRaw: boolean,
    batchSize: number,
  ): AsyncGenerator<ExportedDeployment[]> {
    let position = after;
    for (;;) {
      // A turn of the event loop between batches: on SQLite (synchronous) with a client that reads as fast as
      // the rows come, the export would otherwise be one chain of promises that no other request, timer or
      // health probe could interrupt until the last row.
      if (position !== after) await setImmediate();
      const batch = await this.database.guard(() => this.flat(filter, position, includeRaw, batchSize));
      if (batch.length > 0) yield batch;
      const last = batch.at(-1);
      if (batch.length < batchSize || !last) return;
      position = { date: new Date(last.date), id: last.versions_id };
    }
  }

  /**
   * The SQL of a page's queries (plan()), for tests' EXPLAIN checks: one; or for a version prefix the
   * floor's, the walk's (from `floor`) and the matches'.
   */
  compile(
    filter: DeploymentFilter,
    after: CursorPosition | undefined,
    limit: number,
    floor = new Date(0),
  ): CompiledQuery[] {
    const plan = this.plan(filter, after, limit);
    switch (plan.kind) {
      case 'rows':
        return [plan.read.select('versions.versions_id').compile()];
      case 'keys':
        return [plan.keys.compile()];
      case 'prefix':
        return [
          plan.floor.compile(),
          plan.walk(this.database.sql.toDbDate(floor)).select('versions.versions_id').compile(),
          plan.matches.compile(),
        ];
    }
  }

  private async flat(
    filter: DeploymentFilter,
    after: CursorPosition | undefined,
    includeRaw: boolean,
    limit: number,
  ): Promise<ExportedDeployment[]> {
    const rows = await this.answer(
      this.plan(filter, after, limit),
      limit,
      (read) => this.flatRows(read, includeRaw),
      (ids) => this.flatRows(this.byIds(ids), includeRaw),
    );
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

  /** A read's rows with their details, flat. */
  private flatRows(read: VersionsRead, includeRaw: boolean) {
    return read
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
      .execute();
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

  /**
   * How `filter` after `after` is read: up to `limit` rows, newest first (by date, then id). Each filter on
   * one environment is a seek, whether what it asks for is common or rare there (docs/api.md, "How each
   * filter is read"):
   *
   * - statuses (on one environment, or over everything): one seek per status of
   *   idx_versions_environment_status_date (idx_versions_status_date), each newest first and limited to
   *   `limit`, merged by (date, id) and limited again. Walking the environment's history for the statuses
   *   asked reads every row of the others first, which is most of the history for a rare status; and
   *   `status IN (...)` on the status index would lose its order (PostgreSQL sorts every match).
   * - a version prefix on one environment: first a bounded walk, through the environment's `limit` × 20
   *   newest rows (its date index, from the date of the last of them on); it answers when it finds `limit`
   *   rows, as it does whenever the prefix matches at least one in twenty there. Else the prefix is rare in
   *   that stretch, and its matches are read from idx_versions_environment_version (a range of the index)
   *   and sorted (a status asked with it is checked in that index too). A common prefix never sorts; a rare
   *   one never walks far. An exact version is read the same way as a rare prefix: its few rows, sorted.
   * - otherwise a whole environment (or platform) walks its composite index newest first. Other filters
   *   leave the choice to the planner: the status index for statuses, the details' indexes for a commit or a
   *   deployer, the date index else.
   *
   * MySQL and MariaDB are told each index (dialects/mysql.ts); the other planners find it themselves.
   */
  private plan(filter: DeploymentFilter, after: CursorPosition | undefined, limit: number): Plan {
    const rows = (index?: VersionsIndex): Plan => ({
      kind: 'rows',
      read: this.direct(filter, after, limit, index),
    });
    const searching = filter.q !== undefined || filter.commit !== undefined || filter.deployer !== undefined;
    const environment =
      filter.workload !== undefined && filter.platform !== undefined && filter.environment !== undefined;
    const everywhere =
      filter.workload === undefined && filter.platform === undefined && filter.environment === undefined;
    const statuses = filter.statuses ?? [];
    if (searching) return rows();
    if (filter.version !== undefined) {
      if (!environment) return rows();
      if ('exact' in filter.version) return { kind: 'keys', keys: this.versionMatches(filter, after, limit) };
      return this.prefixPlan(filter, after, limit);
    }
    if ((environment || everywhere) && statuses.length > 0 && statuses.length <= MAX_MERGED_STATUSES) {
      const index = environment ? 'idx_versions_environment_status_date' : 'idx_versions_status_date';
      return statuses.length === 1
        ? rows(index)
        : { kind: 'keys', keys: this.merged(filter, statuses, after, limit, index) };
    }
    if (environment) return rows('idx_versions_environment_date');
    if (filter.workload !== undefined && filter.platform !== undefined)
      return rows('idx_versions_platform_date');
    return rows();
  }

  /** Runs `plan`: its rows through `columns`, or (read by id) through `byIds`. */
  private async answer<Row>(
    plan: Plan,
    limit: number,
    columns: (read: VersionsRead) => Promise<Row[]>,
    byIds: (ids: number[]) => Promise<Row[]>,
  ): Promise<Row[]> {
    const keyed = async (keys: KeysRead) => {
      const ids = (await keys.execute()).map((key) => Number(key.versions_id));
      return ids.length > 0 ? byIds(ids) : [];
    };
    switch (plan.kind) {
      case 'rows':
        return columns(plan.read);
      case 'keys':
        return keyed(plan.keys);
      case 'prefix': {
        // No floor: the environment has fewer rows than the walk's length, and the walk reads them all.
        const floor = await plan.floor.executeTakeFirst();
        const from = floor && this.database.sql.toDbDate(parseUtcDate(floor.date));
        const walked = await columns(plan.walk(from));
        if (!floor || walked.length >= limit) return walked;
        return keyed(plan.matches);
      }
    }
  }

  /** The rows of `ids`, newest first (ids read by a plan of keys). */
  private byIds(ids: number[]): VersionsRead {
    return this.db
      .selectFrom(versionsTable())
      .where('versions.versions_id', 'in', ids)
      .orderBy('versions.date', 'desc')
      .orderBy('versions.versions_id', 'desc');
  }

  /** Every term in one query through `index` (the planner's choice without one), newest first. */
  private direct(
    filter: DeploymentFilter,
    after: CursorPosition | undefined,
    limit: number,
    index?: VersionsIndex,
  ): VersionsRead {
    return this.db
      .selectFrom(index ? this.database.sql.versionsThrough(index) : versionsTable())
      .where((eb) => eb.and(every(this.terms(eb, filter, after))))
      .orderBy('versions.date', 'desc')
      .orderBy('versions.versions_id', 'desc')
      .limit(limit);
  }

  /** One seek of `index` per status, each newest first, merged by (date, id). */
  private merged(
    filter: DeploymentFilter,
    statuses: readonly string[],
    after: CursorPosition | undefined,
    limit: number,
    index: VersionsIndex,
  ): KeysRead {
    const seeks = statuses.map((status, branch) =>
      this.db
        .selectFrom(
          this.direct({ ...filter, statuses: [status] }, after, limit, index)
            .select(['versions.versions_id', 'versions.date'])
            .as(`s${branch}`),
        )
        .selectAll(),
    );
    const [first, ...others] = seeks as [KeysRead, ...KeysRead[]];
    return this.newestKeys(
      others.reduce((union, seek) => union.unionAll(seek), first),
      limit,
    );
  }

  /**
   * A version prefix on one environment: the bounded walk (complete when it finds `limit` rows, since every
   * other match is older than the whole stretch it reads), else the sorted matches (plan()).
   */
  private prefixPlan(filter: DeploymentFilter, after: CursorPosition | undefined, limit: number): Plan {
    // The floor leaves out the cursor's ties (an OR the index cannot bound): counting a few rows of the
    // cursor's instant already sent only shortens the stretch, which is still the newest rows after it.
    const floor = this.db
      .selectFrom(this.database.sql.versionsThrough('idx_versions_environment_date'))
      .select('versions.date')
      .where((eb) => {
        const terms = this.terms(eb, filter, after);
        return eb.and([...terms.scope, ...terms.range]);
      })
      .orderBy('versions.date', 'desc')
      .orderBy('versions.versions_id', 'desc')
      .offset(limit * PREFIX_WALK_FACTOR - 1)
      .limit(1);
    // The walk's version terms are unindexed: SQLite's planner, drawn to the prefix's range, would read every
    // match from the version index and sort them. PostgreSQL weighs both (each bounded); MariaDB is told.
    const walk = (from: Date | string | undefined) =>
      this.db
        .selectFrom(this.database.sql.versionsThrough('idx_versions_environment_date'))
        .where((eb) => {
          const terms = this.terms(eb, filter, after, 'walk');
          const stretch = from === undefined ? [] : [eb('versions.date', '>=', from)];
          return eb.and([...every(terms), ...stretch]);
        })
        .orderBy('versions.date', 'desc')
        .orderBy('versions.versions_id', 'desc')
        .limit(limit);
    return { kind: 'prefix', floor, walk, matches: this.versionMatches(filter, after, limit) };
  }

  /**
   * The `limit` newest rows of a version, or of a version prefix, on one environment: every match read from
   * idx_versions_environment_version (a range of it, the status checked there too), then sorted.
   */
  private versionMatches(
    filter: DeploymentFilter,
    after: CursorPosition | undefined,
    limit: number,
  ): KeysRead {
    const matches = this.db
      .selectFrom(this.database.sql.versionsThrough('idx_versions_environment_version'))
      .select(['versions.versions_id', 'versions.date'])
      .where((eb) => eb.and(every(this.terms(eb, filter, after, 'seek'))))
      .limit(EVERY_ROW);
    return this.newestKeys(matches, limit);
  }

  /**
   * The `limit` newest of `keys` (ids and dates read through an index), by (date, id). Typed as a read of
   * `versions` like the keys it sorts, which is what its callers run.
   */
  private newestKeys(keys: KeysRead, limit: number): KeysRead {
    return this.db
      .selectFrom(keys.as('k'))
      .select(['k.versions_id', 'k.date'])
      .orderBy('k.date', 'desc')
      .orderBy('k.versions_id', 'desc')
      .limit(limit) as unknown as KeysRead;
  }

  /**
   * The WHERE terms of `filter` and of the cursor `after`, by what they constrain. A version prefix is read
   * as `prefix` says: `filter`, where the planner chooses; `seek`, in the version index (its range spelled
   * out, see prefixRange); `walk`, never from the version index.
   */
  private terms(
    eb: ExpressionBuilder<Database, 'versions'>,
    filter: DeploymentFilter,
    after: CursorPosition | undefined,
    prefix: 'filter' | 'seek' | 'walk' = 'filter',
  ): Terms {
    const toDb = (date: Date) => this.database.sql.toDbDate(date);
    const terms: Terms = { scope: [], statuses: [], version: [], search: [], range: [], ties: [] };
    if (filter.workload !== undefined) terms.scope.push(eb('versions.workload', '=', filter.workload));
    if (filter.platform !== undefined) terms.scope.push(eb('versions.platform', '=', filter.platform));
    if (filter.environment !== undefined)
      terms.scope.push(eb('versions.environment', '=', filter.environment));
    if (filter.statuses !== undefined) {
      const [only] = filter.statuses;
      terms.statuses.push(
        filter.statuses.length === 1 && only !== undefined
          ? eb('versions.status', '=', only)
          : eb('versions.status', 'in', filter.statuses),
      );
    }
    if (filter.version !== undefined) {
      if ('exact' in filter.version) {
        terms.version.push(eb('versions.version', '=', filter.version.exact));
      } else {
        const text = filter.version.prefix;
        const column =
          prefix === 'walk'
            ? this.database.sql.unindexed(eb.ref('versions.version'))
            : eb.ref('versions.version');
        terms.version.push(sql<SqlBool>`${column} LIKE ${likePattern(text, 'prefix')} ESCAPE '!'`);
        const range = this.database.sql.prefixRange(column, text, prefix === 'seek');
        if (range) terms.version.push(range);
      }
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
      terms.search.push(
        withDetails((details) => sql<SqlBool>`${details.ref('commit_sha')} LIKE ${pattern} ESCAPE '!'`),
      );
    }
    if (filter.deployer !== undefined) {
      const deployer = filter.deployer;
      terms.search.push(withDetails((details) => details('deployer', '=', deployer)));
    }
    if (filter.q !== undefined) {
      const pattern = likePattern(filter.q.toLowerCase(), 'substring');
      const contains = (column: Expression<unknown>) =>
        sql<SqlBool>`lower(${column}) LIKE ${pattern} ESCAPE '!'`;
      terms.search.push(
        eb.or([
          contains(eb.ref('versions.version')),
          withDetails((details) =>
            details.or([contains(details.ref('description')), contains(details.ref('commit_sha'))]),
          ),
        ]),
      );
    }
    if (filter.from !== undefined) terms.range.push(eb('versions.date', '>=', toDb(filter.from)));
    if (filter.to !== undefined) terms.range.push(eb('versions.date', '<=', toDb(filter.to)));
    if (after !== undefined) {
      const date = toDb(after.date);
      // `date <= d` alone bounds the index range; the OR then drops the rows of that instant already sent.
      terms.range.push(eb('versions.date', '<=', date));
      const columns = { date: eb.ref('versions.date'), id: eb.ref('versions.versions_id') };
      terms.ties.push(relativeTo(eb, columns, '<', { date, id: after.id }));
    }
    return terms;
  }
}

/** Every term, in the order the SQL has always listed them (test/unit/store-sql.test.ts pins it). */
function every(terms: Terms): Array<Expression<SqlBool>> {
  return [
    ...terms.scope,
    ...terms.statuses,
    ...terms.version,
    ...terms.search,
    ...terms.range,
    ...terms.ties,
  ];
}

/** A LIKE pattern matching `text` literally (its wildcards escaped) at the start or anywhere. */
export function likePattern(text: string, where: 'prefix' | 'substring'): string {
  const escaped = text.replace(/[!%_]/g, (character) => `${LIKE_ESCAPE}${character}`);
  return where === 'prefix' ? `${escaped}%` : `%${escaped}%`;
}
