// The image, run for real: containers of versions:local (built by `npm run image`) with podman or docker.
// Heavy (it needs the built image and a container engine), so it runs only when VERSIONS_IMAGE_TEST=1:
// `npm run test:image` builds the image and sets it, and .ci/run runs that. Without an engine it is
// skipped, loudly.
import { execFile, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { findEngine } from '../../scripts/image-engine.mjs';
import { createTestDatabase, type TestDatabase } from '../helpers/databases.js';
import { REDIS_URI } from '../helpers/servers.js';
import { freePort } from '../helpers/ports.js';

const IMAGE = 'versions:local';
/** Containers start in seconds, but this machine may be busy: generous limits, never reached when all is well. */
const LIMIT = 180_000;
const wanted = process.env.VERSIONS_IMAGE_TEST === '1';
const engine = wanted ? findEngine() : undefined;
if (wanted && !engine) {
  const bar = '!'.repeat(100);
  console.warn(`\n${bar}\n!! SKIPPED: the container image test: no container engine can run here\n${bar}\n`);
}
const run = promisify(execFile);
const prefix = `versions-test-${randomBytes(4).toString('hex')}`;

/** An engine command; resolves with its stdout, rejects when it fails. */
async function inEngine(...args: string[]): Promise<string> {
  const { stdout } = await run(engine!.name, args, { env: engine!.env, maxBuffer: 16 * 1024 * 1024 });
  return stdout.trim();
}

/** An engine command's exit code, whatever it is. */
function exitCodeOf(...args: string[]): number | null {
  return spawnSync(engine!.name, args, { env: engine!.env, stdio: 'ignore' }).status;
}

async function waitFor<T>(what: string, check: () => Promise<T | undefined>, seconds = 60): Promise<T> {
  return vi.waitFor(
    async () => {
      const result = await check();
      if (result === undefined) throw new Error(`${what} after ${seconds} s`);
      return result;
    },
    { timeout: seconds * 1000, interval: 500 },
  );
}

const containers: string[] = [];
const volumes: string[] = [];

/** Starts a detached container of the image; its name is removed after the tests. */
async function start(name: string, args: string[]): Promise<string> {
  const full = `${prefix}-${name}`;
  containers.push(full);
  // Podman's --read-only adds writable tmpfs on /tmp, /var/tmp and /run unless told not to: without
  // them it is the same read-only root as docker's --read-only and Kubernetes' readOnlyRootFilesystem.
  const readOnly = engine!.name === 'podman' ? ['--read-only', '--read-only-tmpfs=false'] : ['--read-only'];
  await inEngine('run', '--detach', '--name', full, ...readOnly, '--health-interval', '2s', ...args, IMAGE);
  return full;
}

async function logsOf(name: string): Promise<string> {
  const { stdout, stderr } = await run(engine!.name, ['logs', name], { env: engine!.env }).catch(() => ({
    stdout: '',
    stderr: '',
  }));
  return `${stdout}${stderr}`;
}

async function waitForHealth(name: string, url: string): Promise<void> {
  await waitFor(`${name} does not answer /api/v1/health`, async () => {
    const response = await fetch(`${url}/api/v1/health`);
    return response.ok ? true : undefined;
  }).catch(async (error: Error) => {
    throw new Error(`${error.message}\n${await logsOf(name)}`);
  });
}

async function createDeployment(url: string, fields: Record<string, string>): Promise<number> {
  const response = await fetch(`${url}/api/v1/create`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(fields),
  });
  expect(response.status, await response.clone().text()).toBe(201);
  return ((await response.json()) as { versionId: number }).versionId;
}

async function latest(url: string, where: { workload: string; platform: string; environment: string }) {
  const response = await fetch(
    `${url}/api/v1/read/environment/latest/whatever?${new URLSearchParams(where)}`,
  );
  return { status: response.status, body: (await response.json()) as { version?: string } };
}

describe.runIf(engine)('the image versions:local in containers', { timeout: LIMIT }, () => {
  let imageUid = -1;

  beforeAll(async () => {
    const present = exitCodeOf('image', 'inspect', IMAGE) === 0;
    if (!present) throw new Error(`${IMAGE} is missing: build it with \`npm run image\``);
    // The image's USER, numeric (uid:gid), never root.
    const user = await inEngine('image', 'inspect', '--format', '{{.Config.User}}', IMAGE);
    imageUid = Number(/^(\d+)/.exec(user)?.[1]);
    expect(imageUid, `USER ${user}`).toBeGreaterThan(0);
  });

  afterAll(async () => {
    for (const name of containers) spawnSync(engine!.name, ['rm', '--force', name], { env: engine!.env });
    for (const name of volumes)
      spawnSync(engine!.name, ['volume', 'rm', '--force', name], { env: engine!.env });
  });

  it('runs with no configuration on SQLite in a volume, read-only, not as root, healthy; a restart keeps the data', async () => {
    const volume = `${prefix}-data`;
    volumes.push(volume);
    await inEngine('volume', 'create', volume);
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const first = await start('sqlite-1', [
      '--publish',
      `127.0.0.1:${port}:8080`,
      '--volume',
      `${volume}:/app/data`,
    ]);
    await waitForHealth(first, url);

    // API and UI.
    const where = { workload: `w-${prefix}`, platform: 'p', environment: 'e' };
    await createDeployment(url, { ...where, version: '1.2.3' });
    expect((await latest(url, where)).body.version).toBe('1.2.3');
    const page = await fetch(`${url}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    expect(await page.text()).toMatch(/<script[^>]+src=/);

    // PID 1 is the server, as the image's unprivileged user. The checks run `node -e` inside the
    // container: the image need not have a shell or coreutils.
    const inside = (script: string) => inEngine('exec', first, 'node', '-e', script);
    const command = await inside(
      "process.stdout.write(require('fs').readFileSync('/proc/1/cmdline', 'utf8').split('\\0').join(' '))",
    );
    expect(command).toMatch(/^(\S*\/)?node dist\/src\/server\.js\s*$/);
    const uid = await inside(
      "process.stdout.write(/^Uid:\\s+(\\d+)/m.exec(require('fs').readFileSync('/proc/1/status', 'utf8'))[1])",
    );
    expect(Number(uid)).toBe(imageUid);
    expect(await inside('process.stdout.write(String(process.getuid()))')).toBe(String(imageUid));
    // The root filesystem (/tmp included) cannot be written; the data volume holds the database.
    const writable = await inside(
      "const fs = require('fs'); process.stdout.write(JSON.stringify(['/app/x', '/tmp/x', '/x', '/app/data/x'].map((p) => { try { fs.writeFileSync(p, 'x'); fs.rmSync(p); return true; } catch { return false; } })))",
    );
    expect(JSON.parse(writable)).toEqual([false, false, false, true]);
    expect(await inside("process.stdout.write(require('fs').readdirSync('/app/data').join(' '))")).toMatch(
      /versions\.sqlite/,
    );

    // The image's HEALTHCHECK turns healthy. Podman without systemd has no timer to run it, so the
    // test runs it as the timer would (`podman healthcheck run` records the result).
    await waitFor(`${first} is not healthy`, async () => {
      if (engine!.name === 'podman') exitCodeOf('healthcheck', 'run', first);
      const state = JSON.parse(await inEngine('inspect', '--format', '{{json .State}}', first)) as {
        Health?: { Status: string };
        Healthcheck?: { Status: string };
      };
      return (state.Health ?? state.Healthcheck)?.Status === 'healthy' ? true : undefined;
    });

    // A new container on the same volume (the first one's filesystem is gone) finds the data.
    await inEngine('stop', '--time', '10', first);
    expect(await inEngine('inspect', '--format', '{{.State.ExitCode}}', first)).toBe('0');
    await inEngine('rm', first);
    const second = await start('sqlite-2', [
      '--publish',
      `127.0.0.1:${port}:8080`,
      '--volume',
      `${volume}:/app/data`,
    ]);
    await waitForHealth(second, url);
    expect((await latest(url, where)).body.version).toBe('1.2.3');
  });

  describe('two containers on the machine PostgreSQL and Redis (host network)', () => {
    let database: TestDatabase;
    const urls: string[] = [];
    const names: string[] = [];

    beforeAll(async () => {
      database = await createTestDatabase('postgres');
      if (database.config.dialect !== 'postgres') throw new Error('expected PostgreSQL');
      for (const replica of ['a', 'b']) {
        const [port, metricsPort] = [await freePort(), await freePort()];
        const name = await start(`pg-${replica}`, [
          '--network',
          'host',
          ...['--env', 'SQL_DRIVER=postgres'],
          ...['--env', `DB_URI=${database.config.connectionString}`],
          ...['--env', 'REDIS_ENABLED=true'],
          ...['--env', `REDIS_URI=${REDIS_URI}`],
          ...['--env', 'APP_HOST=127.0.0.1'],
          ...['--env', `APP_PORT=${port}`],
          ...['--env', `APP_METRICS_PORT=${metricsPort}`],
        ]);
        names.push(name);
        urls.push(`http://127.0.0.1:${port}`);
      }
      for (const [index, url] of urls.entries()) await waitForHealth(names[index]!, url);
    }, LIMIT);

    afterAll(async () => {
      for (const name of names) spawnSync(engine!.name, ['rm', '--force', name], { env: engine!.env });
      await database?.drop();
    });

    it('both report PostgreSQL and Redis, and answer consistently whichever wrote', async () => {
      for (const url of urls) {
        const health = await fetch(`${url}/api/v1/healthz`);
        expect(health.status).toBe(200);
        expect(await health.json()).toMatchObject({ status: { postgresql: 'OK', redis: 'OK' } });
      }
      const [a, b] = urls as [string, string];
      const where = { workload: `w-${prefix}`, platform: 'p', environment: 'e' };
      await createDeployment(a, { ...where, version: '1.0.0' });
      // Both read it (and cache it), then a write through B is what A answers next.
      expect((await latest(b, where)).body.version).toBe('1.0.0');
      expect((await latest(a, where)).body.version).toBe('1.0.0');
      await createDeployment(b, { ...where, version: '1.1.0' });
      expect((await latest(a, where)).body.version).toBe('1.1.0');
      expect((await latest(b, where)).body.version).toBe('1.1.0');
    });

    it('a container stopped with SIGTERM finishes the request in flight and exits 0 within 10 s', async () => {
      const [a, b] = urls as [string, string];
      const [name] = names as [string];
      const where = { workload: `w-${prefix}`, platform: 'p', environment: 'e' };
      const body = JSON.stringify({ ...where, version: '2.0.0', raw: 'x'.repeat(10_000) });
      let signalled = 0;
      const answer = new Promise<{ status: number; text: string }>((resolve, reject) => {
        const req = request(
          `${a}/api/v1/create`,
          {
            method: 'POST',
            headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
          },
          (res) => {
            let text = '';
            res.on('data', (chunk) => (text += chunk));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
          },
        );
        req.on('error', reject);
        // Half the body now, SIGTERM to the container, the rest once the signal is delivered.
        req.write(body.slice(0, 5000));
        setTimeout(() => {
          signalled = Date.now();
          inEngine('kill', '--signal', 'TERM', name).then(() => {
            setTimeout(() => req.end(body.slice(5000)), 300);
          }, reject);
        }, 200);
      });
      const response = await answer;
      expect(response.status, response.text).toBe(201);
      const exitCode = await inEngine('wait', name);
      // When the process ended, as the engine recorded it: `wait` itself may return later, on a busy machine.
      const finishedAt = JSON.parse(
        await inEngine('inspect', '--format', '{{json .State.FinishedAt}}', name),
      );
      const stopped = Date.parse(finishedAt as string);
      expect(exitCode).toBe('0');
      console.info(`image: SIGTERM to exit took ${stopped - signalled} ms`);
      expect(stopped - signalled).toBeLessThan(10_000);
      expect(await logsOf(name)).toMatch(/"msg":"stopped"/);
      // The write that was in flight is there for the other replica.
      expect((await latest(b, where)).body.version).toBe('2.0.0');
    });
  });
});

if (!engine) {
  describe('the image in containers', () => {
    it.skip(
      wanted
        ? 'SKIPPED: no container engine can run here'
        : 'runs only with VERSIONS_IMAGE_TEST=1 (npm run test:image)',
      () => {},
    );
  });
}
