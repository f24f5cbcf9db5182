// Bearer tokens: APP_API_TOKENS on every write, APP_READ_TOKENS on every read but the health probes.
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearerToken, TokenSet } from '../../src/auth/bearer-auth.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';

const WRITE_TOKENS = ['wr1te-token-alpha-7f3c9e', 'wr1te-token-bravo-0b5d2a'];
const READ_TOKEN = 're4d-token-charlie-91ac4e';
const env = { workload: 'teamX', platform: 'production', environment: 'eu' };

/** Every refusal: 401, the JSON error shape, the Bearer challenge, and no token echoed back. */
function expectRefused(response: LightMyRequestResponse): void {
  expect(response.statusCode).toBe(401);
  expect(response.headers['www-authenticate']).toMatch(/^Bearer realm="versions"/);
  expect(response.json()).toEqual({ error: expect.any(String) });
  for (const token of [...WRITE_TOKENS, READ_TOKEN]) expect(response.body).not.toContain(token);
}

function expectNoTokenIn(logs: Array<Record<string, unknown>>): void {
  const text = JSON.stringify(logs);
  for (const token of [...WRITE_TOKENS, READ_TOKEN]) expect(text).not.toContain(token);
}

const WRONG_AUTHORIZATIONS: Array<[string, Record<string, string>]> = [
  ['no Authorization header', {}],
  ['an empty header', { authorization: '' }],
  ['another scheme', { authorization: `Basic ${Buffer.from(`u:${WRITE_TOKENS[0]}`).toString('base64')}` }],
  ['the token without the scheme', { authorization: WRITE_TOKENS[0]! }],
  ['an unknown token', { authorization: 'Bearer not-a-token' }],
  ['a prefix of a token', { authorization: `Bearer ${WRITE_TOKENS[0]!.slice(0, -1)}` }],
  ['a token with a suffix', { authorization: `Bearer ${WRITE_TOKENS[0]}x` }],
  ['two tokens', { authorization: `Bearer ${WRITE_TOKENS[0]} ${WRITE_TOKENS[1]}` }],
  ['a read token', { authorization: `Bearer ${READ_TOKEN}` }],
];

describe('write tokens (APP_API_TOKENS)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp('sqlite', {
      env: { APP_API_TOKENS: ` ${WRITE_TOKENS.join(' , ')} `, APP_READ_TOKENS: '' },
    });
  });
  afterAll(() => t?.close());

  const writes = [
    { url: '/api/v1/create', payload: { ...env, version: '1.0.0' } },
    { url: '/api/v1/update/status', payload: { versionId: 1, status: 'failed' } },
  ];

  for (const write of writes) {
    for (const [name, headers] of WRONG_AUTHORIZATIONS) {
      it(`refuses POST ${write.url} with ${name}`, async () => {
        expectRefused(
          await t.app.inject({ method: 'POST', url: write.url, headers, payload: write.payload }),
        );
      });
    }
  }

  it('refuses before reading the body: a form, an invalid body, a trailing slash', async () => {
    expectRefused(
      await t.app.inject({
        method: 'POST',
        url: '/api/v1/create',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: 'workload=a&platform=b&environment=c&version=d',
      }),
    );
    expectRefused(
      await t.app.inject({
        method: 'POST',
        url: '/api/v1/create',
        headers: { 'content-type': 'application/json' },
        payload: '{not json',
      }),
    );
    expectRefused(
      await t.app.inject({ method: 'POST', url: '/api/v1/create/', payload: { ...env, version: '1' } }),
    );
    expectRefused(await t.app.inject({ method: 'POST', url: '/api/v1/no-such-endpoint', payload: {} }));
  });

  it('stored nothing while refusing', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/read/home' })).statusCode).toBe(204);
  });

  it('accepts every listed token, case-insensitive scheme, on create and on a status change', async () => {
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/v1/create',
      headers: { authorization: `Bearer ${WRITE_TOKENS[0]}` },
      payload: { ...env, version: '1.0.0', status: 'ongoing' },
    });
    expect(created.statusCode).toBe(201);
    const { versionId } = created.json();

    const form = await t.app.inject({
      method: 'POST',
      url: '/api/v1/update/status',
      headers: {
        authorization: `bearer  ${WRITE_TOKENS[1]}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      payload: `versionId=${versionId}&status=deployed`,
    });
    expect(form.statusCode).toBe(200);
    expect(form.json()).toBe('OK');

    // Reads stay open when APP_READ_TOKENS is not set.
    const row = await t.app.inject({
      method: 'GET',
      url: '/api/v1/read/raw/id',
      query: { versionId: `${versionId}` },
    });
    expect(row.statusCode).toBe(200);
    expect(row.json()).toMatchObject({ version: '1.0.0', status: 'deployed' });
  });

  it('a valid token still meets validation: 400 and 404 after authentication', async () => {
    const headers = { authorization: `Bearer ${WRITE_TOKENS[0]}` };
    const bad = await t.app.inject({ method: 'POST', url: '/api/v1/create', headers, payload: { ...env } });
    expect(bad.statusCode).toBe(400);
    const missing = await t.app.inject({
      method: 'POST',
      url: '/api/v1/update/status',
      headers,
      payload: { versionId: 999_999, status: 'failed' },
    });
    expect(missing.statusCode).toBe(404);
  });

  it('never writes a token to the log', () => {
    expect(t.logs.length).toBeGreaterThan(0);
    expectNoTokenIn(t.logs);
  });
});

describe('read tokens (APP_READ_TOKENS)', () => {
  let t: TestApp;
  let versionId: number;
  let readPaths: string[];
  const asReader = { authorization: `Bearer ${READ_TOKEN}` };
  const asWriter = { authorization: `Bearer ${WRITE_TOKENS[1]}` };

  beforeAll(async () => {
    t = await createTestApp('sqlite', {
      env: { APP_API_TOKENS: WRITE_TOKENS.join(','), APP_READ_TOKENS: READ_TOKEN },
    });
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/v1/create',
      headers: asWriter,
      payload: { ...env, version: '2.0.0' },
    });
    versionId = created.json().versionId;
    // Every GET endpoint the API has, from its own OpenAPI document: endpoints added later are covered too.
    const document = (
      await t.app.inject({ method: 'GET', url: '/api/v1/openapi.json', headers: asReader })
    ).json();
    readPaths = Object.entries(document.paths as Record<string, Record<string, unknown>>)
      .filter(([, operations]) => 'get' in operations)
      .map(([path]) => path);
  });
  afterAll(() => t?.close());

  const query = () => ({ ...env, version: '2.0.0', versionId: String(versionId) });

  it('knows the GET endpoints', () => {
    expect(readPaths).toEqual(
      expect.arrayContaining([
        '/api/v1/health',
        '/api/v1/healthz',
        '/api/v1/read/home',
        '/api/v1/read/raw/id',
        '/api/v1/stats/latest',
        '/api/v1/openapi.json',
      ]),
    );
  });

  it('refuses every read but the health probes without a read token', async () => {
    const guarded = readPaths.filter((path) => !/\/healthz?$/.test(path));
    expect(guarded.length).toBeGreaterThan(8);
    for (const url of guarded) {
      for (const [, headers] of WRONG_AUTHORIZATIONS.slice(0, -1)) {
        expectRefused(await t.app.inject({ method: 'GET', url, query: query(), headers }));
      }
      const head = await t.app.inject({ method: 'HEAD', url, query: query() });
      expect(head.statusCode).toBe(401);
      expect(head.headers['www-authenticate']).toMatch(/^Bearer/);
    }
    expectRefused(await t.app.inject({ method: 'GET', url: '/api/v1/no-such-endpoint' }));
  });

  it('answers every read to a read token and to a write token', async () => {
    // /events streams until the client leaves, so inject() would never return: it is checked apart.
    for (const path of readPaths.filter((candidate) => !candidate.endsWith('/events'))) {
      const url = path.replace('{versionId}', String(versionId));
      // /compare's from and to are PLATFORM/ENVIRONMENT, where /deployments takes dates.
      const compare = { from: `${env.platform}/${env.environment}`, to: 'elsewhere/elsewhere' };
      const fields = path.endsWith('/compare') ? { ...query(), ...compare } : query();
      for (const headers of [asReader, asWriter]) {
        const response = await t.app.inject({ method: 'GET', url, query: fields, headers });
        expect([200, 204, 404], `${url}: ${response.body}`).toContain(response.statusCode);
      }
    }
    const row = await t.app.inject({
      method: 'GET',
      url: '/api/v1/read/raw/id',
      query: query(),
      headers: asReader,
    });
    expect(row.json()).toMatchObject({ versions_id: versionId, version: '2.0.0' });
  });

  it('keeps the health probes open, GET and HEAD, for load balancers and Kubernetes', async () => {
    for (const url of ['/api/v1/health', '/api/v1/healthz', '/api/v1/health/', '/api/v1/healthz?x=1']) {
      expect((await t.app.inject({ method: 'GET', url })).statusCode, url).toBe(200);
      expect((await t.app.inject({ method: 'HEAD', url })).statusCode, url).toBe(200);
    }
  });

  it('does not let a read token write', async () => {
    expectRefused(
      await t.app.inject({
        method: 'POST',
        url: '/api/v1/create',
        headers: asReader,
        payload: { ...env, version: '3' },
      }),
    );
  });

  it('leaves the UI pages public: they are static files, the data behind them is what is guarded', async () => {
    const page = await t.app.inject({ method: 'GET', url: '/ui/' });
    expect(page.statusCode).not.toBe(401);
  });

  it('never writes a token to the log', () => {
    expectNoTokenIn(t.logs);
  });
});

describe('token parsing and comparison', () => {
  it('reads the token of a Bearer header only', () => {
    expect(bearerToken(undefined)).toBeUndefined();
    expect(bearerToken('  ')).toBeUndefined();
    expect(bearerToken('Bearer abc')).toBe('abc');
    expect(bearerToken('BEARER\tabc ')).toBe('abc');
    expect(bearerToken('Bearer')).toBeNull();
    expect(bearerToken('Bearer a b')).toBeNull();
    expect(bearerToken('Token abc')).toBeNull();
  });

  it('matches whole tokens of any length, and nothing when empty', () => {
    const set = new TokenSet(['short', 'a-much-longer-token-of-64-characters-0123456789abcdef0123456789ab']);
    expect(set.has('short')).toBe(true);
    expect(set.has('a-much-longer-token-of-64-characters-0123456789abcdef0123456789ab')).toBe(true);
    expect(set.has('shor')).toBe(false);
    expect(set.has('shortx')).toBe(false);
    expect(set.has('')).toBe(false);
    expect(new TokenSet([]).has('')).toBe(false);
  });
});
