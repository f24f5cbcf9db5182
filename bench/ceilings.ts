// The database ceilings: the lookup query straight against each database at the bench's concurrency.
// PostgreSQL: pgbench with a custom script (prepared protocol, one connection per client). SQLite and
// MariaDB: a tight prepared-statement loop in a child process (query-loop.ts).
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BenchDatabase } from './databases.js';
import { percentile, type Throughput } from './load.js';
import { LOOKUP_PARAMETERS, lookupSql } from './lookup.js';
import { runBenchChild, runProgram } from './processes.js';

export const PGBENCH = process.env.PGBENCH ?? '/usr/lib/postgresql/15/bin/pgbench';

/** pgbench running the lookup with `clients` connections on 2 threads (the machine's cores) for `seconds`. */
export async function pgbenchLookup(
  database: BenchDatabase,
  clients: number,
  seconds: number,
): Promise<Throughput> {
  if (database.config.dialect !== 'postgres') throw new Error('pgbench needs PostgreSQL');
  const dir = mkdtempSync(join(tmpdir(), 'versions-pgbench-'));
  try {
    // pgbench sends :variables as parameters in the prepared protocol, as the service's driver does.
    const names = ['workload', 'platform', 'environment', 'status1', 'status2', 'lim'];
    let index = 0;
    const script = lookupSql('postgres')
      .replace(/\?/g, () => `:${names[index++]}`)
      .replace(/\s+/g, ' ');
    writeFileSync(join(dir, 'lookup.sql'), `${script};\n`);
    const defines = names.flatMap((name, position) => ['-D', `${name}=${LOOKUP_PARAMETERS[position]}`]);
    const url = new URL(database.config.connectionString);
    const output = await runProgram(PGBENCH, [
      ...['-h', url.hostname, '-p', url.port || '5432', '-U', decodeURIComponent(url.username) || 'postgres'],
      ...['-n', '-M', 'prepared', '-c', String(clients), '-j', '2', '-T', String(seconds)],
      ...['-f', join(dir, 'lookup.sql'), ...defines, '-l', `--log-prefix=${join(dir, 'log')}`],
      url.pathname.slice(1),
    ]);
    const tps = /tps = ([\d.]+) \(without initial connection time\)/.exec(output)?.[1];
    const failed = /number of failed transactions: (\d+)/.exec(output)?.[1];
    if (!tps) throw new Error(`pgbench printed no tps:\n${output}`);
    // Per-transaction log lines: client, transaction number, latency in µs, ...
    const latencies = readdirSync(dir)
      .filter((file) => file.startsWith('log'))
      .flatMap((file) => readFileSync(join(dir, file), 'utf8').trim().split('\n'))
      .map((line) => Number(line.split(' ')[2]) / 1000)
      .sort((a, b) => a - b);
    return {
      rps: Number(tps),
      p50: percentile(latencies, 0.5),
      p99: percentile(latencies, 0.99),
      failures: Number(failed ?? 0),
      requests: latencies.length,
      seconds,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The lookup as a prepared statement in a tight loop (SQLite: one connection; MariaDB: `connections`). */
export async function loopLookup(
  database: BenchDatabase,
  connections: number,
  seconds: number,
): Promise<Throughput> {
  const result = await runBenchChild<{ qps: number; p50: number; p99: number }>('bench/query-loop.ts', [
    JSON.stringify(database.config),
    String(connections),
    String(seconds),
  ]);
  return {
    rps: result.qps,
    p50: result.p50,
    p99: result.p99,
    failures: 0,
    requests: Math.round(result.qps * seconds),
    seconds,
  };
}
