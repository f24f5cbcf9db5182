// A database of the Go original (built here from the contract's description) is adopted in place:
// every old row reads back unchanged, ids continue, golang-migrate's bookkeeping stays at version 3.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTestDatabase,
  DIALECTS,
  withMysql,
  withPostgres,
  type TestDatabase,
} from '../helpers/databases.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';

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
    const db = t.store.dialect.db;
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
      t.store.dialect.db,
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
    )}`.execute(t.store.dialect.db);
    expect(rows[0]?.type).toMatch(dialect === 'postgres' ? /timestamp/ : /datetime/);
    const future = await t.store.dialect.db
      .insertInto('versions')
      .values({
        workload: 'far',
        platform: 'future',
        environment: 'e',
        version: '9.9.9',
        changelog_url: '',
        raw: '',
        status: 'deployed',
        date: t.store.dialect.toDbDate(new Date('2040-06-01T10:00:00.000Z')),
      })
      .executeTakeFirstOrThrow();
    const id = Number(future.insertId ?? 0) || 16;
    const read = (await t.app.inject({ method: 'GET', url: `/api/v1/read/raw/id?versionId=${id}` })).json();
    expect(read.date).toBe('2040-06-01T10:00:00.000Z');
  });
});
