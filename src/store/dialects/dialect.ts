import {
  sql,
  type AliasedRawBuilder,
  type CompiledQuery,
  type DialectAdapter,
  type Expression,
  type InsertQueryBuilder,
  type InsertResult,
  type Kysely,
  type QueryCompiler,
  type QueryResult,
  type RawBuilder,
  type SelectQueryBuilder,
  type SqlBool,
} from 'kysely';
import type { DialectName } from '../../config.js';
import type { Database, VersionsTable } from '../schema.js';
import type { CreateStrategy, DoraMeasuring } from './strategies.js';

/**
 * The composite indexes of `versions` a query may be told to read: an environment's, a platform's, a status's
 * rows newest first, an environment's rows of one status newest first, and an environment's versions (with
 * their status, then date).
 */
export type VersionsIndex =
  | 'idx_versions_environment_date'
  | 'idx_versions_platform_date'
  | 'idx_versions_status_date'
  | 'idx_versions_environment_status_date'
  | 'idx_versions_environment_version';

/** `versions` for a FROM clause (as `alias`), leaving the choice of index to the database's planner. */
export function versionsTable<A extends string = 'versions'>(alias?: A): AliasedRawBuilder<VersionsTable, A> {
  return sql<VersionsTable>`versions`.as((alias ?? 'versions') as A);
}

/** Connections of a pool in use and idle, for metrics. */
export interface PoolStats {
  inUse: number;
  idle: number;
}

/**
 * One database's open pool (or file), as Kysely's driver holds it: what the Database object owns
 * (store/database.ts). Nothing here builds SQL.
 */
export interface StoreConnection {
  db: Kysely<Database>;
  /**
   * Runs compiled statements one after the other in one transaction; their results, in order. SQLite runs
   * them synchronously (see sqlite.ts); the others in a transaction of the pool.
   */
  executeAtomically(statements: readonly CompiledQuery[]): Promise<Array<QueryResult<unknown>>>;
  poolStats(): PoolStats;
  close(): Promise<void>;
}

/** The SQL spelled differently per database: built, never run, so it needs no connection. */
export interface SqlFragments {
  /**
   * `versions` (as `alias`, `versions` by default) for a FROM clause whose rows are read through `index`.
   * Only MySQL and MariaDB name the index (see mysql.ts); the other planners find it themselves.
   */
  versionsThrough<A extends string = 'versions'>(
    index: VersionsIndex,
    alias?: A,
  ): AliasedRawBuilder<VersionsTable, A>;
  /** A date as the driver must receive it so that the column holds UTC. */
  toDbDate(date: Date): Date | string;
  /** The UTC day (YYYY-MM-DD) of a date column, as SQL. */
  utcDay(column: string): RawBuilder<string>;
  /** Seconds (with milliseconds) from one date expression to another, as SQL; drivers may return a string. */
  secondsBetween(start: Expression<unknown>, end: Expression<unknown>): RawBuilder<number | string>;
  /** Adds one to an environment's deployment count, creating its row on first use (built, not run). */
  countDeployment(db: Kysely<Database>, key: EnvironmentCountKey): EnvironmentCountUpsert;
  /** Adds one to a day's count of deployments in a status, creating its row on first use (built, not run). */
  countDay(db: Kysely<Database>, key: DailyCountKey): DailyCountUpsert;
  /** Adds each row's `deployments` (maybe negative) to the DORA rollup's row of its key (built, not run). */
  addToDoraRollup(db: Kysely<Database>, rows: readonly DoraRollupRow[]): DoraRollupUpsert;
  /**
   * The SELECT locking the rows it reads until the transaction ends (FOR UPDATE); unchanged on SQLite, which
   * has no such clause: its writer holds the whole file.
   */
  forUpdate<DB, TB extends keyof DB, O>(query: SelectQueryBuilder<DB, TB, O>): SelectQueryBuilder<DB, TB, O>;
  /** The id the connection's last INSERT generated, as SQL, for the statement that follows it. */
  lastInsertId: RawBuilder<number>;
  /**
   * A column in a WHERE term that the planner must not answer from an index (SQLite's unary `+`); the
   * others choose well without being told, and get the column unchanged.
   */
  unindexed(column: Expression<string>): Expression<string>;
  /**
   * Terms bounding `column` to the values that start with `prefix`, [prefix, the next prefix) compared byte
   * by byte, which is exactly those values: beside the LIKE that matches them, for the planner to seek them in
   * an index (`seek`: a read that must). SQLite: always, as its LIKE ignores case (the range makes the prefix
   * exact, as on the others) and is never sought in an index of a column compared byte by byte. PostgreSQL:
   * when sought, as its generic plans cannot bound LIKE $1 (see postgres.ts); elsewhere the terms would only
   * skew its estimates. MariaDB seeks LIKE 'text%' itself, with each execution's value: never.
   */
  prefixRange(column: Expression<string>, prefix: string, seek: boolean): RawBuilder<SqlBool> | undefined;
}

/**
 * The smallest text greater than every text that starts with `prefix` (in code point order, which is UTF-8's
 * byte order): its last character that is not the last code point, plus one, without what follows it.
 * Undefined when every character is the last code point (nothing is greater).
 */
export function prefixSuccessor(prefix: string): string | undefined {
  const characters = [...prefix];
  while (characters.length > 0) {
    const last = characters.pop()?.codePointAt(0) ?? 0;
    if (last < 0x10ffff) {
      // The code points of UTF-16 surrogates are never characters: the one after 0xD7FF is 0xE000.
      const next = last + 1 === 0xd800 ? 0xe000 : last + 1;
      return characters.join('') + String.fromCodePoint(next);
    }
  }
  return undefined;
}

/** What a database's errors mean to the service. */
export interface ErrorClassifier {
  /** The error means the database is unreachable or shutting down (answer 503, not 500). */
  isUnavailable(error: unknown): boolean;
  /** The error is a deadlock or busy database: the transaction can be run again. */
  isRetryable(error: unknown): boolean;
}

/**
 * Everything that differs between SQLite, PostgreSQL and MySQL/MariaDB, split by concern as Kysely splits
 * its Dialect (adapter, driver, query compiler); nothing else may ask which database it is. The connection
 * is opened apart (StoreConnection), so that the SQL can be compiled without one.
 */
export interface StoreDialect {
  name: DialectName;
  /** The key /healthz reports the database under. */
  healthName: 'sqlite' | 'postgresql' | 'mysql';
  /** Kysely's adapter of this database (its migration lock, RETURNING support...). */
  createAdapter(): DialectAdapter;
  /** Kysely's query compiler of this database. */
  createQueryCompiler(): QueryCompiler;
  sql: SqlFragments;
  errors: ErrorClassifier;
  /** How a deployment's first rows are written (strategies.ts). */
  create: CreateStrategy;
  /** How DORA's durations are read (strategies.ts). */
  doraMeasuring: DoraMeasuring;
}

const NETWORK_ERROR_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
]);

/** The error's `code` (or errno-style string), when it has one. */
export function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

export function isNetworkError(error: unknown): boolean {
  const code = errorCode(error);
  if (code && NETWORK_ERROR_CODES.has(code)) return true;
  // AggregateError from a connect to several addresses (localhost resolving to ::1 and 127.0.0.1).
  const inner = (error as { errors?: unknown[] } | null)?.errors;
  return Array.isArray(inner) && inner.some(isNetworkError);
}

/** Parses a date column value as UTC, whatever form the driver returns it in. */
export function parseUtcDate(value: unknown): Date {
  if (value instanceof Date) return value;
  const text = String(value);
  // A bare "YYYY-MM-DD HH:MM:SS" carries no zone: the service stores UTC, so read it as UTC.
  const zoned = /[zZ]|[+-]\d\d:?\d\d$/.test(text) ? text : `${text.replace(' ', 'T')}Z`;
  return new Date(zoned);
}

export type EnvironmentCountKey = { workload: string; platform: string; environment: string };
export type EnvironmentCountUpsert = InsertQueryBuilder<Database, 'versions_environments', InsertResult>;

/** INSERT ... ON CONFLICT DO UPDATE, the upsert PostgreSQL and SQLite share (MySQL has its own). */
export function upsertEnvironmentCount(
  db: Kysely<Database>,
  key: EnvironmentCountKey,
): EnvironmentCountUpsert {
  return db
    .insertInto('versions_environments')
    .values({ ...key, deployments: 1 })
    .onConflict((conflict) =>
      conflict
        .columns(['workload', 'platform', 'environment'])
        .doUpdateSet({ deployments: sql`versions_environments.deployments + 1` }),
    );
}

export type DailyCountKey = EnvironmentCountKey & { day: string; status: string };
export type DailyCountUpsert = InsertQueryBuilder<Database, 'versions_daily_counts', InsertResult>;

/** countDay() as PostgreSQL and SQLite write it (INSERT ... ON CONFLICT DO UPDATE). */
export function upsertDailyCount(db: Kysely<Database>, key: DailyCountKey): DailyCountUpsert {
  return db
    .insertInto('versions_daily_counts')
    .values({ ...key, deployments: 1 })
    .onConflict((conflict) =>
      conflict
        .columns(['day', 'workload', 'platform', 'environment', 'status'])
        .doUpdateSet({ deployments: sql`versions_daily_counts.deployments + 1` }),
    );
}

export type DoraRollupRow = { period: string; measure: number; bin: number; deployments: number };
export type DoraRollupUpsert = InsertQueryBuilder<Database, 'versions_dora_rollup', InsertResult>;

/** addToDoraRollup() as PostgreSQL and SQLite write it (INSERT ... ON CONFLICT DO UPDATE). */
export function upsertDoraRollup(db: Kysely<Database>, rows: readonly DoraRollupRow[]): DoraRollupUpsert {
  return db
    .insertInto('versions_dora_rollup')
    .values([...rows])
    .onConflict((conflict) =>
      conflict.columns(['period', 'measure', 'bin']).doUpdateSet({
        deployments: sql`versions_dora_rollup.deployments + excluded.deployments`,
      }),
    );
}

/** executeAtomically for a pool: a transaction of its own, the statements sent one after the other. */
export function executeInTransaction(db: Kysely<Database>) {
  return (statements: readonly CompiledQuery[]) =>
    db.transaction().execute(async (trx) => {
      const results: Array<QueryResult<unknown>> = [];
      for (const statement of statements) results.push(await trx.executeQuery(statement));
      return results;
    });
}
