// Events across replicas: two apps on one PostgreSQL database, each with its own Redis relay, and a
// browser-like event stream on one seeing the writes made on the other. Then Redis goes away and comes back.
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Deployment } from '../../src/deployments/deployment.js';
import { DeploymentEvents, type DeploymentEvent } from '../../src/events/deployment-events.js';
import { RedisRelay, defaultChannel } from '../../src/events/redis-relay.js';
import { createPrivateRedis, type PrivateRedis } from '../cache/private-redis.js';
import { DIALECTS, createTestDatabase, type TestDatabase } from '../helpers/databases.js';
import { REDIS_AVAILABLE } from '../helpers/redis.js';
import { REDIS_URI } from '../helpers/servers.js';
import { captureLogs, createTestApp, type TestApp } from '../helpers/test-app.js';
import { openEventStream } from './sse-client.js';

/** Unique to this file (and run): other tests and other runs on the same Redis never hear these events. */
const CHANNEL = `versions-test:relay:${randomUUID()}`;

/** A replica: an app with its own bus, relayed through Redis, and every event its bus carried. */
interface Replica {
  t: TestApp;
  relay: RedisRelay;
  seen: DeploymentEvent[];
}

/** Waits until `check` holds, failing with `what` after `timeout` ms. */
const until = (check: () => boolean, what: string, timeout = 5000) =>
  expect.poll(check, { timeout, interval: 10, message: `waiting for ${what}` }).toBe(true);

const settle = () => new Promise((resolve) => setTimeout(resolve, 200));

const testable = DIALECTS.includes('postgres') && REDIS_AVAILABLE;

describe.runIf(testable)('events across two replicas through Redis', () => {
  let database: TestDatabase;
  let a: Replica;
  let b: Replica;

  async function replica(): Promise<Replica> {
    const events = new DeploymentEvents();
    const seen: DeploymentEvent[] = [];
    events.subscribe((event) => seen.push(event));
    const relay = new RedisRelay({ uri: REDIS_URI, events, log: captureLogs().logger, channel: CHANNEL });
    await relay.start();
    const t = await createTestApp('postgres', { database, deps: { events } });
    return { t, relay, seen };
  }

  beforeAll(async () => {
    database = await createTestDatabase('postgres');
    a = await replica();
    b = await replica();
  });

  afterAll(async () => {
    await Promise.all([a?.relay.stop(), b?.relay.stop()]);
    await Promise.all([a?.t.close(), b?.t.close()]);
    await database?.drop();
  });

  const create = async (on: Replica, version: string): Promise<number> => {
    const response = await on.t.app.inject({
      method: 'POST',
      url: '/api/v1/create',
      payload: { workload: 'relay', platform: 'prod', environment: 'eu', version },
    });
    expect(response.statusCode, response.body).toBe(201);
    return response.json().versionId;
  };

  it('streams on one replica what was written on the other, the whole row, once', async () => {
    const base = await b.t.app.listen({ host: '127.0.0.1', port: 0 });
    const stream = await openEventStream(`${base}/api/v1/events`);
    await stream.waitForText('retry:');

    const versionId = await create(a, '1.0.0');
    const created = await stream.next((event) => event.event === 'created');
    // The original's row, and the fields a create may add (issue 12), none of them sent here.
    const row = {
      ...(await b.t.app.inject({ url: `/api/v1/read/raw/id?versionId=${versionId}` })).json(),
      commit: null,
      ref: null,
      repository: null,
      deployer: null,
      logURL: null,
      environmentURL: null,
      description: null,
      changes: [],
    };
    expect(JSON.parse(created.data)).toEqual(row);

    const status = await a.t.app.inject({
      method: 'POST',
      url: '/api/v1/update/status',
      payload: { versionId, status: 'failed' },
    });
    expect(status.statusCode).toBe(200);
    const changed = await stream.next((event) => event.event === 'status');
    expect(JSON.parse(changed.data)).toEqual({ ...row, status: 'failed' });

    await settle();
    // A saw its own writes once, as local; B saw them once, as remote: nobody hears its own echo.
    const summary = (seen: DeploymentEvent[]) =>
      seen.filter((e) => e.deployment.versions_id === versionId).map((e) => `${e.event}:${e.origin}`);
    expect(summary(a.seen)).toEqual(['created:local', 'status:local']);
    expect(summary(b.seen)).toEqual(['created:remote', 'status:remote']);
    expect(stream.events.filter((event) => event.event === 'created')).toHaveLength(1);
    stream.close();
  });

  it('carries writes in both directions', async () => {
    const versionId = await create(b, '2.0.0');
    await until(
      () => a.seen.some((e) => e.deployment.versions_id === versionId && e.origin === 'remote'),
      'the event on A',
    );
  });

  it('ignores messages that are not its own kind', async () => {
    const before = a.seen.length;
    const publisher = new Redis(REDIS_URI);
    try {
      await publisher.publish(CHANNEL, 'not json');
      await publisher.publish(CHANNEL, JSON.stringify({ source: 'x', event: 'deleted', deployment: {} }));
      await publisher.publish(CHANNEL, JSON.stringify({ source: 'x', event: 'created' }));
    } finally {
      publisher.disconnect();
    }
    await settle();
    expect(a.seen.length).toBe(before);
  });
});

describe.runIf(REDIS_AVAILABLE)('the relay while Redis is away', () => {
  let redis: PrivateRedis;
  let t: TestApp;
  let relay: RedisRelay;
  let other: RedisRelay;
  const events = new DeploymentEvents();
  const otherEvents = new DeploymentEvents();
  const heard: Deployment[] = [];
  const logs = captureLogs();

  beforeAll(async () => {
    // The relays start before Redis does, as a replica may on a host that is still booting.
    redis = await createPrivateRedis();
    relay = new RedisRelay({ uri: redis.uri, events, log: logs.logger, channel: CHANNEL });
    other = new RedisRelay({
      uri: redis.uri,
      events: otherEvents,
      log: captureLogs().logger,
      channel: CHANNEL,
    });
    const subscribed = Promise.all([relay.start(), other.start()]);
    await redis.start();
    await subscribed;
    otherEvents.subscribe((event) => {
      if (event.origin === 'remote') heard.push(event.deployment);
    });
    t = await createTestApp('sqlite', { deps: { events } });
  });

  afterAll(async () => {
    await Promise.all([relay?.stop(), other?.stop()]);
    await t?.close();
    await redis?.kill();
  });

  const create = async (version: string) => {
    const started = Date.now();
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/v1/create',
      payload: { workload: 'outage', platform: 'prod', environment: 'eu', version },
    });
    expect(response.statusCode).toBe(201);
    return { id: response.json().versionId as number, ms: Date.now() - started };
  };

  it('keeps writing at full speed without Redis, then relays again once it is back', async () => {
    const first = await create('before');
    await until(() => heard.some((d) => d.versions_id === first.id), 'the event before the outage');

    await redis.kill();
    for (let i = 0; i < 20; i++) {
      const { ms } = await create(`during-${i}`);
      expect(ms).toBeLessThan(500);
    }
    await until(
      () => logs.lines.some((line) => /Redis unreachable/.test(String(line.msg))),
      'the outage log',
    );

    await redis.start();
    // Both connections come back on their own; the subscriber subscribes again.
    await until(
      () => logs.lines.some((line) => /reachable again/.test(String(line.msg))),
      'reconnection',
      10_000,
    );
    // Events written while the subscriber is still subscribing again may be missed: write until one arrives.
    const deadline = Date.now() + 10_000;
    for (;;) {
      const { id } = await create('after');
      await settle();
      if (heard.some((d) => d.versions_id === id)) break;
      if (Date.now() > deadline) throw new Error('no event relayed after Redis came back');
    }
  });

  it('stops at once even when Redis never answered', async () => {
    const lonely = new RedisRelay({
      uri: 'redis://127.0.0.1:1',
      events: new DeploymentEvents(),
      log: captureLogs().logger,
    });
    void lonely.start();
    const started = Date.now();
    await lonely.stop();
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('names the default channel after the Redis database number', () => {
    expect(defaultChannel('redis://:secret@host:6379/3')).toBe('versions:events:3');
    expect(defaultChannel('redis://host:6379')).toBe('versions:events:0');
  });
});
