// The figures issues 4 and 5 ask for, beside the main suite (bench/run.ts) and on databases of their own
// (versions_bench_extra_*), so that both can run on the machine at once:
//  - read throughput with and without the Redis cache, in one run (interleaved rounds, same database);
//  - /read/matrix and /stats/dora at 1,000,000 rows: latency of sequential requests, cache off, so that the
//    database work is what is measured (target: under 200 ms on PostgreSQL and SQLite).
//  - GET /deployments at 1,000,000 rows (issue 13): every filter combination of the UI (p95 ≤ 50 ms), page 1
//    against page 10,000, and a whole CSV export's rows/s and server RSS (bench/deployments-query.ts).
//  - peak memory under the attacks of issue 11 (bench/attacks.ts), first; `--only=attacks` runs just those.
// `--only=query` runs just GET /deployments (its own README section); `--rows=N` fills N rows instead of
// 1,000,000 (a quick check that the bench runs end to end; its figures are not the targets' measure).
// Usage: npm run bench:extras [-- --dialects=postgres,sqlite,mysql --rounds=3 --seconds=3 --requests=40
//        --only=attacks|query --rows=1000000 --no-readme]
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { Redis } from 'ioredis';
import { measureAttacks, writeAttacksReadme } from './attacks.js';
import type { DialectName } from '../src/config.js';
import { BENCH_PREFIX, createBenchDatabase, dropBenchDatabase, type BenchDatabase } from './databases.js';
import { measureDeploymentsQuery, writeQueryReadme } from './deployments-query.js';
import { HOT_ENVIRONMENT } from './dataset.js';
import { combineRounds, runLoad, sequentialLatency, type Latency, type Throughput } from './load.js';
import { describeMachine } from './machine.js';
import { startVersionsServer, type RunningServer } from './processes.js';
import { progress, timed } from './progress.js';
import { describeRun, markdownTable, rowsLabel, thousands, type Row } from './report.js';

const DATABASE_NAMES: Record<DialectName, string> = {
  sqlite: 'SQLite',
  postgres: 'PostgreSQL',
  mysql: 'MariaDB',
};
const DEFAULT_ROWS = 1_000_000;
const ONLY = ['attacks', 'query'] as const;
const CONNECTIONS = 10;
const TARGET_MS = 200;
/** A Redis database of its own on the machine's Redis, emptied before the run. */
const REDIS_URI = 'redis://127.0.0.1:6379/9';
const HOT_QUERY = new URLSearchParams(HOT_ENVIRONMENT).toString();

const READS: ReadonlyArray<readonly [string, string]> = [
  ['home', '/read/home'],
  ['environment page 1', `/read/environment?${HOT_QUERY}&page=1`],
  ['latest', `/read/environment/latest?${HOT_QUERY}`],
  ['distinct workloads', '/read/distinct/workloads'],
  ['stats/latest', '/stats/latest'],
  ['matrix', '/read/matrix'],
];
const LATENCIES: ReadonlyArray<readonly [string, string]> = [
  ['matrix (all workloads)', '/read/matrix'],
  ['DORA, 30 days, all', '/stats/dora?days=30'],
  ['DORA, 30 days, one environment', `/stats/dora?days=30&${HOT_QUERY}`],
];

function parseOptions(argv: readonly string[]) {
  const value = (name: string) => argv.find((arg) => arg.startsWith(`--${name}=`))?.split('=')[1];
  // Issue 13 asks its figures of all three databases; the other extras default to two.
  const byDefault = value('only') === 'query' ? ['sqlite', 'postgres', 'mysql'] : ['postgres', 'sqlite'];
  const dialects = (value('dialects')?.split(',') ?? byDefault) as DialectName[];
  for (const dialect of dialects) {
    if (!(dialect in DATABASE_NAMES))
      throw new Error(`--dialects takes sqlite, postgres, mysql (got ${dialect})`);
  }
  const only = value('only');
  if (only !== undefined && !(ONLY as readonly string[]).includes(only)) {
    throw new Error(`--only takes ${ONLY.join(' or ')} (got ${only})`);
  }
  const rows = Number(value('rows') ?? DEFAULT_ROWS);
  if (!Number.isInteger(rows) || rows < 1000)
    throw new Error(`--rows takes a whole number ≥ 1000 (got ${value('rows')})`);
  return {
    dialects,
    rows,
    rounds: Number(value('rounds') ?? 3),
    seconds: Number(value('seconds') ?? 3),
    requests: Number(value('requests') ?? 40),
    readme: !argv.includes('--no-readme'),
    /** `attacks`: only the memory under attack (bench/attacks.ts); `query`: only GET /deployments. */
    only: only as (typeof ONLY)[number] | undefined,
  };
}

async function flushRedis(): Promise<void> {
  const redis = new Redis(REDIS_URI, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  await redis.flushdb();
  redis.disconnect();
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  // Issue 11's figures first, each attack on a small server of its own, before the big databases fill.
  if (options.only !== 'query') {
    const attacks = await timed('memory under attack', measureAttacks);
    process.stdout.write(`${attacks}\n`);
    if (options.readme) writeAttacksReadme('bench/README.md', attacks);
    if (options.only === 'attacks') return;
  }
  const started = new Date();
  const machine = await describeMachine();
  progress(`${machine.cpu}, ${machine.cores} cores, load ${machine.loadAtStart.toFixed(1)}`);
  const databases: BenchDatabase[] = [];
  const servers: RunningServer[] = [];
  const cleanUp = async () => {
    await Promise.allSettled(servers.map((server) => server.stop()));
    await Promise.allSettled(databases.map(dropBenchDatabase));
  };
  process.once('SIGINT', () => void cleanUp().then(() => process.exit(130)));

  try {
    if (options.only !== 'query') await flushRedis();
    const off = new Map<DialectName, RunningServer>();
    const on = new Map<DialectName, RunningServer>();
    for (const dialect of options.dialects) {
      const database = await timed(`${dialect} ${rowsLabel(options.rows)}: filled`, () =>
        createBenchDatabase(
          dialect,
          options.rows,
          false,
          `${BENCH_PREFIX}_extra_${rowsLabel(options.rows).toLowerCase()}`,
        ),
      );
      databases.push(database);
      const plain = await startVersionsServer(`${dialect} cache off`, database, {
        env: { LOG_LEVEL: 'warn' },
      });
      servers.push(plain);
      off.set(dialect, plain);
      if (options.only === 'query') continue;
      const cached = await startVersionsServer(`${dialect} cache on`, database, {
        env: { LOG_LEVEL: 'warn', REDIS_ENABLED: 'true', REDIS_URI },
      });
      servers.push(cached);
      on.set(dialect, cached);
      const health = await (await fetch(`${cached.url}/api/v1/healthz`)).text();
      progress(`${dialect}: cached server's /healthz: ${health}`);
    }
    const measureQueries = async (): Promise<Row[]> => {
      const queryRows: Row[] = [];
      for (const dialect of options.dialects) {
        const database = databases.find((candidate) => candidate.dialect === dialect) as BenchDatabase;
        queryRows.push(
          ...(await timed(`GET /deployments ${dialect}`, () =>
            measureDeploymentsQuery(
              off.get(dialect) as RunningServer,
              database,
              DATABASE_NAMES[dialect],
              options.requests,
            ),
          )),
        );
      }
      return queryRows;
    };
    const queryReport = async (queryRows: Row[]) => {
      const minutes = (Date.now() - started.getTime()) / 60_000;
      const settings = `bench/extras.ts --only=query --dialects=${options.dialects.join(',')} --rows=${options.rows}; up to ${options.requests} sequential requests per filter (at most 20 s) after 5 unrecorded, cache off; the export on a fresh server`;
      const text = `${describeRun(machine, started, minutes, settings)}\n\n${markdownTable(queryRows)}`;
      process.stdout.write(`${text}\n`);
      if (options.readme) writeQueryReadme('bench/README.md', text);
    };
    if (options.only === 'query') {
      await queryReport(await measureQueries());
      return;
    }

    // The size of each answer: values over the cache's limit (512 kB by default) are never cached.
    const sizes = new Map<string, number>();
    for (const [label, path] of READS) {
      const response = await fetch(`${(off.get(options.dialects[0]!) as RunningServer).url}/api/v1${path}`);
      sizes.set(label, (await response.arrayBuffer()).byteLength);
    }

    // Latency first, on the cache-off servers, while nothing else of this run loads the machine.
    const latencies = new Map<string, Latency>();
    for (const dialect of options.dialects) {
      for (const [label, path] of LATENCIES) {
        const url = `${(off.get(dialect) as RunningServer).url}/api/v1${path}`;
        const result = await timed(`latency ${dialect} ${label}`, () =>
          sequentialLatency(url, options.requests),
        );
        latencies.set(`${dialect}:${label}`, result);
      }
    }

    // The query API (issue 13), on the cache-off servers too; its own section of the README.
    const queryRows = await measureQueries();

    // Throughput, cache off and on, every measurement once per round, every other round backwards.
    const measurements = options.dialects.flatMap((dialect) =>
      READS.flatMap(([label, path]) =>
        (['off', 'on'] as const).map((cache) => ({
          id: `${dialect}:${label}:${cache}`,
          url: `${((cache === 'on' ? on : off).get(dialect) as RunningServer).url}/api/v1${path}`,
        })),
      ),
    );
    await timed('reads: warm-up', async () => {
      for (const { url } of measurements) await runLoad({ url }, CONNECTIONS, 1);
    });
    const rounds = new Map<string, Throughput[]>();
    for (let round = 0; round < options.rounds; round++) {
      const order = round % 2 === 0 ? measurements : [...measurements].reverse();
      await timed(`reads: round ${round + 1} of ${options.rounds}`, async () => {
        for (const { id, url } of order) {
          const result = await runLoad({ url }, CONNECTIONS, options.seconds);
          rounds.set(id, [...(rounds.get(id) ?? []), result]);
        }
      });
    }

    const rows: Row[] = [];
    const rowsText = rowsLabel(options.rows);
    for (const dialect of options.dialects) {
      const database = DATABASE_NAMES[dialect];
      for (const [label] of LATENCIES) {
        const result = latencies.get(`${dialect}:${label}`) as Latency;
        rows.push({
          measurement: `${label}, cache off`,
          database,
          rows: rowsText,
          figure: `${result.requests} sequential${result.failures ? `, ${result.failures} failed` : ''}`,
          p50: result.p50,
          p99: result.p99,
          target: `p50 < ${TARGET_MS} ms`,
          pass: result.failures === 0 && result.p50 < TARGET_MS,
        });
      }
    }
    for (const dialect of options.dialects) {
      const database = DATABASE_NAMES[dialect];
      for (const [label] of READS) {
        const [plain, cached] = (['off', 'on'] as const).map((cache) =>
          combineRounds(rounds.get(`${dialect}:${label}:${cache}`) ?? []),
        ) as [Throughput, Throughput];
        for (const [cache, result] of [
          ['off', plain],
          ['on', cached],
        ] as const) {
          rows.push({
            measurement: `${label} (${kilobytes(sizes.get(label) ?? 0)}), cache ${cache}`,
            database,
            rows: rowsText,
            figure: `${thousands(result.rps)} req/s${result.failures ? ` (${result.failures} failed)` : ''}`,
            p50: result.p50,
            p99: result.p99,
          });
        }
        rows.push({
          measurement: '',
          database: '',
          rows: '',
          figure: '',
          ratio: `on ÷ off = ${(cached.rps / plain.rps).toFixed(2)}`,
        });
      }
    }

    const table = markdownTable(rows);
    const minutes = (Date.now() - started.getTime()) / 60_000;
    const settings = `bench/extras.ts --dialects=${options.dialects.join(',')}; latency: up to ${options.requests} sequential requests (at most 20 s) after 5 unrecorded, cache off; throughput: ${CONNECTIONS} connections, ${options.rounds} interleaved rounds of ${options.seconds} s, cache on = REDIS_ENABLED=true on the same database`;
    const text = `${describeRun(machine, started, minutes, settings)}\n\n${table}`;
    process.stdout.write(`${text}\n`);
    if (options.readme) writeReadme('bench/README.md', text);
    await queryReport(queryRows);
  } finally {
    await cleanUp();
  }
}

function kilobytes(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  return bytes >= 1_000_000 ? `${(bytes / 1_000_000).toFixed(1)} MB` : `${(bytes / 1000).toFixed(1)} kB`;
}

const START = '<!-- bench:extras:start -->';
const END = '<!-- bench:extras:end -->';

/** Writes the results between this bench's own markers of bench/README.md (appended when absent). */
function writeReadme(path: string, results: string): void {
  const block = `${START}\n${results}\n${END}`;
  const current = existsSync(path) ? readFileSync(path, 'utf8') : '# Benchmarks\n';
  const start = current.indexOf(START);
  const end = current.indexOf(END);
  const heading =
    '## Extras: Redis cache on/off, matrix and DORA at 1M rows (`npm run bench:extras`, issues 4 and 5)';
  const next =
    start === -1 || end === -1
      ? `${current.trimEnd()}\n\n${heading}\n\n${block}\n`
      : `${current.slice(0, start)}${block}${current.slice(end + END.length)}`;
  writeFileSync(path, next);
}

await main();
