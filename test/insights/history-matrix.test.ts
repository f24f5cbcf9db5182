// History, matrix and backfill through the API, on every dialect.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../helpers/databases.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';

const START = Date.parse('2025-01-01T00:00:00.000Z');
const MINUTE = 60_000;
/** What a matrix entry's `current` carries when its create sent no commit or environment link. */
const NO_LINKS = { commit: null, environmentURL: null };

describe.each(DIALECTS)('history and matrix on %s', (dialect) => {
  let t: TestApp;
  // The server's clock, moved by the tests: creation and status times are exact.
  let clock = START;
  const at = (ms: number) => {
    clock = ms;
  };
  beforeAll(async () => {
    t = await createTestApp(dialect, { deps: { now: () => new Date(clock) } });
  });
  afterAll(() => t?.close());

  const create = async (payload: Record<string, unknown>): Promise<number> => {
    const response = await t.app.inject({ method: 'POST', url: '/api/v1/create', payload });
    expect(response.statusCode, response.body).toBe(201);
    return response.json().versionId;
  };
  const setStatus = async (versionId: number, status: string) => {
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/v1/update/status',
      payload: { versionId, status },
    });
    expect(response.statusCode, response.body).toBe(200);
  };
  const get = (url: string, query: Record<string, string> = {}) =>
    t.app.inject({ method: 'GET', url, query });
  const iso = (ms: number) => new Date(ms).toISOString();

  it('answers 204 for the matrix of an empty database', async () => {
    const response = await get('/api/v1/read/matrix');
    expect(response.statusCode).toBe(204);
    expect(response.body).toBe('');
  });

  it('keeps every status change with its time, creation first, repeated statuses once', async () => {
    at(START);
    const id = await create({
      workload: 'h',
      platform: 'p',
      environment: 'e',
      version: '1',
      status: 'Ongoing',
    });
    at(START + MINUTE);
    await setStatus(id, 'deployed');
    at(START + 2 * MINUTE);
    await setStatus(id, 'DEPLOYED'); // the same status: no new entry
    at(START + 3 * MINUTE);
    await setStatus(id, 'failed');
    const response = await get('/api/v1/read/history', { versionId: String(id) });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual([
      { status: 'ongoing', date: iso(START) },
      { status: 'deployed', date: iso(START + MINUTE) },
      { status: 'failed', date: iso(START + 3 * MINUTE) },
    ]);
  });

  it('starts the history of a backfilled deployment at its date, even one a little ahead of the clock', async () => {
    at(START + 10 * MINUTE);
    const old = await create({
      workload: 'h',
      platform: 'p',
      environment: 'e',
      version: '0',
      date: '2023-06-01T08:00:00+02:00',
    });
    expect((await get('/api/v1/read/history', { versionId: String(old) })).json()).toEqual([
      { status: 'deployed', date: '2023-06-01T06:00:00.000Z' },
    ]);

    // A CI runner's clock 4 minutes ahead of the server's: its creation still comes first.
    const ahead = await create({
      workload: 'h',
      platform: 'p',
      environment: 'e',
      version: '2',
      status: 'ongoing',
      date: iso(START + 14 * MINUTE),
    });
    await setStatus(ahead, 'completed');
    expect((await get('/api/v1/read/history', { versionId: String(ahead) })).json()).toEqual([
      { status: 'ongoing', date: iso(START + 14 * MINUTE) },
      { status: 'completed', date: iso(START + 10 * MINUTE) },
    ]);
  });

  it('answers 400 for a bad versionId and 404 for an unknown one', async () => {
    for (const versionId of ['abc', '0', '-1', '1.5', '99999999999']) {
      const response = await get('/api/v1/read/history', { versionId });
      expect(response.statusCode, versionId).toBe(400);
      expect(response.json().error).toMatch(/versionId/);
    }
    const missing = await get('/api/v1/read/history');
    expect(missing.statusCode).toBe(400);
    expect(missing.json().error).toMatch(/versionId/);
    const unknown = await get('/api/v1/read/history', { versionId: '999999' });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toEqual({ error: 'no deployment with versionId 999999' });
  });

  it('shows per environment the newest successful and the newest deployment, sorted', async () => {
    const key = { workload: 'm-team', platform: 'production' };
    at(START + 60 * MINUTE);
    const euGood = await create({ ...key, environment: 'eu', version: '1.0.0' });
    at(START + 61 * MINUTE);
    const euBad = await create({ ...key, environment: 'eu', version: '1.1.0', status: 'failed' });
    const usOngoing = await create({ ...key, environment: 'us', version: '1.1.0', status: 'ongoing' });
    // Two at the same instant: the later id is the newer.
    const tied = iso(START + 30 * MINUTE);
    await create({ ...key, platform: 'staging', environment: 'eu', version: '1.2.0', date: tied });
    const stagingNewest = await create({
      ...key,
      platform: 'staging',
      environment: 'eu',
      version: '1.3.0',
      status: 'completed',
      date: tied,
    });
    // A backfill of something older does not become the latest.
    await create({ ...key, environment: 'eu', version: '0.9.0', date: '2024-01-01T00:00:00Z' });
    await create({ workload: 'a-team', platform: 'production', environment: 'eu', version: '7' });

    const response = await get('/api/v1/read/matrix', { workload: 'm-team' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual([
      {
        ...key,
        environment: 'eu',
        // commit and environmentURL: null, as these creates sent none (test/deployments/deployment-details.test.ts).
        current: { versions_id: euGood, version: '1.0.0', date: iso(START + 60 * MINUTE), ...NO_LINKS },
        latest: { versions_id: euBad, version: '1.1.0', status: 'failed', date: iso(START + 61 * MINUTE) },
      },
      {
        ...key,
        environment: 'us',
        current: null,
        latest: {
          versions_id: usOngoing,
          version: '1.1.0',
          status: 'ongoing',
          date: iso(START + 61 * MINUTE),
        },
      },
      {
        ...key,
        platform: 'staging',
        environment: 'eu',
        current: { versions_id: stagingNewest, version: '1.3.0', date: tied, ...NO_LINKS },
        latest: { versions_id: stagingNewest, version: '1.3.0', status: 'completed', date: tied },
      },
    ]);

    // A status change shows at once (the read cache is invalidated by writes).
    at(START + 62 * MINUTE);
    await setStatus(usOngoing, 'deployed');
    const us = (await get('/api/v1/read/matrix', { workload: ' m-team ' }))
      .json()
      .find((entry: { environment: string }) => entry.environment === 'us');
    expect(us.current).toEqual({
      versions_id: usOngoing,
      version: '1.1.0',
      date: iso(START + 61 * MINUTE),
      ...NO_LINKS,
    });
    expect(us.latest.status).toBe('deployed');
  });

  it('lists every workload without a filter, sorted by workload, platform and environment', async () => {
    const response = await get('/api/v1/read/matrix');
    expect(response.statusCode).toBe(200);
    const keys = response
      .json()
      .map((entry: Record<string, string>) => `${entry.workload}/${entry.platform}/${entry.environment}`);
    expect(keys).toEqual([
      'a-team/production/eu',
      'h/p/e',
      'm-team/production/eu',
      'm-team/production/us',
      'm-team/staging/eu',
    ]);
    // The history test's deployment ended failed; the backfilled 2023 one is older than the completed one.
    const h = response.json()[1];
    expect(h.current.version).toBe('2');
    expect(h.latest).toMatchObject({ version: '2', status: 'completed' });
  });

  it('answers 204 for a workload without deployments and 400 for a too long one', async () => {
    expect((await get('/api/v1/read/matrix', { workload: 'nobody' })).statusCode).toBe(204);
    const long = await get('/api/v1/read/matrix', { workload: 'x'.repeat(101) });
    expect(long.statusCode).toBe(400);
    expect(long.json().error).toMatch(/workload/);
  });
});
