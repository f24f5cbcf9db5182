// A database of the Go original (built here from the contract's description) is adopted in place:
// every old row reads back unchanged, ids continue, golang-migrate's bookkeeping stays at version 3.
import { Kysely, MysqlDialect, sql } from 'kysely';
import { createPool } from 'mysql2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTestDatabase,
  DIALECTS,
  withMysql,
  withPostgres,
  type TestDatabase,
} from '../helpers/databases.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';
import { STEPS as MYSQL_CONVERSION } from '../../src/store/migrations/2026-11-26-01-mysql-utc-datetime.js';

// The seed README's example content: 14 rows written on 2020-12-02.
const SEED: Array<[string, string, string, string, string]> = [
  ['teamX', 'production', 'production', '1.0.0', 'ongoing'],
  ['teamX', 'production', 'production', '1.1.0', 'deployed'],
  ['teamX', 'development', 'dev', '1.3.0', 'failed'],
  ['teamX', 'development', 'integration', '1.2.0', 'ongoing'],
  ['teamY', 'production', 'production', '1.0.0', 'deployed'],
  ['teamY', 'production', 'production', '1.1.0', 'deployed'],
  ['teamY', 'development', 'dev', '1.3.0', 'ongoing'],
  ['teamY', 'development', 'integration', '1.2.0', 'deployed'],
  ['teamZ', 'production', 'production', '1.0.0', 'deployed'],
  ['teamZ', 'production', 'production', '1.1.0', 'ongoing'],
  ['teamZ', 'development', 'dev', '1.3.0', 'deployed'],
  ['teamZ', 'development', 'integration', '1.2.0', 'deployed'],
  ['teamZ', 'development', 'test', '0.2.0', 'deployed'],
  ['teamZ', 'preproduction', 'preproduction', '1.1.0', 'deployed'],
];

const dateOf = (index: number) => (index === 13 ? '2020-12-02 19:58:11' : '2020-12-02 19:58:10');

function seedValues(): string {
  return SEED.map(
    ([workload, platform, environment, version, status], index) =>
      `('${workload}', '${platform}', '${environment}', '${version}', '', '{"a":"b"}', '${status}', '${dateOf(index)}')`,
  ).join(',\n');
}

const INSERT = `INSERT INTO versions (workload, platform, environment, version, changelog_url, raw, status, date) VALUES`;

async function buildOriginalPostgres(uri: string) {
  await withPostgres(uri, async (client) => {
    await client.query(`
      CREATE TABLE versions (
        versions_id SERIAL PRIMARY KEY,
        workload VARCHAR(100) NOT NULL, platform VARCHAR(100) NOT NULL,
        environment VARCHAR(100) NOT NULL, version VARCHAR(100) NOT NULL,
        changelog_url TEXT NOT NULL DEFAULT '', raw TEXT NOT NULL DEFAULT '',
        status TEXT NOT NULL, date TIMESTAMP NOT NULL DEFAULT now());
      CREATE INDEX idx_workload ON versions (workload);
      CREATE INDEX idx_environment ON versions (environment);
      CREATE INDEX idx_version ON versions (version);
      CREATE INDEX idx_status ON versions (status);
      CREATE TABLE schema_migrations (version BIGINT NOT NULL PRIMARY KEY, dirty BOOLEAN NOT NULL);
      INSERT INTO schema_migrations VALUES (3, false);
      ${INSERT} ${seedValues()};`);
  });
}

async function buildOriginalMysql(database: string) {
  await withMysql(async (connection) => {
    await connection.query(`
      SET time_zone = @@global.time_zone;
      CREATE TABLE versions (
        versions_id INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
        workload VARCHAR(100) NOT NULL, platform VARCHAR(100) NOT NULL,
        environment VARCHAR(100) NOT NULL, version VARCHAR(100) NOT NULL,
        changelog_url TEXT NOT NULL, raw TEXT NOT NULL,
        status VARCHAR(100) NOT NULL, date TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP
      ) ENGINE=InnoDB DEFAULT CHARSET=utf8;
      CREATE INDEX idx_workload ON versions (workload);
      CREATE INDEX idx_environment ON versions (environment);
      CREATE INDEX idx_version ON versions (version);
      CREATE INDEX idx_status ON versions (status);
      CREATE TABLE schema_migrations (version BIGINT NOT NULL PRIMARY KEY, dirty BOOLEAN NOT NULL);
      INSERT INTO schema_migrations VALUES (3, false);
      ${INSERT} ${seedValues()};`);
  }, database);
}

const ORIGINAL_DIALECTS = DIALECTS.filter((dialect) => dialect !== 'sqlite');

describe.each(ORIGINAL_DIALECTS)("adopting the original's %s database", (dialect) => {
  let database: TestDatabase;
  let t: TestApp;

  beforeAll(async () => {
    database = await createTestDatabase(dialect);
    if (database.config.dialect === 'postgres') await buildOriginalPostgres(database.config.connectionString);
    if (database.config.dialect === 'mysql') await buildOriginalMysql(database.config.mysql.database);
    t = await createTestApp(dialect, { database });
  });
  afterAll(async () => {
    await t?.close();
    await database?.drop();
  });

  it('reads every old row back unchanged', async () => {
    for (const [index, [workload, platform, environment, version, status]] of SEED.entries()) {
      const response = await t.app.inject({
        method: 'GET',
        url: `/api/v1/read/raw/id?versionId=${index + 1}`,
      });
      expect(response.statusCode).toBe(200);
      expect(response.json()).toEqual({
        versions_id: index + 1,
        workload,
        platform,
        environment,
        version,
        changelog_url: '',
        raw: '{"a":"b"}',
        status,
        date: `${dateOf(index).replace(' ', 'T')}.000Z`,
      });
    }
  });

  it('answers the original API over the old rows', async () => {
    const latest = await t.app.inject({
      method: 'GET',
      url: '/api/v1/read/environment/latest?workload=teamX&environment=production&platform=production',
    });
    expect(latest.json()).toEqual({ version: '1.1.0' });
    const page = (
      await t.app.inject({
        method: 'GET',
        url: '/api/v1/read/environment?workload=teamY&platform=production&environment=production',
      })
    ).json();
    expect(page.map((row: { versions_id: number }) => row.versions_id)).toEqual([6, 5]);
    expect(page[0].total).toBe(2);
    const distinct = (await t.app.inject({ method: 'GET', url: '/api/v1/read/distinct/workloads' })).json();
    expect(distinct).toHaveLength(11);
    expect(distinct[0]).toEqual({ workload: 'teamX', platform: 'development', environment: 'dev' });
  });

  it('continues the ids and keeps golang-migrate at version 3 with the old indexes', async () => {
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/v1/create',
      payload: { workload: 'teamX', platform: 'production', environment: 'production', version: '2.0.0🚀' },
    });
    expect(created.json()).toEqual({ versionId: 15 });
    const db = t.storeDatabase.db;
    const { rows } = await sql<{
      version: number;
      dirty: boolean | number;
    }>`SELECT version, dirty FROM schema_migrations`.execute(db);
    expect(rows.map((row) => [Number(row.version), Boolean(row.dirty)])).toEqual([[3, false]]);
    const indexes = (await db.introspection.getTables()).find((table) => table.name === 'versions');
    expect(indexes).toBeDefined();
    const names =
      dialect === 'postgres'
        ? (
            await sql<{
              indexname: string;
            }>`SELECT indexname FROM pg_indexes WHERE tablename = 'versions'`.execute(db)
          ).rows.map((row) => row.indexname)
        : (await sql<{ Key_name: string }>`SHOW INDEX FROM versions`.execute(db)).rows.map(
            (row) => row.Key_name,
          );
    for (const name of [
      'idx_workload',
      'idx_environment',
      'idx_version',
      'idx_status',
      'idx_versions_environment_date',
    ]) {
      expect(names).toContain(name);
    }
  });

  it('gives every old row one history entry (its status at its date)', async () => {
    const { rows } = await sql<{
      count: number | string;
    }>`SELECT COUNT(*) AS count FROM versions_status_history WHERE versions_id <= 14`.execute(
      t.storeDatabase.db,
    );
    expect(Number(rows[0]?.count)).toBe(14);
  });

  it('keeps UTC, and the date column holds dates past 2038 (MySQL TIMESTAMP became DATETIME)', async () => {
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/v1/update/status',
      payload: { versionId: 1, status: 'deployed' },
    });
    expect(created.statusCode).toBe(200);
    const row = (await t.app.inject({ method: 'GET', url: '/api/v1/read/raw/id?versionId=1' })).json();
    expect(row.date).toBe('2020-12-02T19:58:10.000Z');
    const { rows } = await sql<{ type: string }>`SELECT ${sql.raw(
      dialect === 'postgres'
        ? "data_type AS type FROM information_schema.columns WHERE table_name = 'versions' AND column_name = 'date'"
        : "DATA_TYPE AS type FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = 'versions' AND column_name = 'date'",
    )}`.execute(t.storeDatabase.db);
    expect(rows[0]?.type).toMatch(dialect === 'postgres' ? /timestamp/ : /datetime/);
    const future = await t.storeDatabase.db
      .insertInto('versions')
      .values({
        workload: 'far',
        platform: 'future',
        environment: 'e',
        version: '9.9.9',
        changelog_url: '',
        raw: '',
        status: 'deployed',
        date: t.storeDatabase.sql.toDbDate(new Date('2040-06-01T10:00:00.000Z')),
      })
      .executeTakeFirstOrThrow();
    const id = Number(future.insertId ?? 0) || 16;
    const read = (await t.app.inject({ method: 'GET', url: `/api/v1/read/raw/id?versionId=${id}` })).json();
    expect(read.date).toBe('2040-06-01T10:00:00.000Z');
  });
});

// The original's own DDL (its sql/<driver>/N_*.up.sql files, as golang-migrate applied them), and rows of
// every shape its schema allows: NULL changelog_url and raw (its columns were `text DEFAULT NULL`), an empty
// status (its migration 2 made '' the default), statuses written before it lower-cased them, names at the
// 100-character limit. NULL reads back as '' — what the original's own migration 2 turned NULL into on MySQL
// (its reads of a NULL row failed outright) — and everything else exactly as stored.
const LONG = { workload: 'é'.repeat(100), platform: 'p'.repeat(100), environment: 'ü'.repeat(100) };
const ODD_ROWS = [
  { ...LONG, version: 'v'.repeat(100), changelog_url: null, raw: null, status: 'deployed' },
  { ...LONG, version: '1.0.1', changelog_url: 'https://example.com/1.0.1', raw: null, status: '' },
  { ...LONG, version: '1.0.2', changelog_url: null, raw: '{"a":"b"}', status: 'DEPLOYED' },
  { ...LONG, version: '1.0.3', changelog_url: '', raw: '', status: 'Ongoing' },
];
const oddValues = (quote: (value: string | null) => string) =>
  ODD_ROWS.map(
    (row, index) =>
      `(${[row.workload, row.platform, row.environment, row.version, row.changelog_url, row.raw, row.status]
        .map(quote)
        .join(', ')}, '2021-03-0${index + 1} 10:00:00')`,
  ).join(',\n');
const quoteSql = (value: string | null) => (value === null ? 'NULL' : `'${value.replace(/'/g, "''")}'`);

/** Every shape the original's migrations left a database in, per server. */
const ORIGINAL_SHAPES: Array<{ dialect: 'postgres' | 'mysql'; shape: string; ddl: string }> = [
  {
    dialect: 'postgres',
    shape: 'after its three migrations',
    ddl: `
      CREATE TABLE versions (
        versions_id SERIAL PRIMARY KEY,
        workload varchar(100) NOT NULL, platform varchar(100) NOT NULL,
        environment varchar(100) NOT NULL, version varchar(100) NOT NULL,
        changelog_url text DEFAULT NULL, raw text DEFAULT NULL,
        status text NOT NULL, date TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP);
      CREATE INDEX idx_workload ON versions (workload);
      CREATE INDEX idx_environment ON versions (environment);
      CREATE INDEX idx_version ON versions (version);
      ALTER TABLE versions ALTER COLUMN raw SET DEFAULT '';
      ALTER TABLE versions ALTER COLUMN status SET DEFAULT '';
      ALTER TABLE versions ALTER COLUMN changelog_url SET DEFAULT '';
      CREATE INDEX idx_status ON versions (status);
      CREATE TABLE schema_migrations (version bigint NOT NULL PRIMARY KEY, dirty boolean NOT NULL);
      INSERT INTO schema_migrations VALUES (3, false);`,
  },
  {
    // Its migration 2 (columns NOT NULL) stops on a NULL row under strict mode: golang-migrate leaves it dirty.
    dialect: 'mysql',
    shape: 'after its first migration',
    ddl: `
      CREATE TABLE versions (
        versions_id int(11) unsigned NOT NULL AUTO_INCREMENT,
        workload varchar(100) COLLATE utf8_unicode_ci NOT NULL,
        platform varchar(100) COLLATE utf8_unicode_ci NOT NULL,
        environment varchar(100) COLLATE utf8_unicode_ci NOT NULL,
        version varchar(100) COLLATE utf8_unicode_ci NOT NULL,
        changelog_url text COLLATE utf8_unicode_ci DEFAULT NULL,
        raw text COLLATE utf8_unicode_ci DEFAULT NULL,
        status varchar(100) COLLATE utf8_unicode_ci NOT NULL,
        date datetime NOT NULL DEFAULT current_timestamp(),
        PRIMARY KEY (versions_id),
        KEY idx_workload (workload), KEY idx_environment (environment), KEY idx_version (version)
      ) ENGINE=InnoDB AUTO_INCREMENT=1 DEFAULT CHARSET=utf8 COLLATE=utf8_unicode_ci;
      CREATE TABLE schema_migrations (version bigint NOT NULL PRIMARY KEY, dirty boolean NOT NULL);
      INSERT INTO schema_migrations VALUES (2, true);`,
  },
  {
    // Its migrations 2 and 3 as MariaDB runs them: status becomes TEXT, indexed on a 1024-character prefix.
    dialect: 'mysql',
    shape: 'after its three migrations',
    ddl: `
      CREATE TABLE versions (
        versions_id int(11) unsigned NOT NULL AUTO_INCREMENT,
        workload varchar(100) COLLATE utf8_unicode_ci NOT NULL,
        platform varchar(100) COLLATE utf8_unicode_ci NOT NULL,
        environment varchar(100) COLLATE utf8_unicode_ci NOT NULL,
        version varchar(100) COLLATE utf8_unicode_ci NOT NULL,
        changelog_url text COLLATE utf8_unicode_ci DEFAULT NULL,
        raw text COLLATE utf8_unicode_ci DEFAULT NULL,
        status varchar(100) COLLATE utf8_unicode_ci NOT NULL,
        date datetime NOT NULL DEFAULT current_timestamp(),
        PRIMARY KEY (versions_id),
        KEY idx_workload (workload), KEY idx_environment (environment), KEY idx_version (version)
      ) ENGINE=InnoDB AUTO_INCREMENT=1 DEFAULT CHARSET=utf8 COLLATE=utf8_unicode_ci;
      ALTER TABLE versions MODIFY status TEXT NOT NULL DEFAULT "";
      CREATE INDEX idx_status ON versions (status);
      CREATE TABLE schema_migrations (version bigint NOT NULL PRIMARY KEY, dirty boolean NOT NULL);
      INSERT INTO schema_migrations VALUES (3, false);`,
  },
];

/** Builds the shape, then writes the odd rows (the MySQL shapes keep their NULLs: no NOT NULL yet). */
async function buildShape(database: TestDatabase, ddl: string) {
  const insert = `${INSERT} ${oddValues(quoteSql)};`;
  if (database.config.dialect === 'postgres') {
    await withPostgres(database.config.connectionString, (client) => client.query(`${ddl}\n${insert}`));
  } else if (database.config.dialect === 'mysql') {
    await withMysql((connection) => connection.query(`${ddl}\n${insert}`), database.config.mysql.database);
  }
}

describe.each(ORIGINAL_SHAPES.filter((shape) => DIALECTS.includes(shape.dialect)))(
  'adopting $dialect as the original left it $shape',
  ({ dialect, ddl }) => {
    let database: TestDatabase;
    let t: TestApp;

    beforeAll(async () => {
      database = await createTestDatabase(dialect);
      await buildShape(database, ddl);
      t = await createTestApp(dialect, { database });
    });
    afterAll(async () => {
      await t?.close();
      await database?.drop();
    });

    it('reads every row back as stored, NULL as empty', async () => {
      for (const [index, row] of ODD_ROWS.entries()) {
        const response = await t.app.inject({
          method: 'GET',
          url: `/api/v1/read/raw/id?versionId=${index + 1}`,
        });
        expect(response.statusCode, response.body).toBe(200);
        expect(response.json()).toEqual({
          versions_id: index + 1,
          ...row,
          changelog_url: row.changelog_url ?? '',
          raw: row.raw ?? '',
          date: `2021-03-0${index + 1}T10:00:00.000Z`,
        });
      }
    });

    it('pages, menus and raw reads over those rows', async () => {
      const query = new URLSearchParams(LONG).toString();
      const page = await t.app.inject({ method: 'GET', url: `/api/v1/read/environment?${query}` });
      expect(page.statusCode, page.body).toBe(200);
      expect(page.json().map((row: { version: string }) => row.version)).toEqual([
        '1.0.3',
        '1.0.2',
        '1.0.1',
        'v'.repeat(100),
      ]);
      expect(page.json()[0].total).toBe(4);
      const raw = await t.app.inject({
        method: 'GET',
        url: `/api/v1/read/raw?${query}&version=${'v'.repeat(100)}`,
      });
      expect(raw.json()).toEqual({ raw: '' });
      const whatever = await t.app.inject({
        method: 'GET',
        url: `/api/v1/read/environment/latest/whatever?${query}`,
      });
      expect(whatever.json()).toEqual({ version: '1.0.3' });
      const distinct = await t.app.inject({ method: 'GET', url: '/api/v1/read/distinct/workloads' });
      expect(distinct.json()).toEqual([LONG]);
    });

    it('takes new deployments with 100-character names and keeps the columns not null', async () => {
      const created = await t.app.inject({
        method: 'POST',
        url: '/api/v1/create',
        payload: { ...LONG, version: '🚀'.repeat(100), status: 'Deployed' },
      });
      expect(created.statusCode, created.body).toBe(201);
      expect(created.json()).toEqual({ versionId: ODD_ROWS.length + 1 });
      const row = (
        await t.app.inject({ method: 'GET', url: `/api/v1/read/raw/id?versionId=${ODD_ROWS.length + 1}` })
      ).json();
      expect(row).toMatchObject({ ...LONG, version: '🚀'.repeat(100), status: 'deployed', raw: 'N/A' });
      const { rows } = await sql<{ nullable: string }>`SELECT ${sql.raw(
        dialect === 'postgres'
          ? "is_nullable AS nullable FROM information_schema.columns WHERE table_name = 'versions' AND column_name IN ('raw', 'changelog_url')"
          : "IS_NULLABLE AS nullable FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = 'versions' AND column_name IN ('raw', 'changelog_url')",
      )}`.execute(t.storeDatabase.db);
      expect(rows.map((column) => column.nullable)).toEqual(['NO', 'NO']);
      if (dialect === 'mysql') {
        // The original's TEXT status could not take the composite indexes on status: varchar(100) again.
        const { rows: status } = await sql<{
          type: string;
        }>`SELECT COLUMN_TYPE AS type FROM information_schema.columns
          WHERE table_schema = DATABASE() AND table_name = 'versions' AND column_name = 'status'`.execute(
          t.storeDatabase.db,
        );
        expect(status[0]?.type).toBe('varchar(100)');
      }
    });
  },
);

// MySQL's DDL is not transactional: a start that fails between two conversion steps leaves the earlier ones done.
// The next start must carry on from there, whatever step it stopped at, and every row must read back as before.
describe.skipIf(!DIALECTS.includes('mysql'))('a MySQL conversion stopped half-way', () => {
  const halfShape = ORIGINAL_SHAPES.find((shape) => shape.dialect === 'mysql')!;

  async function describeVersions(database: string) {
    return withMysql(async (connection) => {
      const [columns] = await connection.query(
        `SELECT COLUMN_NAME AS name, COLUMN_TYPE AS type, IS_NULLABLE AS nullable FROM information_schema.columns
         WHERE table_schema = DATABASE() AND table_name = 'versions' AND column_name IN ('date', 'raw')
         ORDER BY column_name`,
      );
      const [tables] = await connection.query(
        `SELECT TABLE_COLLATION AS collation FROM information_schema.tables
         WHERE table_schema = DATABASE() AND table_name = 'versions'`,
      );
      return { columns, collation: (tables as Array<{ collation: string }>)[0]?.collation };
    }, database);
  }

  async function expectEveryRowBack(t: TestApp) {
    for (const [index, row] of ODD_ROWS.entries()) {
      const response = await t.app.inject({
        method: 'GET',
        url: `/api/v1/read/raw/id?versionId=${index + 1}`,
      });
      expect(response.json()).toEqual({
        versions_id: index + 1,
        ...row,
        changelog_url: row.changelog_url ?? '',
        raw: row.raw ?? '',
        date: `2021-03-0${index + 1}T10:00:00.000Z`,
      });
    }
  }

  it('fails at the NULL rows after the date and charset steps, then finishes on a clean second start', async () => {
    const database = await createTestDatabase('mysql');
    try {
      if (database.config.dialect !== 'mysql') throw new Error('a MySQL database was expected');
      const name = database.config.mysql.database;
      await buildShape(database, halfShape.ddl);
      // The failure, injected into the step that rewrites the NULL rows (the one that failed for real).
      await withMysql(
        (connection) =>
          connection.query(
            `CREATE TRIGGER versions_injected_failure BEFORE UPDATE ON versions FOR EACH ROW
             SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'injected failure'`,
          ),
        name,
      );
      await expect(createTestApp('mysql', { database })).rejects.toThrow(/injected failure/);
      expect(await describeVersions(name)).toEqual({
        columns: [
          { name: 'date', type: 'datetime(3)', nullable: 'NO' },
          { name: 'raw', type: expect.stringMatching(/text$/), nullable: 'YES' },
        ],
        collation: 'utf8mb4_bin',
      });

      await withMysql((connection) => connection.query('DROP TRIGGER versions_injected_failure'), name);
      const t = await createTestApp('mysql', { database });
      try {
        await expectEveryRowBack(t);
        expect(await describeVersions(name)).toEqual({
          columns: [
            { name: 'date', type: 'datetime(3)', nullable: 'NO' },
            { name: 'raw', type: 'longtext', nullable: 'NO' },
          ],
          collation: 'utf8mb4_bin',
        });
      } finally {
        await t.close();
      }
    } finally {
      await database.drop();
    }
  });

  it.each(MYSQL_CONVERSION.slice(0, -1).map((step, index) => [index + 1, step.name]))(
    'carries on after a start that stopped after step %i (%s)',
    async (done) => {
      const database = await createTestDatabase('mysql');
      try {
        if (database.config.dialect !== 'mysql') throw new Error('a MySQL database was expected');
        await buildShape(database, halfShape.ddl);
        const { host, port, user, password, database: name } = database.config.mysql;
        const db = new Kysely<unknown>({
          dialect: new MysqlDialect({
            pool: createPool({ host, port, user, password, database: name, timezone: 'Z' }),
          }),
        });
        try {
          for (const step of MYSQL_CONVERSION.slice(0, done)) await step.run(db);
        } finally {
          await db.destroy();
        }
        const t = await createTestApp('mysql', { database });
        try {
          await expectEveryRowBack(t);
        } finally {
          await t.close();
        }
      } finally {
        await database.drop();
      }
    },
  );
});
