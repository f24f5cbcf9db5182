import { setTimeout as sleep } from 'node:timers/promises';
import { DummyDriver, Kysely, sql, SqliteIntrospector, type CompiledQuery } from 'kysely';
import type { Logger } from 'pino';
import { describeDatabase, type DatabaseConfig } from '../config.js';
import {
  openDialect,
  type PoolStats,
  type SqlFragments,
  type StoreConnection,
  type StoreDialect,
} from './dialects/index.js';
import { migrateToLatest } from './migrate.js';
import type { Database } from './schema.js';
import { guardUnavailable, retryingTransient } from './unavailable.js';

const MIGRATION_ATTEMPTS = 8;

export class DatabaseStartError extends Error {}

/**
 * The database the stores sit on: its dialect (what differs between SQLite, PostgreSQL and MySQL) and its
 * open connection. It owns opening (with a wait), migrating, the health ping, pool statistics and closing;
 * the stores run their work through guard() and retrying(), the one place that turns "unreachable" into a
 * 503 and runs a deadlocked transaction again.
 *
 * (Named StoreDatabase because `Database` is the schema's type, as Kysely's own examples name it.)
 */
export class StoreDatabase {
  constructor(
    readonly dialect: StoreDialect,
    readonly connection: StoreConnection,
  ) {}

  /**
   * Connects to the database, waiting with back-off (a log line per try) for up to `waitSeconds` while it
   * does not answer yet, then migrates the schema. The caller owns the result and closes it.
   */
  static async open(config: DatabaseConfig, log: Logger, waitSeconds: number): Promise<StoreDatabase> {
    const { dialect, connection } = await openDialect(config, log);
    const database = new StoreDatabase(dialect, connection);
    const address = describeDatabase(config);
    const deadline = Date.now() + waitSeconds * 1000;
    for (let attempt = 1, delay = 500; ; attempt++, delay = Math.min(delay * 2, 5000)) {
      try {
        await database.ping();
        break;
      } catch (error) {
        const reason = error instanceof Error ? error.message || String(error) : String(error);
        if (Date.now() + delay > deadline) {
          await database.close().catch(() => undefined);
          throw new DatabaseStartError(
            `cannot reach the database at ${address} after ${attempt} tries (${reason}); check DB_URI and that the server is running`,
          );
        }
        log.warn(
          { database: address, attempt, retryInMs: delay, err: reason },
          'database not reachable yet, retrying',
        );
        await sleep(delay);
      }
    }
    for (let attempt = 1; ; attempt++) {
      try {
        await database.migrate(log);
        return database;
      } catch (error) {
        // Another replica migrating the same SQLite file can make SQLite answer "busy" at once (it refuses to
        // wait when waiting could deadlock); the migration rolled back, so it is simply run again.
        if (attempt < MIGRATION_ATTEMPTS && dialect.errors.isRetryable(error)) {
          log.warn({ attempt, err: (error as Error).message }, 'database busy while migrating, retrying');
          await sleep(250 * attempt);
          continue;
        }
        await database.close().catch(() => undefined);
        throw new DatabaseStartError(
          `migrating the database at ${address} failed: ${(error as Error).message}`,
        );
      }
    }
  }

  /**
   * A database that compiles queries and never connects: Kysely with the dialect's adapter and query compiler
   * over a DummyDriver, as Kysely's own tests pin the SQL each database is sent. Running a query on it
   * returns no rows.
   */
  static compileOnly(dialect: StoreDialect): StoreDatabase {
    const db = new Kysely<Database>({
      dialect: {
        createAdapter: () => dialect.createAdapter(),
        createDriver: () => new DummyDriver(),
        createQueryCompiler: () => dialect.createQueryCompiler(),
        // Never used: nothing introspects a database that does not exist.
        createIntrospector: (kysely) => new SqliteIntrospector(kysely),
      },
    });
    return new StoreDatabase(dialect, {
      db,
      executeAtomically: async (statements) => statements.map(() => ({ rows: [] })),
      poolStats: () => ({ inUse: 0, idle: 0 }),
      close: () => db.destroy(),
    });
  }

  get db(): Kysely<Database> {
    return this.connection.db;
  }

  /** The SQL spelled differently on this database. */
  get sql(): SqlFragments {
    return this.dialect.sql;
  }

  /** Brings the schema up to date (see migrate.ts). */
  migrate(log: Logger): Promise<void> {
    return migrateToLatest(this.db, this.dialect.name, log);
  }

  /** Answers when the database does; throws otherwise (what /healthz reports). */
  async ping(): Promise<void> {
    await sql`SELECT 1`.execute(this.db);
  }

  /** Connections of the pool in use and idle, for metrics. */
  poolStats(): PoolStats {
    return this.connection.poolStats();
  }

  /** Statements applied all or none (one batch on SQLite, a transaction of the pool elsewhere). */
  executeAtomically(statements: readonly CompiledQuery[]) {
    return this.connection.executeAtomically(statements);
  }

  /** Database work, "unreachable" answered as 503 (unavailable.ts). */
  guard<T>(work: () => Promise<T>): Promise<T> {
    return guardUnavailable(this.dialect.errors, work);
  }

  /** Work that applies all or none, run again on a deadlock or a busy file; guarded as above. */
  retrying<T>(work: () => Promise<T>): Promise<T> {
    return retryingTransient(this.dialect.errors, work);
  }

  /** `work` in a transaction, run again on a deadlock or a busy file; guarded as above. */
  transaction<T>(work: (trx: Kysely<Database>) => Promise<T>): Promise<T> {
    return this.retrying(() => this.db.transaction().execute(work));
  }

  close(): Promise<void> {
    return this.connection.close();
  }
}
