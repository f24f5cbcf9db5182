// The bench's own databases: created fresh on the machine's servers (versions_bench_* on PostgreSQL and
// MariaDB, a temporary file for SQLite), migrated by the service's own migrations, filled with the
// database's bulk SQL, and dropped at the end.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import SQLite from 'better-sqlite3';
import mysql from 'mysql2/promise';
import pg from 'pg';
import type { DatabaseConfig, DialectName } from '../src/config.js';
import { createLogger } from '../src/logger.js';
import { StoreDatabase } from '../src/store/database.js';
import { rollUpDeployments } from '../src/store/migrations/2026-12-03-01-dora-rollup.js';
import { MYSQL_ADMIN, POSTGRES_ADMIN_URI } from '../test/helpers/servers.js';
import { timed } from './progress.js';
import { historyStart, insertDeploymentsSql, type SqlFlavour } from './dataset.js';

export { MYSQL_ADMIN, POSTGRES_ADMIN_URI };

export interface BenchDatabase {
  dialect: DialectName;
  rows: number;
  config: DatabaseConfig;
  /** SQL_DRIVER and DB_URI for a server process. */
  env: Record<string, string>;
  /** Seconds the fill took (insert, history, counts, original's table, statistics). */
  fillSeconds: number;
}

const FLAVOURS: Record<DialectName, SqlFlavour> = {
  postgres: {
    series: (n) => `generate_series(1::bigint, ${n}) AS g(i)`,
    div: (a, b) => `(${a} / ${b})`,
    date: (i, n, step) =>
      `(TIMESTAMP '${sqlTimestamp(historyStart(n, step))}' + ${i} * INTERVAL '${step} seconds')`,
  },
  mysql: {
    // MariaDB's Sequence engine: a virtual table of every integer in a range, no storage.
    series: (n) => `(SELECT seq AS i FROM seq_1_to_${n}) AS g`,
    div: (a, b) => `(${a} DIV ${b})`,
    date: (i, n, step) =>
      `(TIMESTAMP '${sqlTimestamp(historyStart(n, step))}' + INTERVAL (${i} * ${step}) SECOND)`,
  },
  sqlite: {
    series: (n) =>
      `(WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < ${n}) SELECT i FROM s) AS g`,
    div: (a, b) => `(${a} / ${b})`,
    // The service stores ISO 8601 text with milliseconds and Z; strftime writes exactly that form.
    date: (i, n, step) =>
      `strftime('%Y-%m-%dT%H:%M:%fZ', ${Math.floor(historyStart(n, step).getTime() / 1000)} + ${i} * ${step}, 'unixepoch')`,
  },
};

function sqlTimestamp(date: Date): string {
  return date.toISOString().replace('T', ' ').replace('Z', '');
}

/**
 * The start of the bench's database names: VERSIONS_BENCH_PREFIX when set, so that two engineers can run
 * benches on one machine's servers without dropping each other's databases (set TMPDIR apart too: the list
 * of kept databases lives there).
 */
export const BENCH_PREFIX = process.env.VERSIONS_BENCH_PREFIX ?? 'versions_bench';

/** A new database of that dialect holding `rows` deployments (and the original's copy when asked). */
export async function createBenchDatabase(
  dialect: DialectName,
  rows: number,
  withOriginal: boolean,
  name = `${BENCH_PREFIX}_${rows >= 1_000_000 ? `${rows / 1_000_000}m` : `${rows / 1000}k`}`,
): Promise<BenchDatabase> {
  const config = await createEmpty(dialect, name);
  const started = performance.now();
  // The service's own migrations make the schema; the bulk SQL then fills it.
  await (await StoreDatabase.open(config, createLogger('silent'), 10)).close();
  await fill(config, rows, withOriginal);
  // The DORA rollup, as the creates would have kept it: computed by its migration's code from the rows.
  const store = await StoreDatabase.open(config, createLogger('silent'), 10);
  try {
    await store.db.deleteFrom('versions_dora_rollup').execute();
    await timed(`${config.dialect} ${rows} rows: DORA rollup`, () => rollUpDeployments(store.db));
  } finally {
    await store.close();
  }
  return { dialect, rows, config, env: serverEnv(config), fillSeconds: (performance.now() - started) / 1000 };
}

/** Removes a database made by createBenchDatabase. */
export async function dropBenchDatabase({ config }: BenchDatabase): Promise<void> {
  switch (config.dialect) {
    case 'sqlite':
      rmSync(dirname(config.file), { recursive: true, force: true });
      return;
    case 'postgres': {
      const name = new URL(config.connectionString).pathname.slice(1);
      await withPostgres((client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
      return;
    }
    case 'mysql':
      await withMysql((connection) => connection.query(`DROP DATABASE IF EXISTS ${config.mysql.database}`));
      return;
  }
}

async function createEmpty(dialect: DialectName, name: string): Promise<DatabaseConfig> {
  switch (dialect) {
    case 'sqlite':
      return { dialect: 'sqlite', file: join(mkdtempSync(join(tmpdir(), `${name}-`)), 'versions.sqlite') };
    case 'postgres': {
      // Leftovers of an interrupted run are dropped first.
      await withPostgres((client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
      await withPostgres((client) => client.query(`CREATE DATABASE ${name}`));
      const url = new URL(POSTGRES_ADMIN_URI);
      url.pathname = `/${name}`;
      url.search = '?sslmode=disable';
      return { dialect: 'postgres', connectionString: url.toString() };
    }
    case 'mysql':
      await withMysql((connection) => connection.query(`DROP DATABASE IF EXISTS ${name}`));
      await withMysql((connection) => connection.query(`CREATE DATABASE ${name}`));
      return { dialect: 'mysql', mysql: { ...MYSQL_ADMIN, database: name, ssl: false } };
  }
}

/** SQL text run on a database of the bench, on a connection of its own (no pool time-outs); its rows. */
type Query = (text: string) => Promise<Array<Record<string, unknown>>>;

const FILLED_TABLES = [
  'versions',
  'versions_status_history',
  'versions_environments',
  'versions_daily_counts',
];

/** The UTC day of a date column, as the daily-counts migration computes it. */
const UTC_DAY: Record<DialectName, string> = {
  sqlite: 'substr(date, 1, 10)',
  postgres: "to_char(date, 'YYYY-MM-DD')",
  mysql: "date_format(date, '%Y-%m-%d')",
};

async function fill(config: DatabaseConfig, rows: number, withOriginal: boolean): Promise<void> {
  const label = `${config.dialect} ${rows} rows`;
  await withConnection(config, async (untimed) => {
    const query: Query = (text) =>
      timed(`${label}: ${text.trim().split(/\s+/).slice(0, 3).join(' ')}`, () => untimed(text));
    // Building an index once over sorted keys is much faster than inserting a million random keys into
    // seven of them: the migrations' indexes are set aside during the load and created again, as they were.
    const indexes = await secondaryIndexes(query, config.dialect);
    for (const drop of indexes.drops) await query(drop);
    await query(insertDeploymentsSql(FLAVOURS[config.dialect], rows));
    // One history entry per deployment (its status at its date), as the status-history migration does for
    // rows it adopts; one counts row per environment, as the creates would have kept it.
    await query(`INSERT INTO versions_status_history (versions_id, status, date)
      SELECT versions_id, status, date FROM versions ORDER BY versions_id`);
    await query('DELETE FROM versions_environments');
    await query(`INSERT INTO versions_environments (workload, platform, environment, deployments)
      SELECT workload, platform, environment, COUNT(*) FROM versions GROUP BY workload, platform, environment`);
    // And the daily counts, as the creates would have kept them (src/store/daily-counts.ts).
    const day = UTC_DAY[config.dialect];
    await query('DELETE FROM versions_daily_counts');
    await query(`INSERT INTO versions_daily_counts (day, workload, platform, environment, status, deployments)
      SELECT ${day}, workload, platform, environment, status, COUNT(*) FROM versions
      GROUP BY ${day}, workload, platform, environment, status`);
    for (const create of indexes.creates) await query(create);
    if (withOriginal) await createOriginalTable(query, config.dialect);
    // What autovacuum (PostgreSQL) and persistent statistics (InnoDB) do soon after a bulk load on their
    // own. SQLite gathers none unless asked: the service is measured as users get it, without them.
    if (config.dialect === 'postgres') await query('VACUUM ANALYZE');
    if (config.dialect === 'mysql') {
      await query(`ANALYZE TABLE ${FILLED_TABLES.join(', ')}${withOriginal ? ', versions_original' : ''}`);
    }
  });
}

/** The indexes of the filled tables other than primary keys, as statements that drop and recreate them. */
async function secondaryIndexes(
  query: Query,
  dialect: DialectName,
): Promise<{ drops: string[]; creates: string[] }> {
  const tables = FILLED_TABLES.map((table) => `'${table}'`).join(', ');
  switch (dialect) {
    case 'sqlite': {
      // Automatic indexes (primary keys, UNIQUE) have no SQL text and are left alone.
      const found = await query(`SELECT name, sql FROM sqlite_master
        WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN (${tables})`);
      return {
        drops: found.map((row) => `DROP INDEX ${String(row.name)}`),
        creates: found.map((row) => String(row.sql)),
      };
    }
    case 'postgres': {
      const found = await query(`SELECT i.indexname, i.indexdef FROM pg_indexes i
        WHERE i.schemaname = current_schema() AND i.tablename IN (${tables})
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)`);
      return {
        drops: found.map((row) => `DROP INDEX ${String(row.indexname)}`),
        creates: found.map((row) => String(row.indexdef)),
      };
    }
    case 'mysql': {
      const found = await query(`SELECT table_name AS t, index_name AS i,
          GROUP_CONCAT(CONCAT('\`', column_name, '\`', IFNULL(CONCAT('(', sub_part, ')'), ''))
            ORDER BY seq_in_index SEPARATOR ', ') AS columns
        FROM information_schema.statistics
        WHERE table_schema = DATABASE() AND table_name IN (${tables}) AND index_name <> 'PRIMARY'
        GROUP BY table_name, index_name`);
      // One ALTER per table: InnoDB then reads the table once for all of its indexes.
      const byTable = new Map<string, string[]>();
      for (const row of found) {
        const table = String(row.t);
        byTable.set(table, [
          ...(byTable.get(table) ?? []),
          `ADD INDEX \`${String(row.i)}\` (${String(row.columns)})`,
        ]);
      }
      return {
        drops: found.map((row) => `DROP INDEX \`${String(row.i)}\` ON ${String(row.t)}`),
        creates: [...byTable].map(([table, adds]) => `ALTER TABLE ${table} ${adds.join(', ')}`),
      };
    }
  }
}

async function withConnection(config: DatabaseConfig, work: (query: Query) => Promise<void>): Promise<void> {
  switch (config.dialect) {
    case 'sqlite': {
      const connection = new SQLite(config.file);
      // A bulk load only: a big page cache keeps the indexes being built in memory.
      connection.pragma('cache_size = -262144');
      connection.pragma('synchronous = OFF');
      try {
        connection.exec('BEGIN');
        await work(async (text) => {
          const statement = connection.prepare(text);
          if (statement.reader) return statement.all() as Array<Record<string, unknown>>;
          statement.run();
          return [];
        });
        connection.exec('COMMIT');
      } finally {
        connection.close();
      }
      return;
    }
    case 'postgres': {
      const client = new pg.Client({ connectionString: config.connectionString });
      await client.connect();
      // As pg_restore loads data: foreign-key triggers off (the rows are consistent by construction, and a
      // million checks would double the load), and memory enough to sort an index in one go.
      await client.query("SET session_replication_role = 'replica'");
      await client.query("SET maintenance_work_mem = '256MB'");
      try {
        await work(async (text) => (await client.query(text)).rows as Array<Record<string, unknown>>);
      } finally {
        await client.end();
      }
      return;
    }
    case 'mysql': {
      const connection = await mysql.createConnection({ ...config.mysql, ssl: undefined });
      try {
        await connection.query("SET time_zone = '+00:00'");
        await work(async (text) => {
          const [result] = await connection.query(text);
          return Array.isArray(result) ? (result as Array<Record<string, unknown>>) : [];
        });
      } finally {
        await connection.end();
      }
      return;
    }
  }
}

/**
 * The Go original's table beside ours: the same rows, only its primary key and single-column indexes.
 * The original ran on PostgreSQL and MySQL only, so SQLite gets none.
 */
async function createOriginalTable(run: Query, dialect: DialectName) {
  if (dialect === 'sqlite') return;
  if (dialect === 'mysql') {
    await run(`CREATE TABLE versions_original (PRIMARY KEY (versions_id)) ENGINE=InnoDB
      SELECT * FROM versions`);
  } else {
    await run('CREATE TABLE versions_original AS SELECT * FROM versions');
    await run('ALTER TABLE versions_original ADD PRIMARY KEY (versions_id)');
  }
  const columns = ['workload', 'environment', 'version', 'status'];
  if (dialect === 'mysql') {
    const adds = columns.map((column) => `ADD INDEX idx_original_${column} (${column})`);
    await run(`ALTER TABLE versions_original ${adds.join(', ')}`);
  } else {
    for (const column of columns) {
      await run(`CREATE INDEX idx_original_${column} ON versions_original (${column})`);
    }
  }
}

export function serverEnv(config: DatabaseConfig): Record<string, string> {
  switch (config.dialect) {
    case 'sqlite':
      return { SQL_DRIVER: 'sqlite', DB_URI: config.file };
    case 'postgres':
      return { SQL_DRIVER: 'postgres', DB_URI: config.connectionString };
    case 'mysql': {
      const { user, password, host, port, database } = config.mysql;
      return { SQL_DRIVER: 'mysql', DB_URI: `mysql://${user}:${password}@${host}:${port}/${database}` };
    }
  }
}

async function withPostgres<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URI });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

async function withMysql<T>(work: (connection: mysql.Connection) => Promise<T>): Promise<T> {
  const connection = await mysql.createConnection({ ...MYSQL_ADMIN });
  try {
    return await work(connection);
  } finally {
    await connection.end();
  }
}
