import {
  sql,
  type AliasedRawBuilder,
  type CompiledQuery,
  type Expression,
  type InsertQueryBuilder,
  type InsertResult,
  type Kysely,
  type QueryResult,
  type RawBuilder,
} from 'kysely';
import type { DialectName } from '../../config.js';
import type { Database, VersionsTable } from '../schema.js';

/** The composite indexes of `versions` that read an environment's or a platform's rows newest first. */
export type VersionsIndex = 'idx_versions_environment_date' | 'idx_versions_platform_date';

/** `versions` for a FROM clause, leaving the choice of index to the database's planner. */
export function versionsTable(): AliasedRawBuilder<VersionsTable, 'versions'> {
  return sql<VersionsTable>`versions`.as('versions');
}

/** Everything that differs between SQLite, PostgreSQL and MySQL/MariaDB; nothing else may ask which one it is. */
export interface StoreDialect {
  name: DialectName;
  /** The key /healthz reports the database under. */
  healthName: 'sqlite' | 'postgresql' | 'mysql';
  db: Kysely<Database>;
  /** INSERT ... RETURNING is available (else the driver's insertId is used). */
  supportsReturning: boolean;
  /** INSERTs may run inside WITH, several writes making one statement (PostgreSQL). */
  supportsWritesInWith: boolean;
  /**
   * A correlated subquery can seek an index by a range on an outer column (`r.date >= v.date ORDER BY
   * r.date LIMIT 1` reads one entry). MySQL and MariaDB use only the equal prefix there and scan from its start.
   */
  seeksByOuterRange: boolean;
  /**
   * `versions` for a FROM clause whose rows are read newest first through `index`. Only MySQL and MariaDB
   * name the index (see mysql.ts); the other planners find it themselves.
   */
  versionsThrough(index: VersionsIndex): AliasedRawBuilder<VersionsTable, 'versions'>;
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
  /** SELECT ... FOR UPDATE locks the rows read (SQLite has no such clause: its writer holds the whole file). */
  supportsForUpdate: boolean;
  /** The id the connection's last INSERT generated, as SQL, for the statement that follows it. */
  lastInsertId: RawBuilder<number>;
  /**
   * Runs compiled statements one after the other in one transaction; their results, in order. SQLite runs
   * them synchronously (see sqlite.ts); the others in a transaction of the pool.
   */
  executeAtomically(statements: readonly CompiledQuery[]): Promise<Array<QueryResult<unknown>>>;
  /** The error means the database is unreachable or shutting down (answer 503, not 500). */
  isUnavailable(error: unknown): boolean;
  /** The error is a deadlock or busy database: the transaction can be run again. */
  isRetryable(error: unknown): boolean;
  /** Connections of the pool in use and idle, for metrics. */
  poolStats(): { inUse: number; idle: number };
  close(): Promise<void>;
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

/** executeAtomically for a pool: a transaction of its own, the statements sent one after the other. */
export function executeInTransaction(db: Kysely<Database>) {
  return (statements: readonly CompiledQuery[]) =>
    db.transaction().execute(async (trx) => {
      const results: Array<QueryResult<unknown>> = [];
      for (const statement of statements) results.push(await trx.executeQuery(statement));
      return results;
    });
}
