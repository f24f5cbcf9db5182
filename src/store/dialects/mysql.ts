import {
  Kysely,
  MysqlAdapter,
  MysqlDialect,
  MysqlQueryCompiler,
  sql,
  type MysqlPool,
  type MysqlPoolConnection,
} from 'kysely';
import { createPool, type Pool, type PoolConnection } from 'mysql2';
import type { Logger } from 'pino';
import type { MysqlConnection } from '../../config.js';
import type { Database, VersionsTable } from '../schema.js';
import {
  errorCode,
  executeInTransaction,
  isNetworkError,
  type StoreConnection,
  type StoreDialect,
  type VersionsIndex,
} from './dialect.js';
import { createInBatchWithInsertId } from './strategies.js';

/**
 * Server-side prepared statements kept per connection (mysql2 closes the least recently used past this).
 * mysql2's default, 16,000 per connection, would let ten connections pass the server's limit for all its
 * clients together (max_prepared_stmt_count, 16,382 by default) when texts vary (IN lists), failing every
 * client's prepares.
 */
const PREPARED_PER_CONNECTION = 256;

const UNAVAILABLE_CODES = new Set([
  'PROTOCOL_CONNECTION_LOST',
  'PROTOCOL_SEQUENCE_TIMEOUT',
  'ER_CON_COUNT_ERROR',
  'ER_SERVER_SHUTDOWN',
  'ER_CONNECTION_KILLED',
  'POOL_CLOSED',
]);

/** Every session: UTC dates, and backslash escapes understood whatever the server's sql_mode. */
export const SESSION_SETUP =
  "SET time_zone = '+00:00', sql_mode = TRIM(BOTH ',' FROM " +
  "REPLACE(CONCAT(',', @@SESSION.sql_mode, ','), ',NO_BACKSLASH_ESCAPES,', ','))";

/** MySQL and MariaDB through a mysql2 pool (openMysql). */
export const mysqlDialect: StoreDialect = {
  name: 'mysql',
  healthName: 'mysql',
  createAdapter: () => new MysqlAdapter(),
  createQueryCompiler: () => new MysqlQueryCompiler(),
  sql: {
    // At a million rows MariaDB's optimizer answers a big environment's newest deployment by intersecting the
    // original's single-column indexes and sorting the intersection (a second per lookup), or walks the
    // whole date index when its statistics promise an early match (as slow when the environment's
    // deployments are old). Naming the composite index makes every such read a short backward range scan.
    versionsThrough: <A extends string = 'versions'>(index: VersionsIndex, alias?: A) => {
      const name = (alias ?? 'versions') as A;
      return sql<VersionsTable>`versions`.as<A>(sql`${sql.raw(name)} FORCE INDEX (${sql.raw(index)})`);
    },
    // mysql2 with timezone 'Z' writes a Date as its UTC wall-clock time.
    toDbDate: (date) => date,
    utcDay: (column) => sql<string>`date_format(${sql.ref(column)}, '%Y-%m-%d')`,
    secondsBetween: (start, end) => sql<string>`(timestampdiff(microsecond, ${start}, ${end}) / 1000000)`,
    countDeployment: (trx, key) =>
      trx
        .insertInto('versions_environments')
        .values({ ...key, deployments: 1 })
        .onDuplicateKeyUpdate({ deployments: sql`deployments + 1` }),
    countDay: (trx, key) =>
      trx
        .insertInto('versions_daily_counts')
        .values({ ...key, deployments: 1 })
        .onDuplicateKeyUpdate({ deployments: sql`deployments + 1` }),
    addToDoraRollup: (trx, rows) =>
      trx
        .insertInto('versions_dora_rollup')
        .values([...rows])
        .onDuplicateKeyUpdate({ deployments: sql`deployments + VALUES(deployments)` }),
    forUpdate: (query) => query.forUpdate(),
    lastInsertId: sql<number>`LAST_INSERT_ID()`,
    unindexed: (column) => column,
    // LIKE 'text%' is sought as a range of the index (utf8mb4_bin compares code points).
    prefixRange: () => undefined,
  },
  errors: {
    isUnavailable(error) {
      if (isNetworkError(error)) return true;
      const code = errorCode(error) ?? '';
      if (UNAVAILABLE_CODES.has(code)) return true;
      if ((error as { fatal?: boolean } | null)?.fatal === true) return true;
      const message = error instanceof Error ? error.message : '';
      return /closed state|Pool is closed|connect ETIMEDOUT|Connection lost/i.test(message);
    },
    // ER_LOCK_DEADLOCK and ER_LOCK_WAIT_TIMEOUT: InnoDB asks for the transaction to be run again.
    isRetryable: (error) => ['ER_LOCK_DEADLOCK', 'ER_LOCK_WAIT_TIMEOUT'].includes(errorCode(error) ?? ''),
  },
  create: createInBatchWithInsertId,
  // A correlated subquery's range on an outer column is not sought in an index here (strategies.ts).
  doraMeasuring: 'onePassInOrder',
};

/** Opens a mysql2 pool (nothing is queried yet); every session runs in UTC so DATETIME values are UTC. */
export function openMysql(connection: MysqlConnection, log: Logger): StoreConnection {
  const pool = createPool({
    host: connection.host,
    port: connection.port,
    socketPath: connection.socketPath,
    user: connection.user,
    password: connection.password,
    database: connection.database,
    ssl: connection.ssl ? {} : undefined,
    charset: 'utf8mb4',
    timezone: 'Z',
    connectionLimit: 10,
    maxPreparedStatements: PREPARED_PER_CONNECTION,
    connectTimeout: 3000,
    enableKeepAlive: true,
    supportBigNumbers: true,
    bigNumberStrings: false,
  });
  pool.on('connection', (conn) => {
    // Queued before any query of the pool on this connection. Values go to the server apart from the SQL
    // (withPreparedStatements), but a query() with values would have mysql2 escape them on the client with
    // backslashes; a server whose sql_mode has NO_BACKSLASH_ESCAPES reads \' as a backslash and the end of
    // the string, so a value could end its literal and inject SQL. Taking that one mode out of the session
    // keeps every other mode the server sets, and keeps any such query safe.
    conn.query(SESSION_SETUP);
    conn.on('error', (error) =>
      log.warn({ err: error.message }, 'mysql connection lost; it will be reopened'),
    );
  });
  const db = new Kysely<Database>({ dialect: new MysqlDialect({ pool: withPreparedStatements(pool) }) });
  const internals = pool as unknown as {
    _allConnections?: { length: number };
    _freeConnections?: { length: number };
  };
  return {
    db,
    executeAtomically: executeInTransaction(db),
    poolStats() {
      const all = internals._allConnections?.length ?? 0;
      const free = internals._freeConnections?.length ?? 0;
      return { inUse: all - free, idle: free };
    },
    close: () => db.destroy(),
  };
}

/**
 * The pool as Kysely sees it, its queries with values sent as server-side prepared statements: mysql2's
 * execute() prepares each distinct text once per connection (kept in its cache, see PREPARED_PER_CONNECTION)
 * and then sends only the statement's id and the values, in binary, so the server parses the SQL once and no
 * value is ever escaped into SQL text. Kysely's MysqlDriver calls query(); queries without values (DDL,
 * BEGIN, COMMIT, multi-statement migrations, some of which cannot be prepared) and streams keep it.
 */
function withPreparedStatements(pool: Pool): MysqlPool {
  const wrap = (connection: PoolConnection): MysqlPoolConnection => ({
    query: ((text: string, values: unknown[], callback?: (error: unknown, result: unknown) => void) => {
      if (!callback || values.length === 0) return connection.query(text, values, callback as never);
      try {
        connection.execute(text, values as never, callback as never);
      } catch (error) {
        // execute() throws at once for a value it cannot send (undefined): fail the query, as query() does.
        callback(error, undefined);
      }
    }) as MysqlPoolConnection['query'],
    release: () => connection.release(),
  });
  return {
    getConnection: (callback) =>
      pool.getConnection((error, connection) =>
        callback(error, error ? (connection as never) : wrap(connection)),
      ),
    end: (callback) => pool.end(callback),
  };
}
