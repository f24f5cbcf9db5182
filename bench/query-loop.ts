// The database ceiling for SQLite and MariaDB: the lookup query as a prepared statement, run in a tight
// loop on `connections` connections for `seconds`, straight against the database (no HTTP, no service).
// Prints {"qps", "p50", "p99"} (milliseconds) as one JSON line. argv: config JSON, connections, seconds.
import SQLite from 'better-sqlite3';
import mysql from 'mysql2/promise';
import type { DatabaseConfig } from '../src/config.js';
import { percentile } from './load.js';
import { LOOKUP_PARAMETERS, lookupSql } from './lookup.js';

const config = JSON.parse(process.argv[2] ?? '{}') as DatabaseConfig;
const connections = Number(process.argv[3] ?? 10);
const seconds = Number(process.argv[4] ?? 5);

async function loop(): Promise<number[]> {
  const latencies: number[] = [];
  const deadline = performance.now() + seconds * 1000;
  switch (config.dialect) {
    case 'sqlite': {
      // better-sqlite3 is synchronous: one connection in one thread is all the server has, so it is all the
      // ceiling gets too, whatever the HTTP concurrency.
      const database = new SQLite(config.file, { readonly: true });
      const statement = database.prepare(lookupSql('sqlite'));
      while (performance.now() < deadline) {
        const start = performance.now();
        if (!statement.get(...LOOKUP_PARAMETERS)) throw new Error('the lookup found nothing');
        latencies.push(performance.now() - start);
      }
      database.close();
      return latencies;
    }
    case 'mysql': {
      const pool = mysql.createPool({ ...config.mysql, ssl: undefined, connectionLimit: connections });
      // execute() prepares the statement once per connection and then only sends its parameters.
      const worker = async () => {
        while (performance.now() < deadline) {
          const start = performance.now();
          const [rows] = await pool.execute(lookupSql('mysql'), LOOKUP_PARAMETERS);
          if ((rows as unknown[]).length === 0) throw new Error('the lookup found nothing');
          latencies.push(performance.now() - start);
        }
      };
      await Promise.all(Array.from({ length: connections }, worker));
      await pool.end();
      return latencies;
    }
    default:
      throw new Error(`use pgbench for ${config.dialect}`);
  }
}

const latencies = await loop();
latencies.sort((a, b) => a - b);
process.stdout.write(
  `${JSON.stringify({ qps: latencies.length / seconds, p50: percentile(latencies, 0.5), p99: percentile(latencies, 0.99) })}\n`,
);
