// Signed webhooks: a real HTTP receiver (node:http on port 0) that fails, hangs or answers, and the app writing.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Registry } from 'prom-client';
import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DeploymentEvents } from '../../src/events/deployment-events.js';
import { Notifier, type NotifierOptions } from '../../src/notify/notifier.js';
import { signPayload } from '../../src/webhooks/webhook-signature.js';
import { captureLogs, createTestApp, type TestApp } from '../helpers/test-app.js';

const SECRET = 'whsec-7d1e0c5b9a-do-not-log';
const env = { workload: 'teamX', platform: 'production', environment: 'eu' };

interface Delivery {
  headers: IncomingHttpHeaders;
  body: string;
  at: number;
}

type Behaviour = 'ok' | 'fail' | 'hang' | 'gone';

/** A webhook receiver; `plan` says how to answer each request in turn, then `then` for the rest. */
interface Receiver {
  url: string;
  deliveries: Delivery[];
  plan: Behaviour[];
  then: Behaviour;
  /** Resolves once `count` requests arrived. */
  received(count: number, timeoutMs?: number): Promise<Delivery[]>;
  close(): Promise<void>;
}

async function startReceiver(path = '/hooks/versions'): Promise<Receiver> {
  const deliveries: Delivery[] = [];
  const waiters = new Set<() => void>();
  const receiver: Receiver = {
    url: '',
    deliveries,
    plan: [],
    then: 'ok',
    received: (count, timeoutMs = 10_000) =>
      new Promise((resolve, reject) => {
        const check = () => {
          if (deliveries.length < count) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(deliveries.slice());
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`expected ${count} deliveries, got ${deliveries.length}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      }),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      deliveries.push({
        headers: request.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        at: Date.now(),
      });
      const behaviour = receiver.plan.shift() ?? receiver.then;
      for (const waiter of [...waiters]) waiter();
      if (behaviour === 'hang') return;
      if (behaviour === 'gone') return response.writeHead(410).end();
      response.writeHead(behaviour === 'ok' ? 204 : 500).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}${path}`;
  // Hanging requests would keep close() waiting.
  const close = receiver.close;
  receiver.close = () => {
    server.closeAllConnections();
    return close();
  };
  return receiver;
}

/** The Standard Webhooks headers of a delivery, as a receiver hands them to its library. */
function standardHeaders(delivery: Delivery): Record<string, string> {
  return {
    'webhook-id': String(delivery.headers['webhook-id']),
    'webhook-timestamp': String(delivery.headers['webhook-timestamp']),
    'webhook-signature': String(delivery.headers['webhook-signature']),
  };
}

/** What a receiver should do: recompute the HMAC of the raw body and compare in constant time. */
function verifySignature(delivery: Delivery, secret = SECRET): boolean {
  const header = String(delivery.headers['x-versions-signature'] ?? '');
  const expected = `sha256=${createHmac('sha256', secret).update(delivery.body).digest('hex')}`;
  return header.length === expected.length && timingSafeEqual(Buffer.from(header), Buffer.from(expected));
}

const fast: Partial<NotifierOptions> = { baseDelayMs: 40, maxDelayMs: 400, timeoutMs: 1000 };

describe('webhooks from the app', () => {
  let t: TestApp;
  let receiver: Receiver;
  let second: Receiver;
  let dispatcher: Notifier;
  const events = new DeploymentEvents();

  beforeAll(async () => {
    receiver = await startReceiver('/hooks/versions/path-secret-4f1a');
    second = await startReceiver();
    t = await createTestApp('sqlite', {
      env: { APP_WEBHOOK_URLS: `${receiver.url},${second.url}`, APP_WEBHOOK_SECRET: SECRET },
      deps: { events },
    });
    // The app's own logger, so that the assertions on logs see the dispatcher's lines too.
    dispatcher = new Notifier({
      receivers: webhooks(t.config.webhookUrls),
      webhookSecret: t.config.webhookSecret,
      logger: t.app.log as unknown as NotifierOptions['logger'],
      ...fast,
    });
    dispatcher.start(events);
  });
  afterAll(async () => {
    await dispatcher?.stop(100);
    await t?.close();
    await receiver?.close();
    await second?.close();
  });

  it('delivers a signed create and a signed status change, retrying a failed delivery', async () => {
    receiver.plan = ['fail'];
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/v1/create',
      payload: { ...env, version: '1.0.0', status: 'ongoing' },
    });
    expect(created.statusCode).toBe(201);
    const { versionId } = created.json();
    const status = await t.app.inject({
      method: 'POST',
      url: '/api/v1/update/status',
      payload: { versionId, status: 'deployed' },
    });
    expect(status.statusCode).toBe(200);

    // The first attempt failed (500), so the receiver sees: created, created again, then status.
    const deliveries = await receiver.received(3);
    const row = (
      await t.app.inject({
        method: 'GET',
        url: '/api/v1/read/raw/id',
        query: { versionId: String(versionId) },
      })
    ).json();

    for (const delivery of deliveries) {
      expect(verifySignature(delivery), delivery.body).toBe(true);
      expect(verifySignature(delivery, 'another-secret')).toBe(false);
      expect(delivery.headers['content-type']).toBe('application/json');
      expect(delivery.headers['x-versions-delivery']).toMatch(/^[0-9a-f-]{36}$/);
      expect(Number(delivery.headers['x-versions-timestamp'])).toBeCloseTo(Date.now() / 1000, -2);
    }
    // Standard Webhooks: the maintained library verifies every real delivery, the secret given to it as
    // `whsec_` + base64 of APP_WEBHOOK_SECRET (docs/security.md).
    const standard = new Webhook(`whsec_${Buffer.from(SECRET).toString('base64')}`);
    for (const delivery of deliveries) {
      expect(standard.verify(delivery.body, standardHeaders(delivery))).toEqual(JSON.parse(delivery.body));
      expect(delivery.headers['webhook-id']).toBe(delivery.headers['x-versions-delivery']);
      expect(delivery.headers['webhook-timestamp']).toBe(delivery.headers['x-versions-timestamp']);
      expect(delivery.headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]{43}=$/);
    }
    const [first, retry, change] = deliveries as [Delivery, Delivery, Delivery];
    // A captured delivery replayed under another id, or with a fresh timestamp, no longer verifies.
    const replay = (headers: Record<string, string>) => () =>
      standard.verify(first.body, { ...standardHeaders(first), ...headers });
    expect(replay({ 'webhook-id': String(change.headers['webhook-id']) })).toThrow(WebhookVerificationError);
    expect(replay({ 'webhook-timestamp': String(Math.floor(Date.now() / 1000) + 1) })).toThrow(
      WebhookVerificationError,
    );
    expect(() => standard.verify(change.body, standardHeaders(first))).toThrow(WebhookVerificationError);
    // Each attempt is signed at its own time, with the same id.
    expect(retry.headers['webhook-id']).toBe(first.headers['webhook-id']);
    expect(JSON.parse(first.body)).toMatchObject({
      event: 'created',
      deployment: { ...row, status: 'ongoing', date: expect.any(String) },
    });
    expect(first.headers['x-versions-event']).toBe('created');
    expect(first.headers['x-versions-attempt']).toBe('1');
    // A retry is the same delivery: same id and byte-identical body, so a receiver can deduplicate.
    expect(retry.body).toBe(first.body);
    expect(retry.headers['x-versions-delivery']).toBe(first.headers['x-versions-delivery']);
    expect(retry.headers['x-versions-attempt']).toBe('2');
    expect(retry.at - first.at).toBeGreaterThanOrEqual(15);
    expect(JSON.parse(change.body)).toMatchObject({ event: 'status', deployment: row });
    expect(change.headers['x-versions-event']).toBe('status');
    expect(change.headers['x-versions-delivery']).not.toBe(first.headers['x-versions-delivery']);

    // The other receiver had no failure: each event once, in order, with the same signed bodies.
    const others = await second.received(2);
    expect(others.map((delivery) => delivery.body)).toEqual([first.body, change.body]);
    expect(others.every((delivery) => verifySignature(delivery))).toBe(true);

    const retryLine = t.logs.find((line) => line.msg === 'notifications: delivery failed, will retry');
    expect(retryLine).toMatchObject({ level: 'warn', attempt: 1, reason: 'answered 500' });
  });

  it('does not deliver events relayed from another replica', async () => {
    const before = receiver.deliveries.length;
    const row = JSON.parse(receiver.deliveries[0]!.body).deployment;
    events.publish({ event: 'status', origin: 'remote', deployment: { ...row, status: 'failed' } });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(receiver.deliveries.length).toBe(before);
    expect(dispatcher.pending).toBe(0);
  });

  it('never logs the secret, nor the path of a receiver URL', () => {
    const text = JSON.stringify(t.logs);
    expect(text).not.toContain(SECRET);
    expect(text).not.toContain('path-secret-4f1a');
    expect(text).toContain('127.0.0.1');
  });
});

describe('Standard Webhooks secrets', () => {
  it('take a whsec_ secret as the specification means it, and keep X-Versions-Signature on the whole string', async () => {
    const receiver = await startReceiver();
    const secret = `whsec_${Buffer.from('0123456789abcdef0123456789abcdef').toString('base64')}`;
    const dispatcher = new Notifier({
      receivers: webhooks([receiver.url]),
      webhookSecret: secret,
      logger: captureLogs().logger,
    });
    dispatcher.enqueue({ event: 'created', origin: 'local', deployment: sampleDeployment() });
    const [delivery] = (await receiver.received(1)) as [Delivery];
    expect(new Webhook(secret).verify(delivery.body, standardHeaders(delivery))).toMatchObject({
      event: 'created',
    });
    expect(verifySignature(delivery, secret)).toBe(true);
    // The library's own signature of the same id, time and body is the one sent.
    const timestamp = new Date(Number(delivery.headers['webhook-timestamp']) * 1000);
    expect(delivery.headers['webhook-signature']).toBe(
      new Webhook(secret).sign(String(delivery.headers['webhook-id']), timestamp, delivery.body),
    );
    await dispatcher.stop(100);
    await receiver.close();
  });
});

describe('webhooks never slow down or fail a write', () => {
  let t: TestApp;
  let receiver: Receiver;
  let dispatcher: Notifier;
  const events = new DeploymentEvents();

  beforeAll(async () => {
    receiver = await startReceiver();
    receiver.then = 'hang';
    t = await createTestApp('sqlite', { deps: { events } });
    // Production time-outs: each attempt would wait 5 s for this receiver.
    dispatcher = new Notifier({
      receivers: webhooks([receiver.url]),
      webhookSecret: SECRET,
      logger: captureLogs().logger,
    });
    dispatcher.start(events);
  });
  afterAll(async () => {
    await dispatcher?.stop(0);
    await t?.close();
    await receiver?.close();
  });

  it('answers writes at once while the receiver hangs', async () => {
    const started = Date.now();
    for (let i = 0; i < 5; i++) {
      const response = await t.app.inject({
        method: 'POST',
        url: '/api/v1/create',
        payload: { ...env, version: `2.0.${i}` },
      });
      expect(response.statusCode).toBe(201);
    }
    // Waiting for the receiver would take 5 s (the attempt's time-out) per write; none did.
    expect(Date.now() - started).toBeLessThan(4000);
    await receiver.received(1);
    // One delivery in flight (hanging), the rest queued behind it.
    expect(dispatcher.pending).toBe(5);
  });

  it('gives up on shutdown quickly, reporting what was lost', async () => {
    const { lines, logger } = captureLogs();
    const hung = new Notifier({ receivers: webhooks([receiver.url]), webhookSecret: SECRET, logger });
    hung.enqueue({ event: 'created', origin: 'local', deployment: sampleDeployment() });
    await receiver.received(receiver.deliveries.length + 1);
    const started = Date.now();
    await hung.stop(200);
    expect(Date.now() - started).toBeLessThan(1500);
    expect(lines.find((line) => line.msg?.toString().includes('undelivered'))).toMatchObject({ lost: 1 });
    expect(hung.pending).toBe(0);
  });
});

describe('the webhook dispatcher', () => {
  const receivers: Receiver[] = [];
  afterEach(async () => {
    await Promise.all(receivers.splice(0).map((receiver) => receiver.close()));
  });

  it('keeps a bounded queue per receiver, dropping the oldest with a warning', async () => {
    const receiver = await startReceiver();
    receivers.push(receiver);
    receiver.then = 'hang';
    const { lines, logger } = captureLogs();
    const dispatcher = new Notifier({
      receivers: webhooks([receiver.url]),
      webhookSecret: SECRET,
      logger,
      maxQueue: 3,
    });
    for (let i = 1; i <= 10; i++) {
      dispatcher.enqueue({ event: 'created', origin: 'local', deployment: sampleDeployment(i) });
    }
    await receiver.received(1);
    // One in flight plus at most three waiting, whatever was written.
    expect(dispatcher.pending).toBe(4);
    const drops = lines.filter(
      (line) => line.msg === 'notifications: queue full, dropping the oldest undelivered event',
    );
    expect(drops).toHaveLength(6);
    expect(drops[0]).toMatchObject({ level: 'warn' });
    await dispatcher.stop(0);
  });

  it('bounds each queue by bytes under a receiver that never answers, counting and logging each drop', async () => {
    const receiver = await startReceiver();
    receivers.push(receiver);
    receiver.then = 'hang';
    const { lines, logger } = captureLogs();
    const registry = new Registry();
    const maxQueueBytes = 4 * 1024 * 1024;
    const dispatcher = new Notifier({
      receivers: webhooks([receiver.url]),
      webhookSecret: SECRET,
      logger,
      registry,
      maxQueueBytes,
    });
    // 40 events of 1 MB each: without a bound in bytes, 40 MB would wait for a receiver that never answers.
    const raw = 'x'.repeat(1024 * 1024);
    for (let i = 1; i <= 40; i++) {
      dispatcher.enqueue({ event: 'created', origin: 'local', deployment: { ...sampleDeployment(i), raw } });
      // The bound holds at every moment, not only at the end: what waits stays under it, plus one in flight.
      expect(dispatcher.pendingBytes).toBeLessThanOrEqual(maxQueueBytes + 1024 * 1024 + 1024);
    }
    await receiver.received(1);
    // Three of these fit in 4 MB besides the one in flight; the other 36 were dropped, oldest first.
    expect(dispatcher.pending).toBe(4);
    const drops = lines.filter(
      (line) => line.msg === 'notifications: queue full, dropping the oldest undelivered event',
    );
    expect(drops).toHaveLength(36);
    expect(drops[0]).toMatchObject({ level: 'warn', kind: 'webhook', reason: 'queue full' });
    const metrics = await registry.metrics();
    expect(metrics).toContain(
      'versions_notifications_total{receiver="1",kind="webhook",outcome="dropped"} 36',
    );
    expect(metrics).toMatch(/versions_notification_queue_bytes\{receiver="1",kind="webhook"\} (\d+)/);
    await dispatcher.stop(0);
  });

  it('retries with exponential back-off and jitter, then gives up after the last attempt', async () => {
    const receiver = await startReceiver();
    receivers.push(receiver);
    receiver.then = 'fail';
    const { lines, logger } = captureLogs();
    const dispatcher = new Notifier({
      receivers: webhooks([receiver.url]),
      webhookSecret: SECRET,
      logger,
      maxAttempts: 4,
      baseDelayMs: 50,
      random: () => 0.999,
    });
    dispatcher.enqueue({ event: 'created', origin: 'local', deployment: sampleDeployment() });
    const deliveries = await receiver.received(4);
    const gaps = deliveries.slice(1).map((delivery, index) => delivery.at - deliveries[index]!.at);
    // ~50, ~100, ~200 ms: each wait about double the one before.
    expect(gaps[0]).toBeGreaterThanOrEqual(40);
    expect(gaps[1]).toBeGreaterThanOrEqual(90);
    expect(gaps[2]).toBeGreaterThanOrEqual(180);
    await expect
      .poll(() => lines.some((line) => line.msg === 'notifications: giving up on a delivery'))
      .toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(receiver.deliveries).toHaveLength(4);
    expect(
      lines
        .filter((line) => line.msg === 'notifications: delivery failed, will retry')
        .map((l) => l.retryInMs),
    ).toEqual([50, 100, 200]);
    await dispatcher.stop(0);
  });

  it('on shutdown, tries a waiting retry at once instead of after its back-off', async () => {
    const receiver = await startReceiver();
    receivers.push(receiver);
    receiver.plan = ['fail'];
    const { lines, logger } = captureLogs();
    const dispatcher = new Notifier({
      receivers: webhooks([receiver.url]),
      webhookSecret: SECRET,
      logger,
      baseDelayMs: 30_000,
    });
    dispatcher.enqueue({ event: 'created', origin: 'local', deployment: sampleDeployment() });
    await receiver.received(1);
    await expect
      .poll(() => lines.some((line) => line.msg === 'notifications: delivery failed, will retry'))
      .toBe(true);
    const started = Date.now();
    await dispatcher.stop(2000);
    expect(Date.now() - started).toBeLessThan(1500);
    expect(receiver.deliveries).toHaveLength(2);
    expect(verifySignature(receiver.deliveries[1]!)).toBe(true);
    expect(lines.some((line) => String(line.msg).includes('undelivered'))).toBe(false);
  });

  it('does not retry a receiver that refuses for good (4xx)', async () => {
    const receiver = await startReceiver();
    receivers.push(receiver);
    receiver.then = 'gone';
    const { lines, logger } = captureLogs();
    const dispatcher = new Notifier({
      receivers: webhooks([receiver.url]),
      webhookSecret: SECRET,
      logger,
      baseDelayMs: 10,
    });
    dispatcher.enqueue({ event: 'created', origin: 'local', deployment: sampleDeployment() });
    await receiver.received(1);
    await expect.poll(() => dispatcher.pending).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(receiver.deliveries).toHaveLength(1);
    expect(lines.find((line) => line.msg === 'notifications: giving up on a delivery')).toMatchObject({
      reason: 'answered 410',
      attempt: 1,
    });
    await dispatcher.stop(0);
  });

  it('retries a receiver that cannot be reached, and logs why without its path', async () => {
    const receiver = await startReceiver('/private/token-in-path');
    const url = receiver.url;
    await receiver.close();
    const { lines, logger } = captureLogs();
    const dispatcher = new Notifier({
      receivers: webhooks([url]),
      webhookSecret: SECRET,
      logger,
      maxAttempts: 2,
      baseDelayMs: 10,
    });
    dispatcher.enqueue({ event: 'created', origin: 'local', deployment: sampleDeployment() });
    await expect
      .poll(() => lines.some((line) => line.msg === 'notifications: giving up on a delivery'))
      .toBe(true);
    const failures = lines.filter((line) => String(line.msg).startsWith('notifications:'));
    expect(failures.map((line) => line.reason)).toEqual([
      expect.stringContaining('ECONNREFUSED'),
      expect.stringContaining('ECONNREFUSED'),
    ]);
    const text = JSON.stringify(lines);
    expect(text).not.toContain('token-in-path');
    expect(text).not.toContain(SECRET);
    await dispatcher.stop(0);
  });

  it('sends unsigned deliveries, with a warning, when no secret is set', async () => {
    const receiver = await startReceiver();
    receivers.push(receiver);
    const { lines, logger } = captureLogs();
    const events = new DeploymentEvents();
    const dispatcher = new Notifier({ receivers: webhooks([receiver.url]), webhookSecret: '', logger });
    dispatcher.start(events);
    events.publish({ event: 'created', origin: 'local', deployment: sampleDeployment() });
    const [delivery] = await receiver.received(1);
    expect(delivery?.headers['x-versions-signature']).toBeUndefined();
    expect(lines.some((line) => String(line.msg).includes('APP_WEBHOOK_SECRET is not set'))).toBe(true);
    await dispatcher.stop(100);
  });

  it('signs the exact bytes of the body', () => {
    // The documented example: a receiver in any language must get the same digest.
    expect(signPayload('{"event":"created"}', 'secret')).toBe(
      `sha256=${createHmac('sha256', 'secret').update('{"event":"created"}').digest('hex')}`,
    );
    expect(signPayload('é', 'k')).toBe(
      `sha256=${createHmac('sha256', 'k').update(Buffer.from('é')).digest('hex')}`,
    );
  });
});

/** APP_WEBHOOK_URLS as the server passes them to the notifier. */
function webhooks(urls: readonly string[]) {
  return urls.map((url) => ({ kind: 'webhook' as const, url }));
}

function sampleDeployment(id = 1) {
  return {
    versions_id: id,
    ...env,
    version: `1.0.${id}`,
    changelog_url: 'N/A',
    raw: 'N/A',
    status: 'deployed',
    date: new Date().toISOString(),
  };
}
