import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A real `versions` server process, started from the built output (dist/), listening on a free port. */
export interface ServerProcess {
  /** Base URL, e.g. http://127.0.0.1:41234 */
  url: string;
  /** Every stdout/stderr line the process printed so far. */
  logs: string[];
  process: ChildProcess;
  /** Sends SIGTERM, waits for exit, removes the temporary data folder. */
  stop(): Promise<void>;
}

/**
 * Starts `node dist/src/server.js` on SQLite in a fresh temporary folder (unless env says otherwise), with
 * APP_PORT=0 so the OS picks a port; resolves once the server logs that it is listening.
 */
export async function startServerProcess(env: Record<string, string> = {}): Promise<ServerProcess> {
  const dataDir = mkdtempSync(join(tmpdir(), 'versions-test-'));
  const child = spawn(process.execPath, ['dist/src/server.js'], {
    env: {
      PATH: process.env.PATH ?? '',
      APP_HOST: '127.0.0.1',
      APP_PORT: '0',
      APP_METRICS_PORT: '0',
      DB_URI: join(dataDir, 'versions.sqlite'),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: string[] = [];
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${logs.join('\n')}`)), 30_000);
    const onLine = (line: string) => {
      logs.push(line);
      try {
        const entry = JSON.parse(line) as { msg?: string; url?: string };
        if (entry.msg === 'versions is listening' && entry.url) {
          clearTimeout(timer);
          resolve(entry.url);
        }
      } catch {
        // not a JSON line: kept in logs only
      }
    };
    for (const stream of [child.stdout, child.stderr]) {
      let buffered = '';
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => {
        buffered += chunk;
        const lines = buffered.split('\n');
        buffered = lines.pop() ?? '';
        lines.forEach(onLine);
      });
    }
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${logs.join('\n')}`));
    });
  });
  return {
    url,
    logs,
    process: child,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Starts `count` servers at once (replicas); when one fails to start, the others are stopped before the
 * error is thrown, so that no process outlives the test.
 */
export async function startServerProcesses(
  count: number,
  env: Record<string, string> = {},
): Promise<ServerProcess[]> {
  const results = await Promise.allSettled(Array.from({ length: count }, () => startServerProcess(env)));
  const started = results.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
  const failure = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
  if (failure) {
    await Promise.all(started.map((server) => server.stop()));
    throw failure.reason;
  }
  return started;
}
