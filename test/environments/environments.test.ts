// Environment tiers: inferred from names, set by hand with a write token, and DORA narrowed to one tier,
// with a rollout to several environments of a tier within an hour counted once. On every dialect.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inferTier } from '../../src/environments/tiers.js';
import { DIALECTS } from '../helpers/databases.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const NOW = Date.parse('2026-06-01T00:00:00.000Z');
const TOKEN = 'tier-writer-token';

describe('tier inference (GitLab rules)', () => {
  it.each([
    ['production', 'production', 'production'],
    ['prod', 'eu-west-1', 'production'],
    ['pop', 'live-paris', 'production'],
    ['staging', 'staging', 'staging'],
    ['preproduction', 'preprod', 'staging'],
    ['acceptance', 'uat', 'testing'],
    ['qa', 'qa', 'testing'],
    ['integration', 'integration', 'testing'],
    ['development', 'dev', 'development'],
    ['cloud', 'review-42', 'development'],
    ['edge', 'eu', 'other'],
  ])('%s/%s is %s', (platform, environment, tier) => {
    expect(inferTier(platform, environment)).toBe(tier);
  });
});

describe.each(DIALECTS)('environments and tiers on %s', (dialect) => {
  let t: TestApp;
  let clock = NOW;
  beforeAll(async () => {
    t = await createTestApp(dialect, {
      env: { APP_API_TOKENS: TOKEN },
      deps: { now: () => new Date(clock) },
    });
  });
  afterAll(() => t?.close());

  const auth = { authorization: `Bearer ${TOKEN}` };
  const deploy = async (key: string, at: number, status = 'deployed') => {
    const [workload, platform, environment] = key.split('/');
    clock = at;
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/v1/create',
      headers: auth,
      payload: { workload, platform, environment, version: `v${at}`, status },
    });
    expect(created.statusCode, created.body).toBe(201);
  };
  const get = async (url: string, query: Record<string, string> = {}) => {
    const response = await t.app.inject({ method: 'GET', url, query });
    return { status: response.statusCode, body: response.json() };
  };
  const put = (
    platform: string,
    environment: string,
    payload: unknown,
    headers: Record<string, string> = auth,
  ) =>
    t.app.inject({
      method: 'PUT',
      url: `/api/v1/environments/${encodeURIComponent(platform)}/${encodeURIComponent(environment)}`,
      headers,
      payload: payload as Record<string, unknown>,
    });

  it('lists nothing before any deployment', async () => {
    expect(await get('/api/v1/environments')).toEqual({ status: 200, body: [] });
  });

  it('lists every platform/environment with its inferred tier and counts', async () => {
    // shop rolls 1.0 out to three production regions within 40 minutes: one rollout; two days later again.
    await deploy('shop/production/eu', NOW - 5 * DAY);
    await deploy('shop/production/us', NOW - 5 * DAY + 20 * MINUTE);
    await deploy('shop/production/ap', NOW - 5 * DAY + 40 * MINUTE);
    await deploy('shop/production/eu', NOW - 3 * DAY);
    await deploy('shop/production/us', NOW - 3 * DAY + 2 * HOUR, 'failed');
    // blog: production once, a second workload's rollout at the same time counts on its own.
    await deploy('blog/production/eu', NOW - 5 * DAY + 10 * MINUTE);
    // development deploys all the time and must not count for production.
    for (let i = 0; i < 6; i += 1) await deploy('shop/development/dev', NOW - 4 * DAY + i * HOUR);
    await deploy('shop/edge/pop-1', NOW - 2 * DAY);

    const { status, body } = await get('/api/v1/environments');
    expect(status).toBe(200);
    expect(body).toEqual([
      {
        platform: 'development',
        environment: 'dev',
        tier: 'development',
        tierSource: 'inferred',
        workloads: 1,
        deployments: 6,
        url: null,
      },
      {
        platform: 'edge',
        environment: 'pop-1',
        tier: 'other',
        tierSource: 'inferred',
        workloads: 1,
        deployments: 1,
        url: null,
      },
      {
        platform: 'production',
        environment: 'ap',
        tier: 'production',
        tierSource: 'inferred',
        workloads: 1,
        deployments: 1,
        url: null,
      },
      {
        platform: 'production',
        environment: 'eu',
        tier: 'production',
        tierSource: 'inferred',
        workloads: 2,
        deployments: 3,
        url: null,
      },
      {
        platform: 'production',
        environment: 'us',
        tier: 'production',
        tierSource: 'inferred',
        workloads: 1,
        deployments: 2,
        url: null,
      },
    ]);
  });

  it('counts DORA over one tier, with rollouts within an hour counted once', async () => {
    clock = NOW;
    const everything = await get('/api/v1/stats/dora', { days: '30' });
    expect(everything.body).toMatchObject({ deployments: 13, successful: 12, failed: 1 });
    expect(everything.body).not.toHaveProperty('rollouts');

    const production = await get('/api/v1/stats/dora', { days: '30', tier: 'production' });
    expect(production.status).toBe(200);
    expect(production.body).toMatchObject({
      deployments: 6,
      successful: 5,
      failed: 1,
      changeFailureRate: 1 / 6,
      // shop: the three regions at -5 d (one), eu at -3 d (one); blog at -5 d (one).
      rollouts: 3,
      rolloutsPerDay: 3 / 30,
    });
    expect(production.body.deploymentsPerDay).toBeCloseTo(5 / 30);

    const byWorkload = await get('/api/v1/stats/dora', { tier: 'production', workload: 'blog' });
    expect(byWorkload.body).toMatchObject({ deployments: 1, rollouts: 1 });

    const staging = await get('/api/v1/stats/dora', { tier: 'staging' });
    expect(staging.body).toMatchObject({ deployments: 0, successful: 0, rollouts: 0 });
  });

  it('sets a tier with a write token; DORA and the list follow', async () => {
    const unauthorized = await put('edge', 'pop-1', { tier: 'production' }, {});
    expect(unauthorized.statusCode).toBe(401);

    const set = await put('edge', 'pop-1', { tier: 'production' });
    expect(set.statusCode, set.body).toBe(200);
    expect(set.json()).toEqual({
      platform: 'edge',
      environment: 'pop-1',
      tier: 'production',
      tierSource: 'set',
      workloads: 1,
      deployments: 1,
      url: null,
    });
    // Set again (replaces), then as a form.
    expect((await put('edge', 'pop-1', { tier: 'staging' })).statusCode).toBe(200);
    const form = await t.app.inject({
      method: 'PUT',
      url: '/api/v1/environments/edge/pop-1',
      headers: { ...auth, 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'tier=production',
    });
    expect(form.statusCode, form.body).toBe(200);

    const { body } = await get('/api/v1/environments');
    expect(body.find((entry: { environment: string }) => entry.environment === 'pop-1')).toMatchObject({
      tier: 'production',
      tierSource: 'set',
    });
    clock = NOW;
    const production = await get('/api/v1/stats/dora', { tier: 'production' });
    expect(production.body).toMatchObject({ deployments: 7, rollouts: 4 });
  });

  it('refuses a bad tier, an unknown environment, a bad body with a 4xx naming the field', async () => {
    const badTier = await put('edge', 'pop-1', { tier: 'prod' });
    expect(badTier.statusCode).toBe(400);
    expect(badTier.json().error).toMatch(/^tier must be one of production|tier/);
    const missing = await put('edge', 'pop-1', {});
    expect(missing.statusCode).toBe(400);
    expect(missing.json().error).toBe('tier is required');
    const number = await put('edge', 'pop-1', { tier: 3 });
    expect(number.statusCode).toBe(400);
    expect(number.json().error).toMatch(/tier/);
    const unknown = await put('edge', 'nowhere', { tier: 'production' });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().error).toMatch(/environment nowhere/);
    const tooLong = await put('edge', 'x'.repeat(101), { tier: 'production' });
    // Fastify refuses a path parameter over 100 characters itself (414), before the route; still JSON.
    expect(tooLong.statusCode).toBe(414);
    expect(tooLong.json()).toHaveProperty('error');
    const doraBad = await get('/api/v1/stats/dora', { tier: 'prod' });
    expect(doraBad.status).toBe(400);
    expect(doraBad.body.error).toMatch(/^tier must be one of/);
    // Nothing stored by the refused requests.
    const { body } = await get('/api/v1/environments');
    expect(body.find((entry: { environment: string }) => entry.environment === 'pop-1').tier).toBe(
      'production',
    );
  });
  it('lists the newest environmentURL sent to each environment, over its workloads, forgetting a removed one', async () => {
    const record = async (workload: string, environment: string, date: string, environmentURL?: string) => {
      const created = await t.app.inject({
        method: 'POST',
        url: '/api/v1/create',
        headers: auth,
        payload: { workload, platform: 'web', environment, version: date, date, environmentURL },
      });
      expect(created.statusCode, created.body).toBe(201);
      return created.json().versionId as number;
    };
    const urlOf = async (environment: string) => {
      const { body } = await get('/api/v1/environments');
      return body.find((entry: { platform: string; environment: string }) => {
        return entry.platform === 'web' && entry.environment === environment;
      })?.url;
    };
    await record('shop', 'eu', '2026-05-01T10:00:00Z', 'https://a.shop.example.com');
    expect(await urlOf('eu')).toBe('https://a.shop.example.com');
    const fromBlog = await record('blog', 'eu', '2026-05-01T12:00:00Z', 'https://b.blog.example.com');
    expect(await urlOf('eu')).toBe('https://b.blog.example.com');
    // A newer deployment that sends none keeps the URL; a backfilled older one that sends one does not win.
    await record('shop', 'eu', '2026-05-01T13:00:00Z');
    await record('shop', 'eu', '2026-05-01T09:00:00Z', 'https://c.shop.example.com');
    expect(await urlOf('eu')).toBe('https://b.blog.example.com');
    // At the very same instant as blog's, a later id is the newer.
    const tie = await record('shop', 'eu', '2026-05-01T12:00:00Z', 'https://d.shop.example.com');
    expect(await urlOf('eu')).toBe('https://d.shop.example.com');
    // An environment where nobody sent one.
    await record('shop', 'us', '2026-05-01T12:00:00Z');
    expect(await urlOf('us')).toBeNull();

    // Removing the deployment that sent the URL shown brings back the newest one left.
    const remove = (id: number) =>
      t.app.inject({ method: 'DELETE', url: `/api/v1/deployments/${id}`, headers: auth });
    expect((await remove(tie)).statusCode).toBe(200);
    expect(await urlOf('eu')).toBe('https://b.blog.example.com');
    expect((await remove(fromBlog)).statusCode).toBe(200);
    expect(await urlOf('eu')).toBe('https://a.shop.example.com');
  });
});
