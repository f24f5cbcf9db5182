import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SQLite from 'better-sqlite3';
import {
  Kysely,
  SqliteAdapter,
  SqliteDialect,
  SqliteDriver,
  SqliteQueryCompiler,
  sql,
  type DialectAdapter,
  CompiledQuery,
  type DatabaseConnection,
  type Driver,
  type MigrationLockOptions,
  type SqliteDialectConfig,
  type TransactionSettings,
  type QueryResult,
  type SqliteDatabase,
  type SqlBool,
} from 'kysely';
import type { Database } from '../schema.js';
import {
  errorCode,
  upsertDailyCount,
  prefixSuccessor,
  upsertDoraRollup,
  upsertEnvironmentCount,
  versionsTable,
  type StoreConnection,
  type StoreDialect,
} from './dialect.js';
import { createInBatchReturningId } from './strategies.js';

/** Embedded SQLite in WAL mode: dates are stored as ISO 8601 text in UTC, which sorts like time. */
export const sqliteDialect: StoreDialect = {
  name: 'sqlite',
  healthName: 'sqlite',
  createAdapter: () => new MigrationLockingSqliteAdapter(),
  createQueryCompiler: () => new SqliteQueryCompiler(),
  sql: {
    versionsThrough: (_index, alias) => versionsTable(alias),
    toDbDate: (date) => date.toISOString(),
    utcDay: (column) => sql<string>`substr(${sql.ref(column)}, 1, 10)`,
    // julianday() reads the ISO text (its Z included) to the millisecond.
    secondsBetween: (start, end) => sql<number>`((julianday(${end}) - julianday(${start})) * 86400.0)`,
    countDeployment: upsertEnvironmentCount,
    countDay: upsertDailyCount,
    addToDoraRollup: upsertDoraRollup,
    forUpdate: (query) => query,
    lastInsertId: sql<number>`last_insert_rowid()`,
    unindexed: (column) => sql<string>`+${column}`,
    prefixRange: (column, prefix) => {
      const next = prefixSuccessor(prefix);
      return next === undefined
        ? sql<SqlBool>`${column} >= ${prefix}`
        : sql<SqlBool>`${column} >= ${prefix} and ${column} < ${next}`;
    },
  },
  errors: {
    isUnavailable(error) {
      const code = errorCode(error) ?? '';
      return /^SQLITE_(BUSY|LOCKED|CANTOPEN|IOERR|FULL|READONLY)/.test(code);
    },
    isRetryable: (error) => /^SQLITE_(BUSY|LOCKED)/.test(errorCode(error) ?? ''),
  },
  create: createInBatchReturningId,
  doraMeasuring: 'seekPerFailure',
};

/** Opens (creating it when missing) the SQLite file; one connection, no pool. */
export function openSqlite(file: string): StoreConnection {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const connection = new SQLite(file);
  connection.pragma('journal_mode = WAL');
  connection.pragma('synchronous = NORMAL');
  // Every checkpoint copies the WAL's pages into the file and fsyncs it, blocking the event loop (better-sqlite3
  // is synchronous): a larger interval between checkpoints writes each hot index page back once instead of
  // many times. Its measured effect is in bench/README.md.
  connection.pragma('wal_autocheckpoint = 8000');
  // Another process (a second replica, a backup) may hold the write lock for a moment.
  // 15 s covers another process migrating on a loaded machine.
  connection.pragma('busy_timeout = 15000');
  const statements = withStatementCache(connection);
  const db = new Kysely<Database>({ dialect: new MigrationLockingSqliteDialect({ database: statements }) });
  // better-sqlite3 is synchronous: the whole batch runs in one turn of the event loop, without Kysely's
  // BEGIN, COMMIT and the promise of each statement (a quarter of a create's CPU).
  const runAll = connection.transaction((batch: readonly CompiledQuery[]) =>
    batch.map((query): QueryResult<unknown> => {
      const statement = statements.prepare(query.sql);
      if (statement.reader) return { rows: statement.all(query.parameters) };
      const { changes, lastInsertRowid } = statement.run(query.parameters);
      return { rows: [], numAffectedRows: BigInt(changes), insertId: BigInt(lastInsertRowid) };
    }),
  );
  return {
    db,
    // Through Kysely's hold on the one connection: a transaction Kysely has open (a status change) finishes
    // first, so the batch never runs inside it.
    // IMMEDIATE, as the transactions below: the batch may read before it writes.
    executeAtomically: (batch) => db.connection().execute(async () => runAll.immediate(batch)),
    poolStats: () => ({ inUse: 0, idle: 1 }),
    close: () => db.destroy(),
  };
}

/** Distinct statements kept compiled; the service sends a few dozen, so the bound only guards against leaks. */
const STATEMENT_CACHE_SIZE = 500;

/**
 * Kysely calls prepare() for every query, and better-sqlite3 compiles the SQL each time (about a tenth of a
 * lookup's CPU): compiled statements are kept by their text and reused. One connection runs one query at a
 * time (Kysely holds a mutex, streams included), so a statement is never used by two queries at once.
 */
function withStatementCache(connection: SQLite.Database): SqliteDatabase {
  const statements = new Map<string, SQLite.Statement>();
  return {
    close: () => connection.close(),
    prepare(text) {
      let statement = statements.get(text);
      if (!statement) {
        statement = connection.prepare(text);
        if (statements.size >= STATEMENT_CACHE_SIZE) statements.clear();
        statements.set(text, statement);
      }
      return statement;
    },
  };
}

/**
 * Kysely assumes one process per SQLite file and takes no lock while migrating; two replicas (or a CLI and
 * a server) on one file would both create the tables. Here migrations run in one transaction whose first
 * statement writes the lock row, so the second process waits (busy_timeout) and then finds them applied.
 */
class MigrationLockingSqliteAdapter extends SqliteAdapter {
  override get supportsTransactionalDdl(): boolean {
    return true;
  }

  override async acquireMigrationLock(db: Kysely<unknown>, options: MigrationLockOptions): Promise<void> {
    await sql`UPDATE ${sql.table(options.lockTable)} SET is_locked = 1 WHERE id = ${options.lockRowId}`.execute(
      db,
    );
  }
}

/**
 * A transaction that reads before it writes (a status change reads the row, then updates it) must not start
 * as SQLite's default DEFERRED one: when another process commits between its read and its first write,
 * SQLite cannot wait for the lock (its snapshot is already stale) and answers SQLITE_BUSY at once, whatever
 * busy_timeout says; under load the store's few retries can all lose (a 503 seen with two replicas).
 * BEGIN IMMEDIATE takes the write lock first, so busy_timeout applies and the transaction simply waits its
 * turn. Transactions that only read (a backup's snapshot) say `setAccessMode('read only')` and stay
 * DEFERRED, so they never block writers.
 */
class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(
    connection: DatabaseConnection,
    settings?: TransactionSettings,
  ): Promise<void> {
    const begin = settings?.accessMode === 'read only' ? 'begin deferred' : 'begin immediate';
    await connection.executeQuery(CompiledQuery.raw(begin));
  }
}

class MigrationLockingSqliteDialect extends SqliteDialect {
  readonly #config: SqliteDialectConfig;

  constructor(config: SqliteDialectConfig) {
    super(config);
    this.#config = config;
  }

  override createAdapter(): DialectAdapter {
    return new MigrationLockingSqliteAdapter();
  }

  override createDriver(): Driver {
    return new ImmediateSqliteDriver(this.#config);
  }
}
