// Checks once per run that PostgreSQL and MariaDB answer. In CI a missing server fails the run; on a
// laptop its dialect is skipped, loudly.
import mysql from 'mysql2/promise';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import type { DialectName } from '../../src/config.js';
import { MYSQL_ADMIN, POSTGRES_ADMIN_URI } from './servers.js';

declare module 'vitest' {
  export interface ProvidedContext {
    unavailableDialects: DialectName[];
  }
}

async function reachable(connect: () => Promise<void>): Promise<string | undefined> {
  try {
    await connect();
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message || String(error) : String(error);
  }
}

export default async function setup(project: TestProject): Promise<void> {
  const problems: Partial<Record<DialectName, string>> = {
    postgres: await reachable(async () => {
      const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URI, connectionTimeoutMillis: 3000 });
      await client.connect();
      await client.end();
    }),
    mysql: await reachable(async () => {
      const connection = await mysql.createConnection({ ...MYSQL_ADMIN, connectTimeout: 3000 });
      await connection.end();
    }),
  };
  const unavailable = (Object.keys(problems) as DialectName[]).filter((dialect) => problems[dialect]);
  for (const dialect of unavailable) {
    const message = `${dialect} is not reachable (${problems[dialect]})`;
    if (process.env.CI)
      throw new Error(`${message}: CI must test every dialect; start the server (see .ci/run)`);
    console.warn(`\n!!!!!!!!\n!!! SKIPPING ${dialect.toUpperCase()} TESTS: ${message}\n!!!!!!!!\n`);
  }
  project.provide('unavailableDialects', unavailable);
}
