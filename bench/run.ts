// `npm run bench`: fills its own databases at two sizes, starts the real server on each, measures every
// endpoint against the physical ceilings side by side, and prints one table (also written to README.md).
//
// Flags: --quick (a short smoke run: small sizes, one short round, README untouched), --dialects=sqlite,postgres
// --rounds=N --seconds=N, --requests=N (sequential requests per dashboard latency), --cpu-prof (the servers write CPU profiles to $TMPDIR/versions-bench-profiles/), --no-readme,
// --keep (leave the databases, noted in a file under the temp folder) and --reuse (use the kept ones again).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DialectName } from '../src/config.js';
import { loopLookup, pgbenchLookup } from './ceilings.js';
import { environmentAt, HOT_ENVIRONMENT } from './dataset.js';
import { dropBenchDatabase, type BenchDatabase } from './databases.js';
import {
  combineRounds,
  pairedRatio,
  runLoad,
  sequentialLatency,
  type Latency,
  type LoadSpec,
  type Throughput,
} from './load.js';
import { describeMachine } from './machine.js';
import { runBenchChild, startBenchServer, startVersionsServer, type RunningServer } from './processes.js';
import { progress, timed } from './progress.js';
import { describeRun, markdownTable, rowsLabel, thousands, writeReadme, type Row } from './report.js';
import { homeRenderTimes, initialAssets } from './ui.js';

interface Options {
  quick: boolean;
  dialects: DialectName[];
  /** The small and the large database. */
  sizes: [number, number];
  rounds: number;
  seconds: number;
  /** Sequential requests per dashboard latency (stats/latest, DORA). */
  requests: number;
  warmupSeconds: number;
  /** HTTP connections, pgbench clients and MariaDB loop connections alike. */
  connections: number;
  nodeFlags: string[];
  readme: boolean;
  keep: boolean;
  reuse: boolean;
  uiLoads: number;
}

const DATABASE_NAMES: Record<DialectName, string> = {
  sqlite: 'SQLite',
  postgres: 'PostgreSQL',
  mysql: 'MariaDB',
};
const KEPT_DATABASES = join(tmpdir(), 'versions-bench-databases.json');
const PROFILES = join(tmpdir(), 'versions-bench-profiles');
const HOT_QUERY = new URLSearchParams(HOT_ENVIRONMENT).toString();

/**
 * The dashboards of issue 15 at the large size, p50 of sequential requests. /stats/dora has no from/to: its
 * window is the last `days`, at most 3650, which covers the bench's three years of rows ("all time").
 */
const DASHBOARDS: ReadonlyArray<{ id: string; label: string; path: string; targetMs: number }> = [
  {
    id: 'stats-latest',
    label: '/stats/latest (10 days, every environment)',
    path: '/stats/latest',
    targetMs: 50,
  },
  {
    id: 'dora-365',
    label: '/stats/dora, 365 days, every environment',
    path: '/stats/dora?days=365',
    targetMs: 200,
  },
  {
    id: 'dora-all',
    label: '/stats/dora, all time (days=3650), every environment',
    path: '/stats/dora?days=3650',
    targetMs: 200,
  },
];

/**
 * "Creates no slower than today" (issue 15): the 1M-row creates of the run of 2026-11-26 (bench/README.md),
 * as creates per second and as server CPU per create. Either one met passes: throughput moves with the
 * machine's other work, CPU per create much less, and a build that needs no more CPU per create is not
 * slower.
 */
const CREATES_TODAY: Record<DialectName, { rps: number; cpuMicros: number }> = {
  sqlite: { rps: 4338, cpuMicros: 202 },
  postgres: { rps: 3051, cpuMicros: 177 },
  mysql: { rps: 3192, cpuMicros: 246 },
};

function parseOptions(argv: readonly string[]): Options {
  const flag = (name: string) => argv.includes(`--${name}`);
  const value = (name: string) => argv.find((arg) => arg.startsWith(`--${name}=`))?.split('=')[1];
  const quick = flag('quick');
  const dialects = (value('dialects')?.split(',') ?? ['sqlite', 'postgres', 'mysql']) as DialectName[];
  for (const dialect of dialects) {
    if (!(dialect in DATABASE_NAMES))
      throw new Error(`--dialects takes sqlite, postgres, mysql (got ${dialect})`);
  }
  return {
    quick,
    dialects,
    sizes: quick ? [1000, 20_000] : [1000, 1_000_000],
    rounds: Number(value('rounds') ?? (quick ? 1 : 3)),
    seconds: Number(value('seconds') ?? (quick ? 2 : 3)),
    requests: Number(value('requests') ?? (quick ? 10 : 40)),
    warmupSeconds: quick ? 0.5 : 1,
    connections: 10,
    nodeFlags: flag('cpu-prof') ? ['--cpu-prof', `--cpu-prof-dir=${PROFILES}`] : [],
    readme: !quick && !flag('no-readme'),
    keep: flag('keep'),
    reuse: flag('reuse'),
    uiLoads: quick ? 2 : 5,
  };
}

/** One thing measured: its rounds are run interleaved with every other measurement's. */
interface Measurement {
  id: string;
  run(seconds: number): Promise<Throughput>;
  /** Run once, unrecorded, before the first round (JIT, caches, pools). */
  warm: boolean;
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const started = new Date();
  const machine = await describeMachine();
  progress(`${machine.cpu}, ${machine.cores} cores, load ${machine.loadAtStart.toFixed(1)}`);
  const [small, large] = options.sizes;
  const servers: RunningServer[] = [];
  let databases: BenchDatabase[] = [];
  const cleanUp = async () => {
    await Promise.allSettled(servers.map((server) => server.stop()));
    if (options.keep) writeFileSync(KEPT_DATABASES, JSON.stringify(databases));
    else await Promise.allSettled(databases.map(dropBenchDatabase));
  };
  process.once('SIGINT', () => void cleanUp().then(() => process.exit(130)));

  try {
    databases = await prepareDatabases(options);
    const database = (dialect: DialectName, rows: number) => {
      const found = databases.find((db) => db.dialect === dialect && db.rows === rows);
      if (!found) throw new Error(`no ${dialect} database of ${rows} rows`);
      return found;
    };

    // Every server starts before any measurement, so that they idle together and none warms up alone.
    const bare = await startBenchServer('bare node:http', 'bench/bare-http.ts', []);
    servers.push(bare);
    const versions = new Map<string, RunningServer>();
    const originals = new Map<DialectName, RunningServer>();
    const handwrittens = new Map<DialectName, RunningServer>();
    for (const db of databases) {
      const server = await startVersionsServer(`${db.dialect} ${db.rows}`, db, {
        nodeFlags: options.nodeFlags,
      });
      servers.push(server);
      versions.set(`${db.dialect}:${db.rows}`, server);
      if (db.rows === large && db.dialect !== 'mysql') {
        // The same lookup in a hand-written node:http service on the same driver, the pool the service has.
        const handwritten = await startBenchServer(
          `hand-written ${db.dialect}`,
          'bench/handwritten-server.ts',
          [JSON.stringify(db.config), '10'],
        );
        servers.push(handwritten);
        handwrittens.set(db.dialect, handwritten);
      }
      if (db.rows === large && db.dialect !== 'sqlite') {
        const original = await startBenchServer(`original ${db.dialect}`, 'bench/original-server.ts', [
          JSON.stringify(db.config),
        ]);
        servers.push(original);
        originals.set(db.dialect, original);
      }
    }
    const server = (dialect: DialectName, rows: number) =>
      versions.get(`${dialect}:${rows}`) as RunningServer;
    progress(`${servers.length} servers listening`);

    const http = (id: string, target: RunningServer, spec: () => LoadSpec): Measurement => ({
      id,
      warm: true,
      run: async (seconds) => {
        const cpuBefore = target.cpuMs();
        const result = await runLoad(spec(), options.connections, seconds);
        const cpuMicros = ((target.cpuMs() - cpuBefore) * 1000) / Math.max(1, result.requests);
        return { ...result, cpuMicros };
      },
    });
    const floorServer = server(options.dialects[0] ?? 'sqlite', large);
    const reads: Measurement[] = [
      http('bare', bare, () => ({ url: `${bare.url}/` })),
      // The service's cheapest route (no database, no log line): what Fastify and its hooks cost alone.
      http('floor', floorServer, () => ({ url: `${floorServer.url}/api/v1/health` })),
    ];
    const creates: Measurement[] = [];
    for (const dialect of options.dialects) {
      const read = (kind: string, rows: number, path: string) =>
        http(`${kind}:${dialect}:${rows}`, server(dialect, rows), () => ({
          url: `${server(dialect, rows).url}/api/v1${path}`,
        }));
      for (const rows of [large, small]) {
        reads.push(read('lookup', rows, `/read/environment/latest?${HOT_QUERY}`));
      }
      reads.push({
        id: `ceiling:${dialect}`,
        warm: false,
        run: (seconds) =>
          dialect === 'postgres'
            ? pgbenchLookup(database(dialect, large), options.connections, seconds)
            : loopLookup(database(dialect, large), options.connections, seconds),
      });
      const handwritten = handwrittens.get(dialect);
      if (handwritten) {
        reads.push(
          http(`handwritten:${dialect}`, handwritten, () => ({
            url: `${handwritten.url}/?${HOT_QUERY}`,
          })),
        );
      }
      const original = originals.get(dialect);
      if (original) {
        reads.push(http(`original:${dialect}`, original, () => ({ url: `${original.url}/?${HOT_QUERY}` })));
      }
      for (const [kind, path] of [
        ['page', `/read/environment?${HOT_QUERY}&page=1`],
        ['home', '/read/home'],
        ['distinct', '/read/distinct/workloads'],
      ] as const) {
        for (const rows of [large, small]) reads.push(read(kind, rows, path));
      }
      for (const rows of [large, small]) {
        creates.push(
          http(`create:${dialect}:${rows}`, server(dialect, rows), () =>
            createSpec(server(dialect, rows).url),
          ),
        );
      }
    }

    // The dashboards first, one request at a time, while no load of this run weighs on the machine.
    const latencies = new Map<string, Latency>();
    for (const dialect of options.dialects) {
      for (const dashboard of DASHBOARDS) {
        const url = `${server(dialect, large).url}/api/v1${dashboard.path}`;
        latencies.set(
          `${dashboard.id}:${dialect}`,
          await timed(`latency ${dialect} ${dashboard.path}`, () => sequentialLatency(url, options.requests)),
        );
      }
    }

    const results = new Map<string, Throughput>();
    for (const [phase, measurements] of [
      ['reads', reads],
      ['creates', creates],
    ] as const) {
      await timed(`${phase}: warm-up`, async () => {
        for (const measurement of measurements) {
          if (measurement.warm) await measurement.run(options.warmupSeconds);
        }
      });
      const rounds = new Map<string, Throughput[]>();
      for (let round = 0; round < options.rounds; round++) {
        // Every other round runs backwards, so that no measurement always follows the same neighbour.
        const order = round % 2 === 0 ? measurements : [...measurements].reverse();
        await timed(`${phase}: round ${round + 1} of ${options.rounds}`, async () => {
          for (const measurement of order) {
            const result = await measurement.run(options.seconds);
            rounds.set(measurement.id, [...(rounds.get(measurement.id) ?? []), result]);
            // A database goes on with the slow queries of a client that has gone (the original's design takes
            // seconds per lookup): they must not weigh on the next measurement.
            if (result.p99 > 500)
              await new Promise((resolve) => setTimeout(resolve, Math.min(result.p99, 5000)));
          }
        });
      }
      for (const [id, list] of rounds) results.set(id, combineRounds(list));
    }

    // VmHWM is the peak over the process's life: every load above has run by now.
    const peakRss = new Map(
      options.dialects.map((dialect) => [dialect, server(dialect, large).peakRssMiB()]),
    );
    const assets = initialAssets();
    const render = await timed('UI: Chromium', () =>
      homeRenderTimes(server(options.dialects[0] ?? 'sqlite', large).url, options.uiLoads),
    );

    const table = markdownTable(
      buildRows({ options, results, latencies, peakRss, assets: { ...assets }, render, fills: databases }),
    );
    const minutes = (Date.now() - started.getTime()) / 60_000;
    const settings = `${options.connections} connections, ${options.rounds} interleaved rounds of ${options.seconds} s per figure; dashboards: up to ${options.requests} sequential requests (at most 20 s) after up to 5 unrecorded; Chromium ${render.chromium}`;
    const report = `${describeRun(machine, started, minutes, settings)}\n\n${table}\n`;
    process.stdout.write(`\n${report}\n`);
    if (options.readme) {
      writeReadme('bench/README.md', report);
      progress('written to bench/README.md');
    }
  } finally {
    await cleanUp();
  }
}

/** Fills every database in a child process of its own, all at once (or takes the kept ones with --reuse). */
async function prepareDatabases(options: Options): Promise<BenchDatabase[]> {
  const wanted = options.dialects.flatMap((dialect) => options.sizes.map((rows) => ({ dialect, rows })));
  if (options.reuse && existsSync(KEPT_DATABASES)) {
    const kept = JSON.parse(readFileSync(KEPT_DATABASES, 'utf8')) as BenchDatabase[];
    const found = wanted.map(({ dialect, rows }) =>
      kept.find((db) => db.dialect === dialect && db.rows === rows),
    );
    if (found.every((db) => db !== undefined)) {
      progress('reusing the kept databases (rows added by earlier creates included)');
      return found;
    }
  }
  return timed('databases filled', () =>
    Promise.all(
      wanted.map(({ dialect, rows }) =>
        timed(`${dialect} ${rows} rows`, () =>
          runBenchChild<BenchDatabase>('bench/fill-database.ts', [
            dialect,
            String(rows),
            rows === options.sizes[1] ? 'original' : 'none',
          ]),
        ),
      ),
    ),
  );
}

/** A create per request, each in the next environment, as deployments arrive from many pipelines. */
function createSpec(url: string): LoadSpec {
  let sent = 0;
  return {
    url: `${url}/api/v1/create`,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    setupRequest: (request) => {
      sent += 1;
      const version = `2.${Math.floor(sent / 1000)}.${sent % 1000}`;
      return {
        ...request,
        body: JSON.stringify({
          ...environmentAt(sent),
          version,
          status: 'deployed',
          changelogURL: `https://git.example.com/releases/${version}`,
          raw: JSON.stringify({ pipeline: sent, image: `registry.example.com/app:${version}` }),
        }),
      };
    },
  };
}

interface Figures {
  options: Options;
  results: Map<string, Throughput>;
  latencies: Map<string, Latency>;
  peakRss: Map<DialectName, number>;
  assets: { files: string[]; gzipBytes: number };
  render: { firstPaintMs: number; tableMs: number; loads: number };
  fills: BenchDatabase[];
}

function buildRows({ options, results, latencies, peakRss, assets, render }: Figures): Row[] {
  const [small, large] = options.sizes;
  const rows: Row[] = [];
  const get = (id: string) => results.get(id);
  const rate = (result: Throughput | undefined, unit = 'req/s') =>
    result
      ? `${thousands(result.rps)} ${unit}${result.failures > 0 ? ` (${thousands(result.failures)} failed)` : ''}`
      : 'not measured';
  const figure = (
    measurement: string,
    database: string,
    size: string,
    result: Throughput | undefined,
    unit?: string,
  ) =>
    rows.push({
      measurement,
      database,
      rows: size,
      figure: rate(result, unit),
      p50: result?.p50,
      p99: result?.p99,
      cpu: result?.cpuMicros,
    });
  /** A ratio line under the figure above it; `minimum` makes it a target. */
  const ratio = (
    result: Throughput | undefined,
    reference: Throughput | undefined,
    label: string,
    minimum?: number,
    times = false,
  ) => {
    if (!result || !reference || reference.rps === 0) return;
    const value = pairedRatio(result, reference);
    const clean = result.failures === 0 && reference.failures === 0;
    rows.push({
      measurement: '',
      database: '',
      rows: '',
      figure: '',
      ratio: times ? `÷ ${label} = ${value.toFixed(0)}×` : `÷ ${label} = ${value.toFixed(2)}`,
      target: minimum === undefined ? undefined : times ? `≥ ${minimum}×` : `≥ ${minimum.toFixed(2)}`,
      pass: minimum === undefined ? undefined : clean && value >= minimum,
    });
  };

  const bare = get('bare');
  figure('bare node:http (ceiling)', '—', '—', bare);
  const floor = get('floor');
  figure('service floor: /api/v1/health (no database, not logged)', '—', '—', floor);
  ratio(floor, bare, 'bare node');
  for (const dialect of options.dialects) {
    const name = DATABASE_NAMES[dialect];
    const ceiling = get(`ceiling:${dialect}`);
    const original = get(`original:${dialect}`);
    const lookupLarge = get(`lookup:${dialect}:${large}`);
    figure('latest lookup', name, rowsLabel(small), get(`lookup:${dialect}:${small}`));
    figure('latest lookup', name, rowsLabel(large), lookupLarge);
    ratio(lookupLarge, get(`lookup:${dialect}:${small}`), rowsLabel(small), 0.8);
    const handwritten = get(`handwritten:${dialect}`);
    ratio(lookupLarge, handwritten, 'hand-written service', handwritten ? 0.7 : undefined);
    ratio(lookupLarge, bare, 'bare node');
    const ceilingName = dialect === 'postgres' ? 'pgbench' : 'prepared loop';
    ratio(lookupLarge, ceiling, ceilingName);
    if (original) ratio(lookupLarge, original, 'original', 100, true);
    figure(
      dialect === 'postgres'
        ? `lookup in pgbench (-M prepared, ${options.connections} clients)`
        : `lookup in a prepared-statement loop (${dialect === 'sqlite' ? 1 : options.connections} conn.)`,
      name,
      rowsLabel(large),
      ceiling,
      'q/s',
    );
    if (handwritten) {
      figure('lookup in a hand-written node:http service, same driver', name, rowsLabel(large), handwritten);
    }
    if (original) figure("original's design (connection per request)", name, rowsLabel(large), original);
    for (const [kind, label] of [
      ['page', 'environment page 1'],
      ['home', 'home'],
      ['distinct', 'distinct workloads'],
    ] as const) {
      const atLarge = get(`${kind}:${dialect}:${large}`);
      figure(label, name, rowsLabel(small), get(`${kind}:${dialect}:${small}`));
      figure(label, name, rowsLabel(large), atLarge);
      ratio(atLarge, get(`${kind}:${dialect}:${small}`), rowsLabel(small), 0.8);
    }
    for (const dashboard of DASHBOARDS) {
      const latency = latencies.get(`${dashboard.id}:${dialect}`);
      if (!latency) continue;
      rows.push({
        measurement: dashboard.label,
        database: name,
        rows: rowsLabel(large),
        figure: `${latency.requests} sequential${latency.failures ? `, ${latency.failures} failed` : ''}`,
        p50: latency.p50,
        p99: latency.p99,
        target: `p50 ≤ ${dashboard.targetMs} ms`,
        pass: latency.failures === 0 && latency.requests > 0 && latency.p50 <= dashboard.targetMs,
      });
    }
    const createMinimum = { sqlite: 3000, postgres: 2000, mysql: undefined }[dialect];
    const today = CREATES_TODAY[dialect];
    for (const size of [small, large]) {
      const create = get(`create:${dialect}:${size}`);
      figure('create', name, rowsLabel(size), create);
      const last = rows[rows.length - 1];
      if (last && size === large && createMinimum !== undefined && create) {
        last.target = `≥ ${thousands(createMinimum)}/s`;
        last.pass = create.failures === 0 && create.rps >= createMinimum;
      }
      if (size === large && create) {
        const cpu = create.cpuMicros ?? Number.NaN;
        rows.push({
          measurement: '',
          database: '',
          rows: '',
          figure: '',
          ratio: `÷ today = ${(create.rps / today.rps).toFixed(2)}, CPU ${(cpu / today.cpuMicros).toFixed(2)}`,
          target: `≥ ${thousands(today.rps)}/s or ≤ ${today.cpuMicros} µs`,
          pass: create.failures === 0 && (create.rps >= today.rps || cpu <= today.cpuMicros),
        });
      }
    }
    const rss = peakRss.get(dialect);
    if (rss !== undefined) {
      const megabytes = (rss * 1024 * 1024) / 1e6;
      rows.push({
        measurement: 'server peak RSS (VmHWM) after every load',
        database: name,
        rows: rowsLabel(large),
        figure: `${megabytes.toFixed(0)} MB`,
        target: '≤ 150 MB',
        pass: megabytes <= 150,
      });
    }
  }
  rows.push({
    measurement: `UI initial JS+CSS, gzip -9 (${assets.files.length} files)`,
    database: '—',
    rows: '—',
    figure: `${(assets.gzipBytes / 1000).toFixed(1)} kB`,
  });
  rows.push({
    measurement: `UI home, first contentful paint (median of ${render.loads})`,
    database: DATABASE_NAMES[options.dialects[0] ?? 'sqlite'],
    rows: rowsLabel(large),
    figure: `${render.firstPaintMs.toFixed(0)} ms`,
  });
  rows.push({
    measurement: `UI home, table of deployments shown (median of ${render.loads})`,
    database: DATABASE_NAMES[options.dialects[0] ?? 'sqlite'],
    rows: rowsLabel(large),
    figure: `${render.tableMs.toFixed(0)} ms`,
  });
  return rows;
}

await main().catch((error: unknown) => {
  progress(`failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exitCode = 1;
});
