// Inputs built to break the server (issue 11, items 6 and 8): each is a 4xx with the usual {"error"} body and
// security headers on every database, nothing is stored, and a status set again announces nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { DeploymentEvents, type DeploymentEvent } from '../../src/events/deployment-events.js';
import { SECURITY_HEADERS } from '../../src/http/security-headers.js';
import { DIALECTS } from '../helpers/databases.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';

const deployment = { workload: 'w', platform: 'p', environment: 'e', version: '1.0.0', status: 'ongoing' };

function expectUsualError(response: { statusCode: number; headers: Record<string, unknown>; body: string }) {
  expect(response.statusCode, response.body).toBeGreaterThanOrEqual(400);
  expect(response.statusCode, response.body).toBeLessThan(500);
  expect(response.headers['content-type']).toMatch(/^application\/json/);
  expect(Object.keys(JSON.parse(response.body))).toEqual(['error']);
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) expect(response.headers[name]).toBe(value);
}

describe.each(DIALECTS)('hostile input on %s', (dialect) => {
  let t: TestApp;
  const events = new DeploymentEvents();
  const seen: DeploymentEvent[] = [];
  events.subscribe((event) => seen.push(event));
  beforeAll(async () => {
    t = await createTestApp(dialect, { deps: { events } });
  });
  afterAll(() => t?.close());

  const create = (payload: string) =>
    t.app.inject({
      method: 'POST',
      url: '/api/v1/create',
      headers: { 'content-type': 'application/json' },
      payload,
    });
  const setStatus = (versionId: number, status: string) =>
    t.app.inject({ method: 'POST', url: '/api/v1/update/status', payload: { versionId, status } });

  it('answers a page number past any database integer with a 400 naming page', async () => {
    for (const page of ['99999999999999999999', '2147483648', '1e300']) {
      const response = await t.app.inject({
        url: `/api/v1/read/environment?workload=w&platform=p&environment=e&page=${page}`,
      });
      expectUsualError(response);
      expect(response.json().error).toMatch(/^page must be/);
    }
    const platform = await t.app.inject({
      url: '/api/v1/read/platform?workload=w&platform=p&page=99999999999999999999&rangeLimit=1000',
    });
    expectUsualError(platform);
  });

  it('reads the highest page allowed without a database error', async () => {
    const response = await t.app.inject({
      url: '/api/v1/read/environment?workload=w&platform=p&environment=e&page=2147483647&rangeLimit=1000',
    });
    expect(response.statusCode, response.body).toBe(404);
  });

  it('refuses 400 KB of nested brackets, as a whole body or as raw, and stores nothing', async () => {
    const deep = '['.repeat(200_000) + ']'.repeat(200_000);
    for (const payload of [
      '['.repeat(400_000),
      deep,
      JSON.stringify({ ...deployment, raw: 'x' }).replace('"x"', deep),
    ]) {
      const response = await create(payload);
      expectUsualError(response);
      expect(response.json().error).toMatch(/nests arrays and objects more than 100 levels/);
    }
    expect((await t.app.inject({ url: '/api/v1/read/home' })).statusCode).toBe(204);
    expect(seen).toEqual([]);
  });

  it('still takes a body nested 100 levels, and brackets inside strings', async () => {
    // The body's object, 98 arrays and one object: 100 levels.
    const raw = JSON.parse('['.repeat(98) + '{"a":"[[[[{{{{\\"\\\\"}' + ']'.repeat(98));
    const response = await create(JSON.stringify({ ...deployment, raw }));
    expect(response.statusCode, response.body).toBe(201);
  });

  it('answers malformed percent-encoding with the usual error body and headers', async () => {
    for (const url of ['/api/v1/read/%E0%A4%A', '/api/v1/%', '/ui/%ZZ', '/%']) {
      const response = await t.app.inject({ url });
      expectUsualError(response);
      expect(response.statusCode).toBe(400);
      expect(response.json().error).toMatch(/percent/);
    }
    const query = await t.app.inject({
      url: '/api/v1/read/environment?workload=%E0%A4%A&platform=%&environment=e',
    });
    expectUsualError(query);
  });

  it('announces a status change once, not when the status is set to the value it already has', async () => {
    const id = (await create(JSON.stringify(deployment))).json().versionId as number;
    seen.length = 0;
    expect((await setStatus(id, 'deployed')).statusCode).toBe(200);
    expect((await setStatus(id, 'deployed')).statusCode).toBe(200);
    expect((await setStatus(id, 'DEPLOYED')).statusCode).toBe(200);
    expect(seen.map((event) => [event.event, event.deployment.status])).toEqual([['status', 'deployed']]);

    // Five identical updates at once: one change, one event, one history entry.
    seen.length = 0;
    const answers = await Promise.all(Array.from({ length: 5 }, () => setStatus(id, 'failed')));
    expect(answers.map((answer) => answer.statusCode)).toEqual([200, 200, 200, 200, 200]);
    expect(seen.map((event) => event.deployment.status)).toEqual(['failed']);
    const history = await t.app.inject({ url: `/api/v1/read/history?versionId=${id}` });
    expect(history.json().map((entry: { status: string }) => entry.status)).toEqual([
      'ongoing',
      'deployed',
      'failed',
    ]);
  });
});

describe('configuration errors', () => {
  it('never show a webhook URL path or query', () => {
    for (const url of [
      'ftp://hooks.slack.com/services/T000/B000/SECRETPATH?token=SECRETQUERY',
      'hooks.slack.com/services/T000/B000/SECRETPATH',
      'https://hooks.example.com/SECRETPATH has a space?token=SECRETQUERY',
    ]) {
      let message = '';
      try {
        loadConfig({ APP_WEBHOOK_URLS: `https://ok.example.com/hook,${url}` });
      } catch (error) {
        expect(error).toBeInstanceOf(ConfigError);
        message = (error as Error).message;
      }
      expect(message).toMatch(/^APP_WEBHOOK_URLS must be comma-separated http\(s\) URLs/);
      expect(message).not.toMatch(/SECRET/);
    }
  });

  it('put the metrics port on APP_HOST unless APP_METRICS_HOST says otherwise', () => {
    expect(loadConfig({}).metricsHost).toBe('::');
    expect(loadConfig({ APP_HOST: '127.0.0.1' }).metricsHost).toBe('127.0.0.1');
    expect(loadConfig({ APP_HOST: '0.0.0.0', APP_METRICS_HOST: '127.0.0.1' }).metricsHost).toBe('127.0.0.1');
  });
});
