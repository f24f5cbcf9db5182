// The real server process with every integration on: tokens, signed webhooks, CORS; its whole log is checked
// for secrets, and SIGTERM flushes the webhooks before it exits.
import { createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServerProcess, type ServerProcess } from '../helpers/server-process.js';

const WRITE_TOKEN = 'proc-write-token-5b1f0e2c';
const READ_TOKEN = 'proc-read-token-a93d77e1';
const SECRET = 'proc-webhook-secret-6e0c2d';
const PATH_SECRET = 'T0000-B0000-path-secret';

describe('a server process with tokens and webhooks', () => {
  let server: ServerProcess;
  let receiver: Server;
  const deliveries: Array<{ headers: IncomingHttpHeaders; body: string }> = [];

  beforeAll(async () => {
    receiver = createServer((request, response) => {
      let body = '';
      request.setEncoding('utf8');
      request.on('data', (chunk: string) => (body += chunk));
      request.on('end', () => {
        deliveries.push({ headers: request.headers, body });
        response.writeHead(200).end('ok');
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const port = (receiver.address() as AddressInfo).port;
    server = await startServerProcess({
      APP_API_TOKENS: WRITE_TOKEN,
      APP_READ_TOKENS: READ_TOKEN,
      APP_WEBHOOK_URLS: `http://127.0.0.1:${port}/services/${PATH_SECRET}`,
      APP_WEBHOOK_SECRET: SECRET,
      APP_CORS_ORIGINS: 'https://dashboard.example.com',
    });
  });
  afterAll(async () => {
    await server?.stop();
    await new Promise((resolve) => receiver?.close(resolve));
  });

  const call = (path: string, init: RequestInit = {}) => fetch(`${server.url}${path}`, init);

  it('guards writes and reads, keeps the probes open, and delivers a signed webhook', async () => {
    expect((await call('/api/v1/health')).status).toBe(200);
    expect((await call('/api/v1/healthz')).status).toBe(200);
    expect((await call('/api/v1/read/home')).status).toBe(401);
    const refused = await call('/api/v1/create', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ workload: 'w', platform: 'p', environment: 'e', version: '1' }),
    });
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toMatch(/^Bearer/);

    const created = await call('/api/v1/create', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${WRITE_TOKEN}` },
      body: JSON.stringify({
        workload: 'w',
        platform: 'p',
        environment: 'e',
        version: '1',
        status: 'ongoing',
      }),
    });
    expect(created.status).toBe(201);
    const { versionId } = (await created.json()) as { versionId: number };
    const read = await call(`/api/v1/read/raw/id?versionId=${versionId}`, {
      headers: { authorization: `Bearer ${READ_TOKEN}` },
    });
    expect(read.status).toBe(200);
    expect(read.headers.get('x-frame-options')).toBe('DENY');

    await expect.poll(() => deliveries.length, { timeout: 10_000 }).toBe(1);
    const [delivery] = deliveries;
    expect(JSON.parse(delivery!.body)).toMatchObject({
      event: 'created',
      deployment: { versions_id: versionId },
    });
    const signature = `sha256=${createHmac('sha256', SECRET).update(delivery!.body).digest('hex')}`;
    expect(delivery!.headers['x-versions-signature']).toBe(signature);
  });

  it('delivers the webhook of a write made just before SIGTERM, then exits cleanly', async () => {
    const status = await call('/api/v1/update/status', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${WRITE_TOKEN}` },
      body: JSON.stringify({ versionId: 1, status: 'deployed' }),
    });
    expect(status.status).toBe(200);
    const exited = new Promise<number | null>((resolve) => server.process.once('exit', resolve));
    server.process.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(deliveries.map((delivery) => JSON.parse(delivery.body).event)).toEqual(['created', 'status']);
  });

  it('logged what is on, and never a token, the secret or the path of a webhook URL', () => {
    const text = server.logs.join('\n');
    for (const secret of [WRITE_TOKEN, READ_TOKEN, SECRET, PATH_SECRET]) expect(text).not.toContain(secret);
    const lines = server.logs.flatMap((line) => {
      try {
        return [JSON.parse(line) as Record<string, unknown>];
      } catch {
        return [];
      }
    });
    expect(lines.find((line) => line.msg === 'access: which requests need a token')).toMatchObject({
      writes: expect.stringContaining('bearer token required'),
      reads: expect.stringContaining('bearer token required'),
      cors: ['https://dashboard.example.com'],
    });
    expect(lines.find((line) => String(line.msg).startsWith('notifications: delivering'))).toMatchObject({
      signed: true,
      receivers: [expect.stringMatching(/^#1 http:\/\/127\.0\.0\.1:\d+$/)],
    });
  });
});
