// Peak resident memory of a server under the attacks of issue 11, beside its idle memory: each attack runs
// against a fresh server process (SQLite in a temporary folder, default limits), the peak (VmHWM) reset
// to the current size before it starts. Part of `npm run bench:extras`; `-- --only=attacks` runs it alone.
import { readFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BenchDatabase } from './databases.js';
import { startVersionsServer, type RunningServer } from './processes.js';
import { progress } from './progress.js';

const MEGABYTE = 1024 * 1024;
const KEY = { workload: 'w', platform: 'p', environment: 'e' };

interface AttackResult {
  attack: string;
  idleMiB: number;
  peakMiB: number;
  outcome: string;
}

function residentMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? NaN) / 1024;
}

/** Linux: the peak (VmHWM) starts again from the current resident set. */
function resetPeak(pid: number): void {
  writeFileSync(`/proc/${pid}/clear_refs`, '5');
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function create(url: string, version: string, raw: string): Promise<void> {
  const response = await fetch(`${url}/api/v1/create`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ ...KEY, version, raw }),
  });
  if (response.status !== 201) throw new Error(`create answered ${response.status}`);
}

/** A raw socket that sends `text` and then nothing; it reads what comes back only when `reads`. */
async function silentSocket(url: string, text: string, reads = false): Promise<Socket> {
  const { hostname, port } = new URL(url);
  const socket = connect({ host: hostname, port: Number(port) });
  socket.on('error', () => undefined);
  await new Promise((resolve) => socket.once('connect', resolve));
  socket.write(text);
  if (reads) socket.resume();
  else socket.pause();
  return socket;
}

/** 200 creates of 1 MB one after the other; how long the slowest took. */
async function createMegabytes(url: string): Promise<string> {
  const raw = 'w'.repeat(MEGABYTE - 1024);
  let slowest = 0;
  for (let index = 0; index < 200; index++) {
    const started = Date.now();
    await create(url, `3.0.${index}`, raw);
    slowest = Math.max(slowest, Date.now() - started);
  }
  return `200 × 201, slowest create ${slowest} ms`;
}

/** A webhook receiver that accepts every connection and never answers (item 4 of issue 11). */
async function hungReceiver(): Promise<{ url: string; close(): void }> {
  const sockets = new Set<Socket>();
  const server = createServer(() => undefined);
  server.on('connection', (socket) => sockets.add(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    close: () => {
      for (const socket of sockets) socket.destroy();
      server.close();
    },
  };
}

const ATTACKS: Array<{
  name: string;
  /** The attack needs a receiver that never answers, named in APP_WEBHOOK_URLS. */
  hungWebhook?: boolean;
  prepare?: (url: string) => Promise<void>;
  run: (url: string) => Promise<string>;
}> = [
  {
    // The baseline for the next line: what 200 creates of 1 MB cost the process without any receiver.
    name: 'control: 200 creates of 1 MB, no webhook receiver',
    run: (url) => createMegabytes(url),
  },
  {
    name: 'a webhook receiver that never answers, 200 creates of 1 MB',
    hungWebhook: true,
    run: (url) => createMegabytes(url),
  },

  {
    name: '121 rows of 1 MB, /read/environment?rangeLimit=1000 then the largest page allowed (16)',
    prepare: async (url) => {
      const raw = 'r'.repeat(1000 * 1024);
      for (let index = 0; index < 121; index++) await create(url, `1.0.${index}`, raw);
    },
    run: async (url) => {
      const read = async (rangeLimit: number) => {
        const query = new URLSearchParams({ ...KEY, rangeLimit: String(rangeLimit) }).toString();
        const response = await fetch(`${url}/api/v1/read/environment?${query}`);
        const bytes = (await response.arrayBuffer()).byteLength;
        return `${response.status} (${(bytes / MEGABYTE).toFixed(1)} MiB)`;
      };
      return `rangeLimit=1000: ${await read(1000)}; rangeLimit=16: ${await read(16)}`;
    },
  },
  {
    name: '150 /events clients that never read, three 1 MB events',
    run: async (url) => {
      const clients: Socket[] = [];
      for (let index = 0; index < 150; index++) {
        clients.push(await silentSocket(url, 'GET /api/v1/events HTTP/1.1\r\nHost: x\r\n\r\n'));
      }
      await pause(500);
      const raw = 'e'.repeat(MEGABYTE - 1024);
      for (let event = 0; event < 3; event++) await create(url, `2.0.${event}`, raw);
      await pause(1000);
      const open = clients.filter((client) => !client.destroyed).length;
      for (const client of clients) client.destroy();
      return `${open} of 150 still connected`;
    },
  },
  {
    name: '500 POSTs announcing 100,000 bytes, then silent (slow-loris)',
    run: async (url) => {
      const started = Date.now();
      const sockets: Socket[] = [];
      for (let index = 0; index < 500; index++) {
        sockets.push(
          await silentSocket(
            url,
            'POST /api/v1/create HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n' +
              'Content-Length: 100000\r\n\r\n{"workload":',
            true,
          ),
        );
      }
      const open = () => sockets.filter((socket) => !socket.destroyed && !socket.readableEnded).length;
      while (open() > 0 && Date.now() - started < 60_000) await pause(250);
      for (const socket of sockets) socket.destroy();
      const left = open();
      return `all closed by the server after ${((Date.now() - started) / 1000).toFixed(0)} s${left ? ` (${left} still open)` : ''}`;
    },
  },
  {
    name: '50 bodies of 400 KB of nested brackets',
    run: async (url) => {
      const statuses = new Map<number, number>();
      const body = '['.repeat(200_000) + ']'.repeat(200_000);
      for (let index = 0; index < 50; index++) {
        const response = await fetch(`${url}/api/v1/create`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body,
        });
        await response.arrayBuffer();
        statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
      }
      return [...statuses].map(([status, count]) => `${count} × ${status}`).join(', ');
    },
  },
];

/** Runs every attack on a server of its own; the results as a markdown table. */
export async function measureAttacks(): Promise<string> {
  const results: AttackResult[] = [];
  for (const attack of ATTACKS) {
    const dir = mkdtempSync(join(tmpdir(), 'versions-bench-attack-'));
    const file = join(dir, 'versions.sqlite');
    const database: BenchDatabase = {
      dialect: 'sqlite',
      rows: 0,
      config: { dialect: 'sqlite', file },
      env: { SQL_DRIVER: 'sqlite', DB_URI: file },
      fillSeconds: 0,
    };
    let server: RunningServer | undefined;
    const receiver = attack.hungWebhook ? await hungReceiver() : undefined;
    try {
      server = await startVersionsServer('attack', database, {
        env: {
          LOG_LEVEL: 'warn',
          APP_BODY_LIMIT: String(2 * MEGABYTE),
          APP_REQUEST_TIMEOUT_SECONDS: '30',
          ...(receiver ? { APP_WEBHOOK_URLS: receiver.url, APP_WEBHOOK_SECRET: 'bench' } : {}),
        },
      });
      await attack.prepare?.(server.url);
      await pause(2000);
      const idleMiB = residentMiB(server.pid);
      resetPeak(server.pid);
      const outcome = await attack.run(server.url);
      results.push({ attack: attack.name, idleMiB, peakMiB: server.peakRssMiB(), outcome });
      progress(
        `attack: ${attack.name}: ${idleMiB.toFixed(0)} → ${server.peakRssMiB().toFixed(0)} MiB; ${outcome}`,
      );
    } finally {
      await server?.stop();
      receiver?.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }
  const lines = [
    '| attack | idle RSS | peak RSS | peak ÷ idle | answers |',
    '| --- | --- | --- | --- | --- |',
    ...results.map(
      (result) =>
        `| ${result.attack} | ${result.idleMiB.toFixed(0)} MiB | ${result.peakMiB.toFixed(0)} MiB | ${(result.peakMiB / result.idleMiB).toFixed(2)} | ${result.outcome} |`,
    ),
  ];
  return lines.join('\n');
}

const START = '<!-- bench:attacks:start -->';
const END = '<!-- bench:attacks:end -->';

/** Writes the table between this measurement's own markers of bench/README.md (appended when absent). */
export function writeAttacksReadme(path: string, results: string): void {
  const block = `${START}\n${results}\n${END}`;
  const current = readFileSync(path, 'utf8');
  const start = current.indexOf(START);
  const end = current.indexOf(END);
  const heading = '## Memory under attack (`npm run bench:extras -- --only=attacks`, issue 11)';
  const next =
    start === -1 || end === -1
      ? `${current.trimEnd()}\n\n${heading}\n\n${block}\n`
      : `${current.slice(0, start)}${block}${current.slice(end + END.length)}`;
  writeFileSync(path, next);
}
