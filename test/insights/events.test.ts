// GET /api/v1/events over a real HTTP connection: events, heartbeats, clients leaving, the server closing.
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeploymentEvents, type DeploymentListener } from '../../src/events/deployment-events.js';
import { eventsRoutes } from '../../src/events/events.routes.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';
import { openEventStream } from './sse-client.js';

/** The bus, counting its listeners: a stream that is gone must leave none behind. */
class CountedEvents extends DeploymentEvents {
  listening = 0;

  override subscribe(listener: DeploymentListener): () => void {
    this.listening++;
    const stop = super.subscribe(listener);
    let stopped = false;
    return () => {
      if (!stopped) this.listening--;
      stopped = true;
      stop();
    };
  }
}

/** Waits until `check` holds, failing with `what` after `timeout` ms. */
const until = (check: () => boolean, what: string, timeout = 3000) =>
  expect.poll(check, { timeout, interval: 10, message: `waiting for ${what}` }).toBe(true);

describe('server-sent events through the app', () => {
  let t: TestApp;
  let base: string;
  const events = new CountedEvents();
  beforeAll(async () => {
    t = await createTestApp('sqlite', { deps: { events } });
    base = await t.app.listen({ host: '127.0.0.1', port: 0 });
  });
  afterAll(() => t?.close());

  const post = async (path: string, body: Record<string, unknown>) => {
    const response = await fetch(`${base}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect(response.status, await response.clone().text()).toBeLessThan(300);
    return response.json();
  };

  it('streams a `created` and a `status` event with the whole row, after a retry hint', async () => {
    const stream = await openEventStream(`${base}/api/v1/events`);
    expect(stream.response.statusCode).toBe(200);
    expect(stream.response.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    expect(stream.response.headers['cache-control']).toBe('no-cache, no-transform');
    await stream.waitForText('retry: 3000\n');

    const { versionId } = await post('/api/v1/create', {
      workload: 'live',
      platform: 'prod',
      environment: 'eu',
      version: '1.0.0',
      status: 'ongoing',
      raw: '{"multi":"line\\ntext"}',
    });
    const created = await stream.next((event) => event.event === 'created');
    // The original's row, and the fields a create may add (issue 12), none of them sent here.
    const row = {
      ...(await (await fetch(`${base}/api/v1/read/raw/id?versionId=${versionId}`)).json()),
      commit: null,
      ref: null,
      repository: null,
      deployer: null,
      logURL: null,
      environmentURL: null,
      description: null,
      changes: [],
    };
    try {
      expect(JSON.parse(created.data)).toEqual(row);
      await post('/api/v1/update/status', { versionId, status: 'deployed' });
      const status = await stream.next((event) => event.event === 'status');
      expect(JSON.parse(status.data)).toEqual({ ...row, status: 'deployed' });
    } finally {
      stream.close();
    }
  });

  it('lets go of a client that disconnects: no listener left behind', async () => {
    await until(() => events.listening === 0, 'earlier streams to be gone');
    const streams = await Promise.all([1, 2, 3].map(() => openEventStream(`${base}/api/v1/events`)));
    await Promise.all(streams.map((stream) => stream.waitForText('retry:')));
    expect(events.listening).toBe(3);
    streams.forEach((stream) => stream.close());
    await until(() => events.listening === 0, 'the listeners to be removed');
  });

  it('answers HEAD with the headers only, opening no stream', async () => {
    await until(() => events.listening === 0, 'earlier streams to be gone');
    const response = await fetch(`${base}/api/v1/events`, { method: 'HEAD' });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(events.listening).toBe(0);
  });

  it('ends open streams when the server closes, so that shutdown does not hang', async () => {
    const stream = await openEventStream(`${base}/api/v1/events`);
    await stream.waitForText('retry:');
    const started = Date.now();
    await t.app.close();
    expect(Date.now() - started).toBeLessThan(2000);
    await stream.ended;
    expect(events.listening).toBe(0);
  });
});

describe('server-sent event heartbeats', () => {
  const app = Fastify();
  const events = new DeploymentEvents();
  let base: string;
  beforeAll(async () => {
    await app.register(eventsRoutes, { events, heartbeatMs: 50, retryMs: 1234 });
    base = await app.listen({ host: '127.0.0.1', port: 0 });
  });
  afterAll(() => app.close());

  it('sends a comment line regularly while nothing happens, and the configured retry hint', async () => {
    const stream = await openEventStream(`${base}/events`);
    await stream.waitForText(': heartbeat\n\n: heartbeat\n\n', 2000);
    expect(stream.text().startsWith('retry: 1234\n')).toBe(true);
    expect(stream.events).toEqual([]);
    stream.close();
  });
});
