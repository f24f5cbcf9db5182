// The request log must not stop the service when whatever reads its stdout stops reading (a container log
// driver that is behind, a `| less` left open): with one blocking write per line, the server froze as soon
// as the pipe's 64 KiB were full. Here the reader is `sleep`, which never reads.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { freePort } from './helpers/ports.js';

const dataDir = mkdtempSync(join(tmpdir(), 'versions-stalled-log-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

it('keeps answering while nothing reads its log', async () => {
  const port = await freePort();
  const shell = spawn('sh', ['-c', `exec "$NODE" dist/src/server.js | sleep 600`], {
    env: {
      PATH: process.env.PATH ?? '',
      NODE: process.execPath,
      APP_HOST: '127.0.0.1',
      APP_PORT: String(port),
      APP_METRICS_PORT: '0',
      DB_URI: join(dataDir, 'versions.sqlite'),
    },
    stdio: 'ignore',
    detached: true,
  });
  try {
    const base = `http://127.0.0.1:${port}/api/v1`;
    await expect
      .poll(
        () =>
          fetch(`${base}/health`).then(
            (response) => response.status,
            () => 0,
          ),
        { timeout: 30_000 },
      )
      .toBe(200);
    // About 300 bytes of log a request: 3,000 requests write ~900 KB, fourteen times what the pipe holds.
    const path = `${base}/read/environment/latest?workload=w&platform=p&environment=${'e'.repeat(100)}`;
    let answered = 0;
    const worker = async () => {
      for (let index = 0; index < 300; index += 1) {
        const response = await fetch(path, { signal: AbortSignal.timeout(5_000) });
        await response.arrayBuffer();
        if (response.status === 404) answered += 1;
      }
    };
    await Promise.all(Array.from({ length: 10 }, worker));
    expect(answered).toBe(3_000);
  } finally {
    // The shell's group: the server and its reader.
    process.kill(-shell.pid!, 'SIGKILL');
  }
}, 90_000);
