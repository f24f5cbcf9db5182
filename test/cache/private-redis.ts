// A throwaway redis-server on its own free port, for tests that kill, freeze and restart Redis without
// touching the machine's shared one.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { connect } from 'node:net';
import { vi } from 'vitest';
import { freePort } from '../helpers/ports.js';

export { freePort };

export interface PrivateRedis {
  port: number;
  uri: string;
  /** Starts (or starts again) the server on the same port; resolves once it answers PING. */
  start(): Promise<void>;
  /** SIGKILL: connections drop at once, as when the host or container dies. */
  kill(): Promise<void>;
  /** SIGSTOP: the server keeps its connections but answers nothing, as a Redis stuck on a slow disk. */
  freeze(): void;
  /** SIGCONT after freeze(). */
  thaw(): void;
}

/** A redis-server without persistence, not started yet. */
export async function createPrivateRedis(): Promise<PrivateRedis> {
  const port = await freePort();
  let child: ChildProcess | undefined;
  const kill = async () => {
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    child.kill('SIGKILL');
    await exited;
  };
  return {
    port,
    uri: `redis://127.0.0.1:${port}/0`,
    async start() {
      await kill();
      child = spawn(
        'redis-server',
        ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
        { stdio: 'ignore' },
      );
      await vi.waitFor(
        async () => {
          if (!(await answersPing(port))) throw new Error(`redis-server did not start on port ${port}`);
        },
        { timeout: 10_000, interval: 50 },
      );
    },
    kill,
    freeze: () => child?.kill('SIGSTOP'),
    thaw: () => child?.kill('SIGCONT'),
  };
}

function answersPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    const done = (result: boolean) => {
      socket.destroy();
      resolve(result);
    };
    socket.setTimeout(500, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => done(data.toString().startsWith('+PONG')));
  });
}
