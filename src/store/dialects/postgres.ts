import { Kysely, PostgresDialect, sql, type PostgresPool, type PostgresPoolClient } from 'kysely';
import pg from 'pg';
import type { Logger } from 'pino';
import type { Database } from '../schema.js';
import {
  errorCode,
  executeInTransaction,
  isNetworkError,
  parseUtcDate,
  upsertDailyCount,
  upsertEnvironmentCount,
  versionsTable,
  type StoreDialect,
} from './dialect.js';

const TIMESTAMP_OID = 1114;
const INT8_OID = 20;

const CONNECT_TIMEOUT_MS = 3000;
/** How long a query may wait for its answer before its connection is dropped (a 503). */
const QUERY_TIMEOUT_MS = 15_000;

/** A client that gives up opening a connection after 3 s, so requests get a 503 instead of hanging. */
class FastFailClient extends pg.Client {
  constructor(config?: pg.ClientConfig) {
    super({ ...config, connectionTimeoutMillis: CONNECT_TIMEOUT_MS });
  }
}

/** PostgreSQL through a pg pool; `timestamp` columns (the original's type) hold UTC. */
export function openPostgres(connectionString: string, log: Logger): StoreDialect {
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
    name: 'postgres',
    healthName: 'postgresql',
    db,
    supportsReturning: true,
    supportsWritesInWith: true,
    versionsThrough: versionsTable,
    seeksByOuterRange: true,
    // An ISO string with Z: a `timestamp` column keeps its wall-clock part, which is UTC.
    toDbDate: (date) => date.toISOString(),
    utcDay: (column) => sql<string>`to_char(${sql.ref(column)}, 'YYYY-MM-DD')`,
    secondsBetween: (start, end) => sql<string>`extract(epoch from (${end} - ${start}))`,
    countDeployment: upsertEnvironmentCount,
    countDay: upsertDailyCount,
    supportsForUpdate: true,
    lastInsertId: sql<number>`lastval()`,
    executeAtomically: executeInTransaction(db),
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
    // 40001 serialization failure, 40P01 deadlock.
    isRetryable: (error) => ['40001', '40P01'].includes(errorCode(error) ?? ''),
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
 */
function withCallbackQueries(pool: pg.Pool): PostgresPool {
  const clients = new WeakMap<pg.PoolClient, PostgresPoolClient>();
  /** The clients waiting for an answer, and since when. */
  const waiting = new Map<pg.PoolClient, number>();
  const watchdog = setInterval(() => {
    const sentBefore = Date.now() - QUERY_TIMEOUT_MS;
    for (const [client, sentAt] of waiting) {
      if (sentAt > sentBefore) continue;
      waiting.delete(client);
      // The driver boundary: pg keeps the socket on `connection.stream`; destroying it fails the query
      // ("Connection terminated unexpectedly") and pg-pool then drops the client.
      (client as unknown as { connection: { stream: { destroy(): void } } }).connection.stream.destroy();
    }
  }, 1000);
  watchdog.unref();
  const wrap = (client: pg.PoolClient): PostgresPoolClient => ({
    // pg types `command` as any string, Kysely as the few it reads.
    query: ((text: string, parameters: readonly unknown[]) =>
      new Promise<pg.QueryResult>((resolve, reject) => {
        waiting.set(client, Date.now());
        client.query(text, [...parameters], (error, result) => {
          waiting.delete(client);
          if (error) reject(error);
          else resolve(result);
        });
      })) as unknown as PostgresPoolClient['query'],
    // pg-pool gives the client a new release() at every checkout: look it up when releasing.
    release: (destroy) => client.release(destroy),
  });
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
