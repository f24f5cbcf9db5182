// Processes the bench starts: the versions server under test (from dist/, as `npm start` runs it), the
// bare-Node ceiling, the original's design, and one-shot children that print a JSON line and exit.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BenchDatabase } from './databases.js';

/** Every child still running; killed if the bench itself ends early (a crash, Ctrl-C), never left behind. */
const children = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});

function track(child: ChildProcess): ChildProcess {
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

export interface RunningServer {
  name: string;
  url: string;
  pid: number;
  /** Peak resident memory of the process so far (VmHWM), in MiB. */
  peakRssMiB(): number;
  /** CPU time the process used so far (user + system), in ms: less disturbed by other work than throughput. */
  cpuMs(): number;
  stop(): Promise<void>;
}

export interface ServerOptions {
  /** Node flags for the versions servers, e.g. --cpu-prof to profile them. */
  nodeFlags?: string[];
  /** Another build of the server to run (bench/compare.ts), instead of dist/src/server.js. */
  entry?: string;
  /** More environment variables (LOG_LEVEL...). */
  env?: Record<string, string>;
}

/** Starts `node dist/src/server.js` on that database, as users run it: request logging and metrics on. */
export async function startVersionsServer(
  name: string,
  database: BenchDatabase,
  options: ServerOptions = {},
): Promise<RunningServer> {
  const [port, metricsPort] = [await freePort(), await freePort()];
  const logDir = mkdtempSync(join(tmpdir(), 'versions-bench-log-'));
  // Its log lines go to a file, as they would to a container's log: written, never read by the bench.
  const log = openSync(join(logDir, 'server.log'), 'a');
  const child = spawnTracked(
    process.execPath,
    [...(options.nodeFlags ?? []), options.entry ?? 'dist/src/server.js'],
    {
      env: {
        PATH: process.env.PATH ?? '',
        ...database.env,
        APP_HOST: '127.0.0.1',
        APP_PORT: String(port),
        APP_METRICS_PORT: String(metricsPort),
        ...options.env,
      },
      stdio: ['ignore', log, log],
    },
  );
  closeSync(log);
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitUntilAnswering(child, `${url}/api/v1/health`, () =>
      readFileSync(join(logDir, 'server.log'), 'utf8'),
    );
  } catch (error) {
    rmSync(logDir, { recursive: true, force: true });
    throw error;
  }
  return running(name, url, child, () => rmSync(logDir, { recursive: true, force: true }));
}

/** Starts a bench child (a .ts file run by tsx) that listens on a free port and prints {"port"} first. */
export async function startBenchServer(name: string, script: string, args: string[]): Promise<RunningServer> {
  const child = spawnTracked(process.execPath, ['--import', 'tsx', script, ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    let output = '';
    child.stdout?.setEncoding('utf8');
    child.stdout?.on('data', (chunk: string) => {
      output += chunk;
      const line = output.split('\n')[0];
      if (output.includes('\n') && line) resolve((JSON.parse(line) as { port: number }).port);
    });
    child.once('exit', (code) => reject(new Error(`${name} exited with ${code} before listening`)));
  });
  return running(name, `http://127.0.0.1:${port}`, child);
}

/** Runs a bench child to its end and returns the JSON of its last stdout line. */
export async function runBenchChild<T>(script: string, args: string[]): Promise<T> {
  const child = spawnTracked(process.execPath, ['--import', 'tsx', script, ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return parseLastLine<T>(child, script);
}

/** Runs a program to its end; its stdout. */
export async function runProgram(command: string, args: string[]): Promise<string> {
  const child = spawnTracked(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  let errors = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (errors += chunk));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', resolve);
  });
  if (code !== 0) throw new Error(`${command} exited with ${code}: ${errors.trim()}`);
  return output;
}

const spawnTracked = (...args: Parameters<typeof spawn>) => track(spawn(...args));

function parseLastLine<T>(child: ChildProcess, name: string): Promise<T> {
  let output = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  return new Promise<T>((resolve, reject) => {
    child.once('exit', (code) => {
      const line = output.trim().split('\n').pop();
      if (code !== 0 || !line) reject(new Error(`${name} exited with ${code}`));
      else resolve(JSON.parse(line) as T);
    });
  });
}

function running(name: string, url: string, child: ChildProcess, cleanUp = () => {}): RunningServer {
  const pid = child.pid ?? 0;
  return {
    name,
    url,
    pid,
    peakRssMiB: () => peakRssMiB(pid),
    cpuMs: () => cpuMs(pid),
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      cleanUp();
    },
  };
}

/** VmHWM of a process: the most resident memory it ever had, in MiB. */
export function peakRssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = /^VmHWM:\s+(\d+) kB/m.exec(status)?.[1];
  return kib ? Number(kib) / 1024 : Number.NaN;
}

/** utime + stime of a process (fields 14 and 15 of /proc/PID/stat, in clock ticks of 10 ms), in ms. */
export function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may hold spaces: count fields from the closing parenthesis.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

async function waitUntilAnswering(child: ChildProcess, url: string, logs: () => string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}:\n${logs()}`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  child.kill('SIGKILL');
  throw new Error(`server did not answer ${url} within 60 s:\n${logs()}`);
}

/** A TCP port nobody listens on right now (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
