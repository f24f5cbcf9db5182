// A/B of a change: the same endpoints on two builds of the server, side by side, on the databases a
// `npm run bench -- --keep` left behind. Rounds alternate between the builds, so both see the same noise;
// the server's CPU time per request (from /proc) is reported too, as it moves much less with other work.
//
//   mkdir -p /tmp/before && cp -r src tsconfig*.json package.json /tmp/before/   # the tree without the change
//   (cd /tmp/before && ln -s /work/main/node_modules && npx tsc -p tsconfig.build.json)
//   npx tsx bench/compare.ts --before=/tmp/before/dist/src/server.js --dialects=sqlite [--rows=1000000]
//   [--only=lookup,page,home,distinct,stats-latest,dora,create] [--kept=FILE: a list of databases other than
//   the one `--keep` wrote, in its format]
import { existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DialectName } from '../src/config.js';
import { environmentAt, HOT_ENVIRONMENT } from './dataset.js';
import type { BenchDatabase } from './databases.js';
import { combineRounds, runLoad, type LoadSpec, type Throughput } from './load.js';
import { startVersionsServer, type RunningServer } from './processes.js';
import { progress } from './progress.js';
import { thousands } from './report.js';

const argv = process.argv.slice(2);
const value = (name: string) => argv.find((arg) => arg.startsWith(`--${name}=`))?.split('=')[1];
const before = value('before');
if (!before || !existsSync(before)) throw new Error('--before=PATH/server.js (another build) is required');
const dialects = (value('dialects') ?? 'sqlite,postgres,mysql').split(',') as DialectName[];
const rows = Number(value('rows') ?? 1_000_000);
const rounds = Number(value('rounds') ?? 3);
const seconds = Number(value('seconds') ?? 3);
const only = value('only')?.split(',');

const kept = value('kept') ?? join(tmpdir(), 'versions-bench-databases.json');
if (!existsSync(kept)) throw new Error('run `npm run bench -- --keep` first: its databases are compared on');
const databases = JSON.parse(readFileSync(kept, 'utf8')) as BenchDatabase[];
const hot = new URLSearchParams(HOT_ENVIRONMENT).toString();
const paths: Record<string, string> = {
  lookup: `/read/environment/latest?${hot}`,
  page: `/read/environment?${hot}&page=1`,
  home: '/read/home',
  distinct: '/read/distinct/workloads',
  'stats-latest': '/stats/latest',
  dora: '/stats/dora?days=365',
};

function createSpec(url: string): LoadSpec {
  let sent = 0;
  return {
    url: `${url}/api/v1/create`,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    setupRequest: (request) => {
      sent += 1;
      const body = { ...environmentAt(sent), version: `3.${sent}`, status: 'deployed' };
      return { ...request, body: JSON.stringify(body) };
    },
  };
}

const lines: string[] = [
  '| database | endpoint | before | after | after ÷ before (CPU per request) |',
  '| --- | --- | --- | --- | --- |',
];
const servers: RunningServer[] = [];
try {
  for (const dialect of dialects) {
    const database = databases.find((db) => db.dialect === dialect && db.rows === rows);
    if (!database) throw new Error(`no kept ${dialect} database of ${rows} rows`);
    const builds = {
      before: await startVersionsServer('before', database, { entry: before }),
      after: await startVersionsServer('after', database),
    };
    servers.push(builds.before, builds.after);
    const endpoints = [...Object.keys(paths), 'create'].filter((name) => !only || only.includes(name));
    for (const endpoint of endpoints) {
      const spec = (server: RunningServer): LoadSpec =>
        endpoint === 'create' ? createSpec(server.url) : { url: `${server.url}/api/v1${paths[endpoint]}` };
      const results: Record<'before' | 'after', Throughput[]> = { before: [], after: [] };
      const cpu = { before: 0, after: 0 };
      for (const name of ['before', 'after'] as const) await runLoad(spec(builds[name]), 10, 1);
      for (let round = 0; round < rounds; round++) {
        const order = round % 2 === 0 ? (['before', 'after'] as const) : (['after', 'before'] as const);
        for (const name of order) {
          const start = builds[name].cpuMs();
          results[name].push(await runLoad(spec(builds[name]), 10, seconds));
          cpu[name] += builds[name].cpuMs() - start;
        }
      }
      const [a, b] = [combineRounds(results.before), combineRounds(results.after)];
      const [cpuA, cpuB] = [(cpu.before * 1000) / a.requests, (cpu.after * 1000) / b.requests];
      const line = `| ${dialect} ${rows} | ${endpoint} | ${thousands(a.rps)} req/s, ${cpuA.toFixed(0)} µs CPU | ${thousands(b.rps)} req/s, ${cpuB.toFixed(0)} µs CPU | ${(b.rps / a.rps).toFixed(2)} (CPU ${(cpuB / cpuA).toFixed(2)}) |`;
      progress(line);
      lines.push(line);
    }
    lines.push(
      `| ${dialect} ${rows} | peak RSS | ${builds.before.peakRssMiB().toFixed(0)} MiB | ${builds.after.peakRssMiB().toFixed(0)} MiB | |`,
    );
    await Promise.all([builds.before.stop(), builds.after.stop()]);
  }
} finally {
  await Promise.allSettled(servers.map((server) => server.stop()));
}
process.stdout.write(`\n${lines.join('\n')}\n`);
