// Issue 11, item 1: SQL injection on a MariaDB server whose sql_mode has NO_BACKSLASH_ESCAPES. mysql2 escapes
// values on the client with backslashes; such a server reads `\'` as a backslash and the end of the string.
// A private mariadbd started in that mode shows the attack working on a bare connection, and failing
// through the service, whose sessions take that mode out.
import { sql } from 'kysely';
import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPrivateMariadb, mariadbInstalled, type PrivateMariadb } from '../helpers/private-mariadb.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';

const SERVER_MODE = 'STRICT_TRANS_TABLES,NO_BACKSLASH_ESCAPES,ERROR_FOR_DIVISION_BY_ZERO';
const INJECTION = "n\\' OR 1=1 #";
const UNION = "n\\' UNION SELECT @@version, 2, 3, 4, 5, 6, 7, 8, 9 #";
const secret = {
  workload: 'payroll',
  platform: 'production',
  environment: 'eu',
  version: '9.9.9',
  raw: 'TOP SECRET',
};

describe.skipIf(!mariadbInstalled())('MariaDB started with sql_mode=NO_BACKSLASH_ESCAPES', () => {
  let server: PrivateMariadb;
  let t: TestApp;
  beforeAll(async () => {
    server = await startPrivateMariadb([`--sql-mode=${SERVER_MODE}`]);
    const admin = await mysql.createConnection(server);
    await admin.query('CREATE DATABASE versions');
    await admin.end();
    const database = {
      config: { dialect: 'mysql' as const, mysql: { ...server, database: 'versions', ssl: false } },
    };
    t = await createTestApp('mysql', { database: { ...database, drop: async () => undefined } });
    const created = await t.app.inject({ method: 'POST', url: '/api/v1/create', payload: secret });
    expect(created.statusCode, created.body).toBe(201);
  }, 90_000);
  afterAll(async () => {
    await t?.close();
    await server?.destroy();
  });

  it('lets a client-escaped value end its string on a bare mysql2 connection (the attack is real)', async () => {
    const bare = await mysql.createConnection({ ...server, database: 'versions' });
    try {
      const [[mode]] = (await bare.query('SELECT @@SESSION.sql_mode AS mode')) as unknown as [
        [{ mode: string }],
      ];
      expect(mode.mode).toMatch(/NO_BACKSLASH_ESCAPES/);
      const [rows] = await bare.query('SELECT raw FROM versions WHERE workload = ? AND version = ?', [
        INJECTION,
        'nothing',
      ]);
      expect(rows).toEqual([{ raw: 'TOP SECRET' }]);
    } finally {
      await bare.end();
    }
  });

  it('answers the injections on every read as a plain value that matches nothing', async () => {
    for (const workload of [INJECTION, UNION]) {
      const query = new URLSearchParams({
        workload,
        platform: 'p',
        environment: 'e',
        version: 'v',
      }).toString();
      for (const path of [
        '/read/raw',
        '/read/environment',
        '/read/environment/latest',
        '/read/environment/latest/whatever',
      ]) {
        const response = await t.app.inject({ url: `/api/v1${path}?${query}` });
        expect(response.statusCode, `${path}: ${response.body}`).toBe(404);
        expect(response.body).not.toMatch(/TOP SECRET|MariaDB/);
      }
      const platform = await t.app.inject({
        url: `/api/v1/read/platform?${new URLSearchParams({ workload, platform: 'p' }).toString()}`,
      });
      expect(platform.statusCode).toBe(404);
    }
  });

  it('stores and reads back backslashes and quotes exactly', async () => {
    const tricky = { ...secret, workload: "o'brien\\", version: "1\\'2", raw: 'C:\\temp\\\' "x" \\\\n' };
    const created = await t.app.inject({ method: 'POST', url: '/api/v1/create', payload: tricky });
    expect(created.statusCode, created.body).toBe(201);
    const { versionId } = created.json() as { versionId: number };
    const row = (await t.app.inject({ url: `/api/v1/read/raw/id?versionId=${versionId}` })).json();
    expect(row).toMatchObject({ workload: tricky.workload, version: tricky.version, raw: tricky.raw });
    const raw = await t.app.inject({
      url: `/api/v1/read/raw?${new URLSearchParams({ ...tricky, raw: '' }).toString()}`,
    });
    expect(raw.json()).toEqual({ raw: tricky.raw });
  });

  it('keeps the server modes other than NO_BACKSLASH_ESCAPES in its sessions', async () => {
    const result = await sql<{ mode: string }>`SELECT @@SESSION.sql_mode AS mode`.execute(t.storeDatabase.db);
    const modes = result.rows[0]?.mode.split(',');
    expect(modes).toEqual(expect.arrayContaining(['STRICT_TRANS_TABLES', 'ERROR_FOR_DIVISION_BY_ZERO']));
    expect(modes).not.toContain('NO_BACKSLASH_ESCAPES');
  });
});
