import {
  Kysely,
  PostgresAdapter,
  PostgresDialect,
  PostgresQueryCompiler,
  sql,
  type PostgresPool,
  type PostgresPoolClient,
  type SqlBool,
} from 'kysely';
import pg from 'pg';
import type { Logger } from 'pino';
import type { Database } from '../schema.js';
import {
  errorCode,
  executeInTransaction,
  isNetworkError,
  parseUtcDate,
  prefixSuccessor,
  upsertDailyCount,
  upsertDoraRollup,
  upsertEnvironmentCount,
  versionsTable,
  type StoreConnection,
  type StoreDialect,
} from './dialect.js';
import { createInOneStatement } from './strategies.js';

const TIMESTAMP_OID = 1114;
const INT8_OID = 20;

const CONNECT_TIMEOUT_MS = 3000;
/** How long a query may wait for its answer before its connection is dropped (a 503). */
const QUERY_TIMEOUT_MS = 15_000;
/**
 * Named statements kept prepared on each connection; past this the least recently used one is deallocated.
 * The service sends a few dozen distinct texts; the bound is for texts that vary with their input (an IN list
 * as long as the values it is given), which would otherwise pile up in every backend's memory.
 */
const PREPARED_PER_CONNECTION = 256;
/** PostgreSQL's answer when a prepared statement's result columns changed under it (a DDL since its Parse). */
const CACHED_PLAN_CHANGED = /cached plan must not change result type/;

/** A client that gives up opening a connection after 3 s, so requests get a 503 instead of hanging. */
class FastFailClient extends pg.Client {
  constructor(config?: pg.ClientConfig) {
    super({ ...config, connectionTimeoutMillis: CONNECT_TIMEOUT_MS });
  }
}

/** PostgreSQL through a pg pool (openPostgres). */
export const postgresDialect: StoreDialect = {
  name: 'postgres',
  healthName: 'postgresql',
  createAdapter: () => new PostgresAdapter(),
  createQueryCompiler: () => new PostgresQueryCompiler(),
  sql: {
    versionsThrough: (_index, alias) => versionsTable(alias),
    // An ISO string with Z: a `timestamp` column keeps its wall-clock part, which is UTC.
    toDbDate: (date) => date.toISOString(),
    utcDay: (column) => sql<string>`to_char(${sql.ref(column)}, 'YYYY-MM-DD')`,
    secondsBetween: (start, end) => sql<string>`extract(epoch from (${end} - ${start}))`,
    countDeployment: upsertEnvironmentCount,
    countDay: upsertDailyCount,
    addToDoraRollup: upsertDoraRollup,
    forUpdate: (query) => query.forUpdate(),
    lastInsertId: sql<number>`lastval()`,
    unindexed: (column) => column,
    // The byte-wise comparisons of idx_versions_environment_version's version (varchar_pattern_ops, whatever
    // the database's collation). LIKE $1 alone is sought only in a plan made for its value; a statement run
    // often gets a generic plan (prepared statements, postgres.ts), which could not bound the version.
    prefixRange: (column, prefix, seek) => {
      if (!seek) return undefined;
      const next = prefixSuccessor(prefix);
      return next === undefined
        ? sql<SqlBool>`${column} ~>=~ ${prefix}`
        : sql<SqlBool>`${column} ~>=~ ${prefix} and ${column} ~<~ ${next}`;
    },
  },
  errors: {
    isUnavailable(error) {
      if (isNetworkError(error)) return true;
      const code = errorCode(error) ?? '';
      // 08xxx connection exceptions, 57P0x shutdown/cannot connect now, 53300 too many connections.
      if (/^(08|57P0)/.test(code) || code === '53300') return true;
      const message = error instanceof Error ? error.message : '';
      return /Connection terminated|timeout exceeded when trying to connect|Query read timeout|connection timeout/i.test(
        message,
      );
    },
    // 40001 serialization failure, 40P01 deadlock; and a named statement whose result type changed under it
    // inside a transaction: its name is dropped (withCallbackQueries), so the transaction's next run parses
    // the statement again.
    isRetryable: (error) =>
      ['40001', '40P01'].includes(errorCode(error) ?? '') ||
      (errorCode(error) === '0A000' && CACHED_PLAN_CHANGED.test((error as Error).message)),
  },
  create: createInOneStatement,
  doraMeasuring: 'seekPerFailure',
};

/** Opens a pg pool (nothing is queried yet); `timestamp` columns (the original's type) hold UTC. */
export function openPostgres(connectionString: string, log: Logger): StoreConnection {
  const pool = new pg.Pool({
    connectionString,
    application_name: 'versions',
    max: 10,
    // pg-pool counts this from the moment a query asks for a client, so it bounds the wait in the queue
    // during a burst; opening a connection has its own, shorter limit (FastFailClient).
    connectionTimeoutMillis: 15_000,
    Client: FastFailClient,
    idleTimeoutMillis: 30_000,
    keepAlive: true,
    options: '-c TimeZone=UTC -c statement_timeout=10000',
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
        if (oid === TIMESTAMP_OID) return (value: string) => parseUtcDate(value);
        if (oid === INT8_OID) return (value: string) => Number(value);
        return pg.types.getTypeParser(oid, format);
      }) as typeof pg.types.getTypeParser,
    },
  });
  // A client whose server goes away emits 'error'; pg-pool listens only while the client is idle, so a
  // client checked out at that moment would crash the process. Every client gets its own listener; the
  // query it was running fails on its own and is answered 503.
  pool.on('connect', (client) => {
    client.on('error', (error) =>
      log.warn({ err: error.message }, 'postgresql connection lost; it will be reopened'),
    );
  });
  pool.on('error', () => undefined);
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: withCallbackQueries(pool) }) });
  return {
    db,
    executeAtomically: executeInTransaction(db),
    poolStats: () => ({ inUse: pool.totalCount - pool.idleCount, idle: pool.idleCount }),
    close: () => db.destroy(),
  };
}

/**
 * The pool as Kysely sees it: its clients run queries through pg's callback API, and a query that waits more
 * than QUERY_TIMEOUT_MS for its answer (a server that froze, a network that dropped without a reset) has its
 * connection destroyed, which fails it. pg's own query_timeout arms a timer per query, and Kysely calls pg's
 * promise API: under load either one made V8 move every result's rows to its old generation, costing CPU
 * and resident memory (measured in bench/README.md).
 *
 * Every query with parameters runs as a named prepared statement, one name per distinct SQL text and
 * connection: PostgreSQL then parses, analyses and (once it settles on a generic plan) plans it once per
 * connection instead of at every request, as it does for pg's unnamed statement. Kysely builds the same text
 * for the same query, so the text is the key. Queries without parameters keep the simple protocol, which
 * allows several statements in one text (migrations).
 */
function withCallbackQueries(pool: pg.Pool): PostgresPool {
  const clients = new WeakMap<pg.PoolClient, PostgresPoolClient>();
  /** The clients waiting for an answer, and since when. */
  const waiting = new Map<pg.PoolClient, number>();
  /** Statement names are never reused in the process, so that pg never sees one name with two texts. */
  let lastName = 0;
  const watchdog = setInterval(() => {
    const sentBefore = Date.now() - QUERY_TIMEOUT_MS;
    for (const [client, sentAt] of waiting) {
      if (sentAt > sentBefore) continue;
      waiting.delete(client);
      // The driver boundary: pg keeps the socket on `connection.stream`; destroying it fails the query
      // ("Connection terminated unexpectedly") and pg-pool then drops the client.
      (client as unknown as PgInternals).connection.stream.destroy();
    }
  }, 1000);
  watchdog.unref();
  const wrap = (client: pg.PoolClient): PostgresPoolClient => {
    /** SQL text → statement name on this connection; Map order is recency, the least recent first. */
    const names = new Map<string, string>();
    const forget = (text: string, name: string, then: () => void = () => undefined) => {
      names.delete(text);
      // pg remembers what it parsed on the connection (by name, unbounded): forget it there too, and free
      // the backend's copy. Queued behind whatever the client runs now; a failure (an aborted transaction)
      // only leaves the old plan in the backend until the connection closes, as its name is never reused.
      delete (client as unknown as PgInternals).connection.parsedStatements[name];
      client.query(`DEALLOCATE ${name}`, () => then());
    };
    const nameFor = (text: string): string => {
      const known = names.get(text);
      if (known !== undefined) {
        names.delete(text);
        names.set(text, known);
        return known;
      }
      const name = `versions_${(lastName += 1)}`;
      names.set(text, name);
      if (names.size > PREPARED_PER_CONNECTION) {
        const [oldestText, oldestName] = names.entries().next().value as [string, string];
        forget(oldestText, oldestName);
      }
      return name;
    };
    const send = (text: string, values: unknown[], retried: boolean) =>
      new Promise<pg.QueryResult>((resolve, reject) => {
        const name = values.length > 0 ? nameFor(text) : undefined;
        waiting.set(client, Date.now());
        client.query({ text, values, name }, (error: Error | null, result: pg.QueryResult) => {
          waiting.delete(client);
          if (!error) return resolve(result);
          if (name !== undefined && CACHED_PLAN_CHANGED.test(error.message)) {
            // A DDL changed the statement's result columns since this connection prepared it (a migration
            // of another replica): parse it afresh under a new name. Outside a transaction at once; inside
            // one the transaction has failed, and isRetryable() has it run again.
            // The status of the last ReadyForQuery, the one before this query: 'I' is outside a transaction.
            // The retry waits for the DEALLOCATE's answer: pg is still busy with this query now, and
            // queueing two behind it is deprecated in pg.
            if (!retried && client.getTransactionStatus() === 'I') {
              return forget(text, name, () => resolve(send(text, values, true)));
            }
            forget(text, name);
          }
          reject(error);
        });
      });
    return {
      // pg types `command` as any string, Kysely as the few it reads.
      query: ((text: string, parameters: readonly unknown[]) =>
        send(text, [...parameters], false)) as unknown as PostgresPoolClient['query'],
      // pg-pool gives the client a new release() at every checkout: look it up when releasing.
      release: (destroy) => client.release(destroy),
    };
  };
  return {
    async connect() {
      const client = await pool.connect();
      let wrapped = clients.get(client);
      if (!wrapped) clients.set(client, (wrapped = wrap(client)));
      return wrapped;
    },
    end: () => {
      clearInterval(watchdog);
      return pool.end();
    },
  };
}

/** pg's internals this file reaches into, at the driver boundary. */
interface PgInternals {
  connection: { stream: { destroy(): void }; parsedStatements: Record<string, string> };
}
