// A throwaway MariaDB server on its own port and data folder, for tests that need server settings the
// machine's server does not have (sql_mode...). Started and stopped by the test, like private-postgres.ts.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import { freePort } from './ports.js';

export interface PrivateMariadb {
  host: string;
  port: number;
  user: string;
  password: string;
  /** Stops the server and removes its data folder. */
  destroy(): Promise<void>;
}

/** Whether `mariadbd` and `mariadb-install-db` can be run here. */
export function mariadbInstalled(): boolean {
  return ['mariadbd', 'mariadb-install-db'].every(
    (command) => spawnSync('sh', ['-c', `command -v ${command}`]).status === 0,
  );
}

/**
 * Installs a new data folder and starts `mariadbd` on it with `args` (e.g. `--sql-mode=...`); resolves once
 * it accepts connections (root, no password, on 127.0.0.1).
 */
export async function startPrivateMariadb(args: string[] = []): Promise<PrivateMariadb> {
  const dir = mkdtempSync(join(tmpdir(), 'versions-mariadb-'));
  const data = join(dir, 'data');
  const user = process.getuid?.() === 0 ? ['--user=root'] : [];
  const install = spawnSync(
    'mariadb-install-db',
    [
      '--no-defaults',
      `--datadir=${data}`,
      ...user,
      '--auth-root-authentication-method=normal',
      '--skip-test-db',
    ],
    { encoding: 'utf8' },
  );
  if (install.status !== 0) throw new Error(`mariadb-install-db failed:\n${install.stdout}${install.stderr}`);
  const port = await freePort();
  const server: ChildProcess = spawn(
    'mariadbd',
    [
      '--no-defaults',
      `--datadir=${data}`,
      `--port=${port}`,
      '--bind-address=127.0.0.1',
      `--socket=${join(dir, 's.sock')}`,
      ...user,
      '--skip-log-bin',
      '--innodb-buffer-pool-size=16M',
      `--log-error=${join(dir, 'error.log')}`,
      ...args,
    ],
    { stdio: 'ignore' },
  );
  const exited = new Promise<void>((resolve) => server.once('exit', () => resolve()));
  const target = { host: '127.0.0.1', port, user: 'root', password: '' };
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      const connection = await mysql.createConnection(target);
      await connection.end();
      break;
    } catch (error) {
      if (server.exitCode !== null || Date.now() > deadline) {
        server.kill('SIGKILL');
        rmSync(dir, { recursive: true, force: true });
        throw new Error(`mariadbd did not start: ${(error as Error).message}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  return {
    ...target,
    async destroy() {
      if (server.exitCode === null) {
        server.kill('SIGTERM');
        const timer = setTimeout(() => server.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(timer);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
