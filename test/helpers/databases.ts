// Databases for tests: every test file gets fresh databases of its own on the machine's real servers.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { inject } from 'vitest';
import type { DatabaseConfig, DialectName } from '../../src/config.js';

import { MYSQL_ADMIN, POSTGRES_ADMIN_URI } from './servers.js';

export { MYSQL_ADMIN, POSTGRES_ADMIN_URI };

/** The dialects this run tests: all three, unless global-setup found a server missing outside CI. */
export const DIALECTS: DialectName[] = (['sqlite', 'postgres', 'mysql'] as const).filter(
  (dialect) => !(inject('unavailableDialects') ?? []).includes(dialect),
);

export interface TestDatabase {
  config: DatabaseConfig;
  drop(): Promise<void>;
}

/** A new, empty database of that dialect, dropped by `drop()`. */
export async function createTestDatabase(dialect: DialectName): Promise<TestDatabase> {
  const name = `versions_test_${randomBytes(6).toString('hex')}`;
  switch (dialect) {
    case 'sqlite': {
      const dir = mkdtempSync(join(tmpdir(), 'versions-sqlite-'));
      return {
        config: { dialect: 'sqlite', file: join(dir, 'versions.sqlite') },
        drop: async () => rmSync(dir, { recursive: true, force: true }),
      };
    }
    case 'postgres': {
      await withPostgres(POSTGRES_ADMIN_URI, (client) => client.query(`CREATE DATABASE ${name}`));
      const url = new URL(POSTGRES_ADMIN_URI);
      url.pathname = `/${name}`;
      url.search = '?sslmode=disable';
      return {
        config: { dialect: 'postgres', connectionString: url.toString() },
        drop: async () => {
          await withPostgres(POSTGRES_ADMIN_URI, (client) =>
            client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
          );
        },
      };
    }
    case 'mysql': {
      await withMysql((connection) => connection.query(`CREATE DATABASE ${name}`));
      return {
        config: { dialect: 'mysql', mysql: { ...MYSQL_ADMIN, database: name, ssl: false } },
        drop: async () => {
          await withMysql((connection) => connection.query(`DROP DATABASE IF EXISTS ${name}`));
        },
      };
    }
  }
}

export async function withPostgres<T>(uri: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: uri });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

export async function withMysql<T>(
  work: (connection: mysql.Connection) => Promise<T>,
  database?: string,
): Promise<T> {
  const connection = await mysql.createConnection({ ...MYSQL_ADMIN, database, multipleStatements: true });
  try {
    return await work(connection);
  } finally {
    await connection.end();
  }
}

/** The SQL_DRIVER and DB_URI that point a server process at this database. */
export function databaseEnv(config: DatabaseConfig): Record<string, string> {
  switch (config.dialect) {
    case 'sqlite':
      return { SQL_DRIVER: 'sqlite', DB_URI: config.file };
    case 'postgres':
      return { SQL_DRIVER: 'postgres', DB_URI: config.connectionString };
    case 'mysql': {
      const { user, password, host, port, database } = config.mysql;
      // The original's Go DSN form, so that every replica test also exercises it.
      return {
        SQL_DRIVER: 'mysql',
        DB_URI: `${user}:${password}@tcp(${host}:${port})/${database}?parseTime=true`,
      };
    }
  }
}
