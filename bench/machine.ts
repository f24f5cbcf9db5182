// What the figures were measured on: the machine and every piece of software in the measured path.
import { readFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import SQLite from 'better-sqlite3';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { MYSQL_ADMIN, POSTGRES_ADMIN_URI } from './databases.js';

export interface Machine {
  cpu: string;
  cores: number;
  memoryGiB: number;
  /** 1-minute load average when the bench started: how busy the machine was with other work. */
  loadAtStart: number;
  node: string;
  postgres: string;
  mariadb: string;
  sqlite: string;
  autocannon: string;
}

export async function describeMachine(): Promise<Machine> {
  const memory = new SQLite(':memory:');
  const sqlite = (memory.prepare('SELECT sqlite_version() AS v').get() as { v: string }).v;
  memory.close();
  return {
    cpu: cpus()[0]?.model.trim() ?? 'unknown',
    cores: cpus().length,
    memoryGiB: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
    loadAtStart: loadavg()[0] ?? 0,
    node: process.version,
    postgres: await postgresVersion().catch((error: Error) => `unavailable (${error.message})`),
    mariadb: await mariadbVersion().catch((error: Error) => `unavailable (${error.message})`),
    sqlite: `${sqlite} (better-sqlite3 ${packageVersion('better-sqlite3')})`,
    autocannon: packageVersion('autocannon'),
  };
}

async function postgresVersion(): Promise<string> {
  const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URI });
  await client.connect();
  try {
    return (
      (await client.query<{ server_version: string }>('SHOW server_version')).rows[0]?.server_version ?? '?'
    );
  } finally {
    await client.end();
  }
}

async function mariadbVersion(): Promise<string> {
  const connection = await mysql.createConnection({ ...MYSQL_ADMIN });
  try {
    const [rows] = await connection.query('SELECT VERSION() AS v');
    return (rows as Array<{ v: string }>)[0]?.v ?? '?';
  } finally {
    await connection.end();
  }
}

function packageVersion(name: string): string {
  const manifest = JSON.parse(readFileSync(`node_modules/${name}/package.json`, 'utf8')) as {
    version: string;
  };
  return manifest.version;
}
