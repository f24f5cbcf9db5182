// The original's v1 API, endpoint by endpoint, on every dialect.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../helpers/databases.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';

const env = { workload: 'teamX', platform: 'production', environment: 'production' };

describe.each(DIALECTS)('v1 API on %s', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(dialect);
  });
  afterAll(() => t?.close());

  const create = (payload: Record<string, unknown>) =>
    t.app.inject({ method: 'POST', url: '/api/v1/create', payload });
  const get = (url: string, query: Record<string, string> = {}) =>
    t.app.inject({ method: 'GET', url, query });

  it('answers 204 on reads of an empty database', async () => {
    expect((await get('/api/v1/read/home')).statusCode).toBe(204);
    expect((await get('/api/v1/read/distinct/workloads')).statusCode).toBe(204);
    expect((await get('/api/v1/stats/latest')).statusCode).toBe(204);
    expect((await get('/api/v1/read/environment', env)).statusCode).toBe(404);
  });

  it('reports health', async () => {
    const health = await get('/api/v1/health');
    expect(health.statusCode).toBe(200);
    expect(health.json()).toEqual({ health: 'OK' });
    const healthz = await get('/api/v1/healthz');
    expect(healthz.statusCode).toBe(200);
    const name = { sqlite: 'sqlite', postgres: 'postgresql', mysql: 'mysql' }[dialect];
    expect(healthz.json()).toEqual({ status: { [name]: 'OK' } });
    expect((await t.app.inject({ method: 'HEAD', url: '/api/v1/health' })).statusCode).toBe(200);
    expect((await t.app.inject({ method: 'HEAD', url: '/api/v1/healthz' })).statusCode).toBe(200);
  });

  it('creates from JSON with defaults, and from a form', async () => {
    const json = await create({ ...env, version: '1.0.0', status: 'Ongoing', raw: '{"a":"b"}' });
    expect(json.statusCode).toBe(201);
    const { versionId } = json.json();
    expect(versionId).toEqual(expect.any(Number));
    const row = (await get('/api/v1/read/raw/id', { versionId: String(versionId) })).json();
    expect(row).toMatchObject({
      versions_id: versionId,
      ...env,
      version: '1.0.0',
      status: 'ongoing',
      changelog_url: 'N/A',
      raw: '{"a":"b"}',
    });
    expect(row.date).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(Math.abs(Date.parse(row.date) - Date.now())).toBeLessThan(60_000);

    const form = await t.app.inject({
      method: 'POST',
      url: '/api/v1/create',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'version=1.1.0&workload=teamX&environment=production&platform=production&changelogURL=',
    });
    expect(form.statusCode).toBe(201);
    const formRow = (await get('/api/v1/read/raw/id', { versionId: String(form.json().versionId) })).json();
    expect(formRow).toMatchObject({ version: '1.1.0', status: 'deployed', changelog_url: 'N/A', raw: 'N/A' });
    expect(form.json().versionId).toBeGreaterThan(versionId);
  });

  it('trims names, keeps unicode, and stores a JSON object payload as its text', async () => {
    const response = await create({
      workload: '  équipe-🚀  ',
      platform: 'プラットフォーム',
      environment: 'prod',
      version: "1.0.0'; DROP TABLE versions; --",
      raw: { nested: { list: [1, 2] } },
      changelogURL: 'https://example.com/changes?a=1&b=2',
    });
    expect(response.statusCode).toBe(201);
    const row = (await get('/api/v1/read/raw/id', { versionId: String(response.json().versionId) })).json();
    expect(row).toMatchObject({
      workload: 'équipe-🚀',
      platform: 'プラットフォーム',
      version: "1.0.0'; DROP TABLE versions; --",
      raw: '{"nested":{"list":[1,2]}}',
      changelog_url: 'https://example.com/changes?a=1&b=2',
    });
    const raw = await get('/api/v1/read/raw', {
      workload: 'équipe-🚀',
      platform: 'プラットフォーム',
      environment: 'prod',
      version: "1.0.0'; DROP TABLE versions; --",
    });
    expect(raw.json()).toEqual({ raw: '{"nested":{"list":[1,2]}}' });
  });

  it('updates a status by numeric id or numeric string, and 404s an unknown id', async () => {
    const { versionId } = (await create({ ...env, version: '2.0.0', status: 'ongoing' })).json();
    const asString = await t.app.inject({
      method: 'POST',
      url: '/api/v1/update/status',
      payload: { versionId: String(versionId), status: 'DEPLOYED' },
    });
    expect(asString.statusCode).toBe(200);
    expect(asString.body).toBe('"OK"');
    expect(asString.headers['content-type']).toMatch(/application\/json/);
    expect((await get('/api/v1/read/raw/id', { versionId: String(versionId) })).json().status).toBe(
      'deployed',
    );
    const asNumber = await t.app.inject({
      method: 'POST',
      url: '/api/v1/update/status',
      payload: { versionId, status: 'failed' },
    });
    expect(asNumber.statusCode).toBe(200);
    const missing = await t.app.inject({
      method: 'POST',
      url: '/api/v1/update/status',
      payload: { versionId: 999999, status: 'failed' },
    });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error).toMatch(/versionId 999999/);
    const form = await t.app.inject({
      method: 'POST',
      url: '/api/v1/update/status',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: `versionId=${versionId}&status=completed`,
    });
    expect(form.statusCode).toBe(200);
  });

  it('reads latest successful and latest whatever', async () => {
    const key = { workload: 'latest', platform: 'p', environment: 'e' };
    await create({ ...key, version: '1.0.0', status: 'deployed' });
    await create({ ...key, version: '1.1.0', status: 'completed' });
    await create({ ...key, version: '1.2.0', status: 'failed' });
    await create({ ...key, version: '1.3.0', status: 'ongoing' });
    expect((await get('/api/v1/read/environment/latest', key)).json()).toEqual({ version: '1.1.0' });
    expect((await get('/api/v1/read/environment/latest/whatever', key)).json()).toEqual({ version: '1.3.0' });
    const none = { workload: 'latest', platform: 'p', environment: 'nothing' };
    expect((await get('/api/v1/read/environment/latest', none)).statusCode).toBe(404);
    expect((await get('/api/v1/read/environment/latest/whatever', none)).statusCode).toBe(404);
    await create({ ...none, version: '0.1.0', status: 'failed' });
    expect((await get('/api/v1/read/environment/latest', none)).statusCode).toBe(404);
    expect((await get('/api/v1/read/environment/latest/whatever', none)).json()).toEqual({
      version: '0.1.0',
    });
  });

  it('orders the same instant by id, and backfills with an explicit date', async () => {
    const key = { workload: 'order', platform: 'p', environment: 'e' };
    const date = '2024-05-01T12:30:00Z';
    const ids: number[] = [];
    for (const version of ['a', 'b', 'c'])
      ids.push((await create({ ...key, version, date })).json().versionId);
    await create({ ...key, version: 'old', date: '2024-04-30T23:59:59.999+02:00' });
    const rows = (await get('/api/v1/read/environment', key)).json();
    expect(rows.map((row: { version: string }) => row.version)).toEqual(['c', 'b', 'a', 'old']);
    expect(rows[0].date).toBe('2024-05-01T12:30:00.000Z');
    expect(rows[3].date).toBe('2024-04-30T21:59:59.999Z');
    expect((await get('/api/v1/read/environment/latest', key)).json()).toEqual({ version: 'c' });
  });

  it('paginates environments and platforms with totals', async () => {
    const key = { workload: 'paging', platform: 'p' };
    for (let i = 1; i <= 7; i++) {
      await create({
        ...key,
        environment: i % 2 ? 'odd' : 'even',
        version: `1.${i}.0`,
        date: `2024-01-0${i}T00:00:00Z`,
      });
    }
    const page1 = (
      await get('/api/v1/read/environment', { ...key, environment: 'odd', rangeLimit: '3' })
    ).json();
    expect(page1.map((row: { version: string }) => row.version)).toEqual(['1.7.0', '1.5.0', '1.3.0']);
    expect(page1.every((row: { total: number }) => row.total === 4)).toBe(true);
    const page2 = (
      await get('/api/v1/read/environment', { ...key, environment: 'odd', rangeLimit: '3', page: '2' })
    ).json();
    expect(page2.map((row: { version: string }) => row.version)).toEqual(['1.1.0']);
    const beyond = await get('/api/v1/read/environment', {
      ...key,
      environment: 'odd',
      rangeLimit: '3',
      page: '3',
    });
    expect(beyond.statusCode).toBe(404);
    const platform = (await get('/api/v1/read/platform', { ...key, rangeLimit: '2', page: '2' })).json();
    expect(platform.map((row: { version: string }) => row.version)).toEqual(['1.5.0', '1.4.0']);
    expect(platform[0].total).toBe(7);
    const defaults = (await get('/api/v1/read/platform', key)).json();
    expect(defaults).toHaveLength(7);
  });

  it('lists distinct workloads sorted, the home page, and the daily statistics', async () => {
    const distinct = (await get('/api/v1/read/distinct/workloads')).json() as Array<Record<string, string>>;
    const keys = distinct.map((row) => `${row.workload}/${row.platform}/${row.environment}`);
    expect(keys).toEqual([...keys].sort());
    expect(distinct).toContainEqual({ workload: 'paging', platform: 'p', environment: 'odd' });
    expect(new Set(keys).size).toBe(keys.length);

    for (let i = 0; i < 10; i++)
      await create({ workload: 'filler', platform: 'p', environment: 'e', version: `${i}` });
    const home = (await get('/api/v1/read/home')).json();
    expect(home).toHaveLength(25);
    const dates = home.map((row: { date: string }) => row.date);
    expect(dates).toEqual([...dates].sort().reverse());

    const key = { workload: 'stats', platform: 'p', environment: 'e' };
    const yesterday = new Date(Date.now() - 86_400_000).toISOString();
    await create({ ...key, version: '1', status: 'deployed' });
    await create({ ...key, version: '2', status: 'deployed' });
    await create({ ...key, version: '3', status: 'failed', date: yesterday });
    await create({ ...key, version: 'old', status: 'failed', date: '2020-01-01T00:00:00Z' });
    const stats = (await get('/api/v1/stats/latest')).json() as Array<Record<string, unknown>>;
    const mine = stats.filter((row) => row.workload === 'stats');
    expect(mine).toEqual([
      { total: 1, ...key, status: 'failed', date: yesterday.slice(0, 10) },
      { total: 2, ...key, status: 'deployed', date: new Date().toISOString().slice(0, 10) },
    ]);
  });

  it('runs the seed README examples as written', async () => {
    const seed = [
      ['1.0.0', 'teamX', 'production', 'production', 'ongoing'],
      ['1.1.0', 'teamX', 'production', 'production', 'deployed'],
      ['1.3.0', 'teamX', 'dev', 'development', 'failed'],
      ['0.2.0', 'teamZ', 'test', 'development', 'deployed'],
    ];
    for (const [version, workload, environment, platform, status] of seed) {
      const response = await t.app.inject({
        method: 'POST',
        url: '/api/v1/create',
        headers: { 'content-type': 'application/json' },
        payload: JSON.stringify({
          version,
          workload,
          environment,
          platform,
          changelogURL: '',
          raw: '{"a":"b"}',
          status,
        }),
      });
      expect(response.statusCode).toBe(201);
    }
    const latest = await get('/api/v1/read/environment/latest', {
      workload: 'teamX',
      environment: 'production',
      platform: 'production',
    });
    expect(latest.json()).toEqual({ version: '1.1.0' });
  });
});
