import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request as httpRequest, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../src/cli/main.js';
import { startServerProcess, type ServerProcess } from './helpers/server-process.js';

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

/** runCli in this process, with its output captured. */
async function cli(argv: string[], env: NodeJS.ProcessEnv = {}): Promise<Outcome> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, env, {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
    // Outside any git checkout: `record` would otherwise find this repository's commit and changes.
    cwd: tmpdir(),
  });
  return { code, stdout, stderr };
}

/** `node bin/versions.js ...` as a real process, as a pipeline runs it. */
function cliProcess(argv: string[], env: Record<string, string> = {}): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    // A clean environment, so a VERSIONS_URL or VERSIONS_TOKEN of whoever runs the tests cannot leak in.
    const child = spawn(process.execPath, [join(process.cwd(), 'bin/versions.js'), ...argv], {
      env: { PATH: process.env.PATH ?? '', ...env },
      // Outside any git checkout: `record` would otherwise find this repository's commit and changes.
      cwd: tmpdir(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

interface SeenRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

type Reply = { status: number; body: unknown } | 'hang' | 'destroy' | 'proxy';

interface TestServer {
  url: string;
  requests: SeenRequest[];
  close(): Promise<void>;
}

/**
 * A tiny HTTP server scripted per request (the n-th request gets reply(request, n)), standing in for a
 * failing server or a flaky network in front of the real one; 'proxy' forwards to `upstream`.
 */
async function scriptedServer(reply: (request: SeenRequest, n: number) => Reply, upstream?: string) {
  const requests: SeenRequest[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      const seen = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body };
      requests.push(seen);
      const answer = reply(seen, requests.length);
      if (answer === 'hang') return;
      if (answer === 'destroy') {
        req.socket.destroy();
        return;
      }
      if (answer === 'proxy') {
        if (!upstream) throw new Error('no upstream to proxy to');
        const forward = httpRequest(new URL(seen.url, upstream), {
          method: seen.method,
          headers: req.headers,
        });
        forward.on('response', (upstreamRes) => {
          res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.headers);
          upstreamRes.pipe(res);
        });
        forward.end(body);
        return;
      }
      res.writeHead(answer.status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(answer.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  } satisfies TestServer;
}

/** A URL where nothing listens: a port the OS handed out and that was closed again. */
async function deadUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return `http://127.0.0.1:${port}`;
}

const RECORD = ['record', '--workload', 'teamX', '--platform', 'production', '--environment', 'eu'];

describe('versions CLI, parsing and usage (runCli)', () => {
  let server: TestServer;
  beforeAll(async () => {
    // Every usage error must be caught before any request: the server counts them.
    server = await scriptedServer(() => ({ status: 500, body: { error: 'no request expected' } }));
  });
  afterAll(() => server.close());

  const usageCases: [string, string[], RegExp][] = [
    ['an unknown command', ['deploy'], /unknown command 'deploy'/],
    ['an unknown option', [...RECORD, '--version', '1', '--nope'], /Unknown option '--nope'/],
    ['a missing required option', RECORD, /missing required option --version/],
    ['an empty required option', [...RECORD, '--version', ''], /--version must not be empty/],
    ['an option without its value', [...RECORD, '--version'], /--version <value>' argument missing/],
    ['a stray argument', [...RECORD, '--version', '1', 'extra'], /record takes no arguments/],
    ['an unreadable --raw file', [...RECORD, '--version', '1', '--raw', '@/no/such/file.json'], /ENOENT/],
    ['--raw @ without a file name', [...RECORD, '--version', '1', '--raw', '@'], /file name after @/],
    ['a date without time zone', [...RECORD, '--version', '1', '--date', '2024-05-01T12:00:00'], /--date/],
    ['a date that is not one', [...RECORD, '--version', '1', '--date', 'yesterday'], /--date/],
    ['a URL that is not http', [...RECORD, '--version', '1', '--url', 'ftp://x'], /http:\/\/ or https:/],
    ['a URL that is not a URL', [...RECORD, '--version', '1', '--url', 'nowhere'], /'nowhere'/],
    ['bad --retries', [...RECORD, '--version', '1', '--retries', '-1'], /--retries/],
    ['bad --timeout', [...RECORD, '--version', '1', '--timeout', '0'], /--timeout/],
    ['status without STATUS', ['status', '14'], /status expects ID STATUS/],
    ['status with a non-numeric ID', ['status', 'abc', 'deployed'], /ID must be a positive integer/],
    ['status with ID 0', ['status', '0', 'deployed'], /ID must be a positive integer/],
    ['status with an empty STATUS', ['status', '14', ' '], /STATUS must not be empty/],
    ['latest without --environment', ['latest', '--workload', 'w', '--platform', 'p'], /--environment/],
    ['latest --any with a value', ['latest', '--any=yes'], /--any' does not take an argument/],
    ['serve with a connection option', ['serve', '--url', 'http://x'], /Unknown option '--url'/],
    ['global options without a command', ['--url', 'http://x'], /missing command/],
    ['help about an unknown command', ['help', 'deploy'], /unknown command 'deploy'/],
  ];
  it.each(usageCases)('exits 2 on %s', async (_name, argv, message) => {
    const result = await cli(argv, { VERSIONS_URL: server.url });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).toMatch(/Run `versions( \w+)? --help` for usage/);
    expect(result.stdout).toBe('');
    expect(server.requests).toHaveLength(0);
  });

  it('prints the global help on stderr and exits 2 when run without arguments', async () => {
    const result = await cli([]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('Usage: versions <command>');
    expect(result.stdout).toBe('');
  });

  it.each([['--help'], ['-h'], ['help'], ['--url', 'http://x', '--help']])(
    'prints the global help on stdout for %s',
    async (...argv) => {
      const result = await cli(argv);
      expect(result.code).toBe(0);
      expect(result.stdout).toContain('Usage: versions <command>');
      for (const command of ['record', 'status', 'latest', 'serve']) expect(result.stdout).toContain(command);
      expect(result.stdout).toContain('VERSIONS_TOKEN');
    },
  );

  it.each([
    ['record', 'Usage: versions record --workload W'],
    ['status', 'Usage: versions status ID STATUS'],
    ['latest', 'Usage: versions latest --workload W'],
    ['serve', 'Usage: versions serve'],
  ])('prints the help of %s, even when its required options are missing', async (command, usage) => {
    for (const argv of [
      [command, '--help'],
      [command, '-h'],
      ['help', command],
      ['--help', command],
    ]) {
      const result = await cli(argv, { VERSIONS_URL: server.url });
      expect(result.code, argv.join(' ')).toBe(0);
      expect(result.stdout).toContain(usage);
      expect(result.stderr).toBe('');
    }
    expect(server.requests).toHaveLength(0);
  });

  it('takes --help after `--` as an argument, not as a request for help', async () => {
    const result = await cli(['status', '--', '--help', 'deployed'], { VERSIONS_URL: server.url });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/ID must be a positive integer/);
  });
});

describe('versions CLI, talking to a server (runCli)', () => {
  const servers: TestServer[] = [];
  async function serverAnswering(reply: (request: SeenRequest, n: number) => Reply) {
    const server = await scriptedServer(reply);
    servers.push(server);
    return server;
  }
  afterAll(async () => {
    await Promise.all(servers.map((server) => server.close()));
  });

  it('records with a JSON body, the bearer token and every optional field, and prints the versionId', async () => {
    const server = await serverAnswering(() => ({ status: 201, body: { versionId: 14 } }));
    const result = await cli(
      [
        ...RECORD,
        '--version',
        '1.4.0',
        '--status',
        'ongoing',
        '--changelog-url',
        'https://example.com/changes',
        '--raw',
        '{"a":"b"}',
        '--date',
        '2024-05-01T12:30:00+02:00',
      ],
      { VERSIONS_URL: server.url, VERSIONS_TOKEN: 'env-token-123' },
    );
    expect(result).toEqual({ code: 0, stdout: '14\n', stderr: '' });
    const [seen] = server.requests;
    expect(seen?.method).toBe('POST');
    expect(seen?.url).toBe('/api/v1/create');
    expect(seen?.headers['content-type']).toBe('application/json');
    expect(seen?.headers.authorization).toBe('Bearer env-token-123');
    expect(JSON.parse(seen?.body ?? '')).toEqual({
      workload: 'teamX',
      platform: 'production',
      environment: 'eu',
      version: '1.4.0',
      status: 'ongoing',
      changelogURL: 'https://example.com/changes',
      raw: '{"a":"b"}',
      date: '2024-05-01T12:30:00+02:00',
    });
  });

  it('leaves the default status to the server and sends no Authorization without a token', async () => {
    const server = await serverAnswering(() => ({ status: 201, body: { versionId: 1 } }));
    const result = await cli([...RECORD, '--version', '1'], { VERSIONS_URL: server.url, VERSIONS_TOKEN: '' });
    expect(result.code).toBe(0);
    expect(server.requests[0]?.headers.authorization).toBeUndefined();
    expect(JSON.parse(server.requests[0]?.body ?? '')).toEqual({
      workload: 'teamX',
      platform: 'production',
      environment: 'eu',
      version: '1',
    });
  });

  it('lets --url and --token override VERSIONS_URL and VERSIONS_TOKEN, and keeps a path prefix', async () => {
    const server = await serverAnswering(() => ({ status: 200, body: 'OK' }));
    const result = await cli(
      ['status', '14', 'deployed', '--url', `${server.url}/tools/`, '--token', 'flag-token'],
      {
        VERSIONS_URL: await deadUrl(),
        VERSIONS_TOKEN: 'env-token-123',
      },
    );
    expect(result).toEqual({ code: 0, stdout: '', stderr: '' });
    expect(server.requests[0]?.url).toBe('/tools/api/v1/update/status');
    expect(server.requests[0]?.headers.authorization).toBe('Bearer flag-token');
    expect(JSON.parse(server.requests[0]?.body ?? '')).toEqual({ versionId: 14, status: 'deployed' });
  });

  it('reads the latest successful version, or with --any the latest whatever its status', async () => {
    const server = await serverAnswering((request) => ({
      status: 200,
      body: { version: request.url.includes('/whatever') ? '2.0.0-rc1' : '1.9.0' },
    }));
    const query = ['--workload', 'team X', '--platform', 'prod', '--environment', 'eu'];
    expect(await cli(['latest', ...query], { VERSIONS_URL: server.url })).toEqual({
      code: 0,
      stdout: '1.9.0\n',
      stderr: '',
    });
    expect(await cli(['latest', ...query, '--any'], { VERSIONS_URL: server.url })).toMatchObject({
      code: 0,
      stdout: '2.0.0-rc1\n',
    });
    expect(server.requests.map((request) => request.url)).toEqual([
      '/api/v1/read/environment/latest?workload=team+X&platform=prod&environment=eu',
      '/api/v1/read/environment/latest/whatever?workload=team+X&platform=prod&environment=eu',
    ]);
  });

  it('retries a write after 5xx answers and network errors, with back-off, then succeeds', async () => {
    const server = await serverAnswering((_request, n) =>
      n === 1
        ? { status: 503, body: { error: 'restarting' } }
        : n === 2
          ? 'destroy'
          : { status: 201, body: { versionId: 7 } },
    );
    const started = Date.now();
    const result = await cli([...RECORD, '--version', '1', '--url', server.url]);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('7\n');
    expect(server.requests).toHaveLength(3);
    // Waited 0.5 s, then 1 s.
    expect(Date.now() - started).toBeGreaterThanOrEqual(1400);
    expect(result.stderr).toMatch(/answered 503: restarting; retrying in 0.5 s \(retry 1 of 3\)/);
    expect(result.stderr).toMatch(/retrying in 1 s \(retry 2 of 3\)/);
  });

  it('gives up after --retries and exits 1 with the last error', async () => {
    const server = await serverAnswering(() => ({ status: 500, body: { error: 'database is down' } }));
    const result = await cli(['status', '3', 'failed', '--url', server.url, '--retries', '1']);
    expect(result.code).toBe(1);
    expect(server.requests).toHaveLength(2);
    expect(result.stderr).toMatch(/versions: the server answered 500: database is down\n$/);
  });

  it('does not retry a 4xx and prints the server error', async () => {
    const server = await serverAnswering(() => ({
      status: 400,
      body: { error: 'workload: at most 100 characters' },
    }));
    const result = await cli([...RECORD, '--version', '1', '--url', server.url]);
    expect(result).toEqual({
      code: 1,
      stdout: '',
      stderr: 'versions: the server answered 400: workload: at most 100 characters\n',
    });
    expect(server.requests).toHaveLength(1);
  });

  it('exits 1 when the server cannot be reached', async () => {
    const url = await deadUrl();
    const result = await cli(
      ['latest', '--workload', 'w', '--platform', 'p', '--environment', 'e', '--retries', '0'],
      {
        VERSIONS_URL: url,
      },
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/cannot reach the server .*ECONNREFUSED/);
  });

  it('exits 1 when the server does not answer within --timeout', async () => {
    const server = await serverAnswering(() => 'hang');
    const result = await cli([
      'status',
      '3',
      'failed',
      '--url',
      server.url,
      '--retries',
      '0',
      '--timeout',
      '0.2',
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/no answer within 0.2 s/);
  });

  it('exits 1 on an answer that is not what the API promises', async () => {
    const server = await serverAnswering(() => ({ status: 200, body: '<html>login</html>' }));
    const result = await cli(['latest', '--workload', 'w', '--platform', 'p', '--environment', 'e'], {
      VERSIONS_URL: server.url,
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/unexpected answer from the server/);
  });

  it('never prints the token, even when a server echoes it back', async () => {
    const server = await serverAnswering((request) => ({
      status: 401,
      body: { error: `bad credentials: ${request.headers.authorization}` },
    }));
    const token = 'super-secret-token-42';
    const fromFlag = await cli([...RECORD, '--version', '1', '--url', server.url, '--token', token]);
    const fromEnv = await cli([...RECORD, '--version', '1'], {
      VERSIONS_URL: server.url,
      VERSIONS_TOKEN: token,
    });
    for (const result of [fromFlag, fromEnv]) {
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('bad credentials: Bearer ***');
      expect(result.stdout + result.stderr).not.toContain(token);
    }
    expect(server.requests.map((request) => request.headers.authorization)).toEqual([
      `Bearer ${token}`,
      `Bearer ${token}`,
    ]);
  });
});

describe('versions CLI as a process against a real server', { timeout: 60_000 }, () => {
  let server: ServerProcess;
  let workdir: string;
  beforeAll(async () => {
    for (const built of ['dist/src/server.js', 'dist/src/cli/main.js']) {
      if (!existsSync(built)) throw new Error(`${built} is missing: run \`npm run build:server\` first`);
    }
    workdir = mkdtempSync(join(tmpdir(), 'versions-cli-'));
    server = await startServerProcess();
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
    if (workdir) rmSync(workdir, { recursive: true, force: true });
  });

  const where = ['--workload', 'cli', '--platform', 'production', '--environment', 'eu'];

  async function row(versionId: string): Promise<Record<string, unknown>> {
    const response = await fetch(`${server.url}/api/v1/read/raw/id?versionId=${versionId}`);
    expect(response.status).toBe(200);
    return (await response.json()) as Record<string, unknown>;
  }

  it('records ongoing with a --raw @file, updates to deployed, and reads it back as latest', async () => {
    const manifest = join(workdir, 'manifest.json');
    const payload = '{"image":"registry.example.com/app:1.4.0","commit":"5f2c1e0"}\n';
    writeFileSync(manifest, payload);

    const recorded = await cliProcess(
      ['record', ...where, '--version', '1.4.0', '--status', 'ongoing', '--raw', `@${manifest}`],
      { VERSIONS_URL: server.url },
    );
    expect(recorded.stderr).toBe('');
    expect(recorded.code).toBe(0);
    expect(recorded.stdout).toMatch(/^\d+\n$/);
    const id = recorded.stdout.trim();
    expect(await row(id)).toMatchObject({ version: '1.4.0', status: 'ongoing', raw: payload });

    // Ongoing is not successful yet: only --any sees it.
    const beforeDeployed = await cliProcess(['latest', ...where], { VERSIONS_URL: server.url });
    expect(beforeDeployed.code).toBe(1);
    expect(beforeDeployed.stderr).toMatch(/^versions: the server answered 404: .+\n$/);
    expect(await cliProcess(['latest', ...where, '--any', '--url', server.url])).toMatchObject({
      code: 0,
      stdout: '1.4.0\n',
    });

    const updated = await cliProcess(['status', id, 'deployed'], { VERSIONS_URL: server.url });
    expect(updated).toEqual({ code: 0, stdout: '', stderr: '' });
    expect(await row(id)).toMatchObject({ status: 'deployed' });
    expect(await cliProcess(['latest', ...where], { VERSIONS_URL: server.url })).toEqual({
      code: 0,
      stdout: '1.4.0\n',
      stderr: '',
    });
  });

  it('records a failed deployment with a backfilled date and a changelog URL', async () => {
    const recorded = await cliProcess([
      'record',
      ...where,
      '--version',
      '1.5.0',
      '--status',
      'failed',
      '--changelog-url',
      'https://example.com/1.5.0',
      '--date',
      '2024-05-01T12:30:00Z',
      '--url',
      server.url,
    ]);
    expect(recorded.code).toBe(0);
    expect(await row(recorded.stdout.trim())).toMatchObject({
      version: '1.5.0',
      status: 'failed',
      changelog_url: 'https://example.com/1.5.0',
      date: '2024-05-01T12:30:00.000Z',
    });
  });

  it('exits 1 with the server error when the server refuses', async () => {
    const missing = await cliProcess(['status', '999999', 'deployed'], { VERSIONS_URL: server.url });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^versions: the server answered 404: .+\n$/);

    const tooLong = await cliProcess(['record', ...where, '--version', 'x'.repeat(101)], {
      VERSIONS_URL: server.url,
    });
    expect(tooLong.code).toBe(1);
    expect(tooLong.stderr).toMatch(/^versions: the server answered 400: .*version.*\n$/);
  });

  it('exits 1 when nothing listens at VERSIONS_URL', async () => {
    const result = await cliProcess(['status', '1', 'deployed', '--retries', '0'], {
      VERSIONS_URL: await deadUrl(),
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/cannot reach the server/);
  });

  it('exits 2 on a usage error, and 0 with --help', async () => {
    const usage = await cliProcess(['record', '--workload', 'cli'], { VERSIONS_URL: server.url });
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/missing required option --platform/);
    const unreadable = await cliProcess(['record', ...where, '--version', '1', '--raw', '@/no/such/file'], {
      VERSIONS_URL: server.url,
    });
    expect(unreadable.code).toBe(2);
    const help = await cliProcess(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: versions <command>');
  });

  it('retries a write through a 503 and a dropped connection, then records it once', async () => {
    const flaky = await scriptedServer(
      (request, n) =>
        n === 1 ? { status: 503, body: { error: 'upstream restarting' } } : n === 2 ? 'destroy' : 'proxy',
      server.url,
    );
    try {
      const recorded = await cliProcess(['record', ...where, '--version', '1.6.0', '--url', flaky.url]);
      expect(recorded.code).toBe(0);
      expect(recorded.stderr).toMatch(/answered 503: upstream restarting; retrying in 0.5 s/);
      expect(recorded.stderr).toMatch(/retrying in 1 s/);
      expect(flaky.requests.map((request) => request.url)).toEqual(Array(3).fill('/api/v1/create'));
      expect(await row(recorded.stdout.trim())).toMatchObject({ version: '1.6.0', status: 'deployed' });

      const answeredAfterRetry = await cliProcess([
        'status',
        recorded.stdout.trim(),
        'completed',
        '--url',
        flaky.url,
      ]);
      expect(answeredAfterRetry).toEqual({ code: 0, stdout: '', stderr: '' });
    } finally {
      await flaky.close();
    }
  });

  it('starts the server with `versions serve`, as npm start does', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'versions-serve-'));
    const child = spawn(process.execPath, ['bin/versions.js', 'serve'], {
      env: {
        PATH: process.env.PATH ?? '',
        APP_HOST: '127.0.0.1',
        APP_PORT: '0',
        APP_METRICS_PORT: '0',
        DB_URI: join(dataDir, 'versions.sqlite'),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      let output = '';
      const url = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`serve did not start:\n${output}`)), 30_000);
        const onData = (chunk: string) => {
          output += chunk;
          for (const line of output.split('\n')) {
            const entry = (line.startsWith('{') ? JSON.parse(line) : {}) as { msg?: string; url?: string };
            if (entry.msg === 'versions is listening' && entry.url) {
              clearTimeout(timer);
              resolve(entry.url);
            }
          }
        };
        child.stdout.setEncoding('utf8').on('data', onData);
        child.stderr.setEncoding('utf8').on('data', onData);
        child.on('exit', (code) => reject(new Error(`serve exited with ${code}:\n${output}`)));
      });
      const health = await fetch(`${url}/api/v1/health`);
      expect(await health.json()).toEqual({ health: 'OK' });
      const recorded = await cliProcess(['record', ...where, '--version', '9'], { VERSIONS_URL: url });
      expect(recorded.code).toBe(0);
    } finally {
      const exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('versions CLI as a process against a server with write tokens', { timeout: 60_000 }, () => {
  const token = 'cli-test-token-7f3a9c2e';
  let server: ServerProcess;
  beforeAll(async () => {
    server = await startServerProcess({ APP_API_TOKENS: `other-token-0000,${token}` });
  }, 60_000);
  afterAll(() => server?.stop());

  const where = ['--workload', 'cli', '--platform', 'production', '--environment', 'eu', '--version', '1'];

  it('sends VERSIONS_TOKEN or --token, and never prints it', async () => {
    const fromEnv = await cliProcess(['record', ...where], {
      VERSIONS_URL: server.url,
      VERSIONS_TOKEN: token,
    });
    expect(fromEnv.code).toBe(0);
    const fromFlag = await cliProcess(['status', fromEnv.stdout.trim(), 'deployed', '--token', token], {
      VERSIONS_URL: server.url,
    });
    expect(fromFlag.code).toBe(0);

    const wrong = await cliProcess(['record', ...where, '--token', `${token}-wrong`], {
      VERSIONS_URL: server.url,
    });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/^versions: the server answered 401: .+\n$/);
    const missing = await cliProcess(['record', ...where], { VERSIONS_URL: server.url });
    expect(missing.code).toBe(1);

    for (const result of [fromEnv, fromFlag, wrong, missing]) {
      expect(result.stdout + result.stderr).not.toContain(token);
    }
  });
});
