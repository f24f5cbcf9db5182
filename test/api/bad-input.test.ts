// Every bad input gets a 4xx with a JSON error naming the field, and nothing is stored.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../helpers/databases.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';

const valid = { workload: 'w', platform: 'p', environment: 'e', version: '1.0.0' };

describe.each(DIALECTS)('bad input on %s', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(dialect, { env: { APP_BODY_LIMIT: '65536' } });
  });
  afterAll(() => t?.close());

  const post = (url: string, payload: unknown, contentType = 'application/json') =>
    t.app.inject({
      method: 'POST',
      url,
      headers: { 'content-type': contentType },
      payload: typeof payload === 'string' ? payload : JSON.stringify(payload),
    });

  async function expectNothingStored() {
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/read/home' })).statusCode).toBe(204);
  }

  const createCases: Array<[string, unknown, RegExp]> = [
    ['missing workload', { ...valid, workload: undefined }, /workload is required/],
    ['missing version', { platform: 'p', environment: 'e', workload: 'w' }, /version is required/],
    ['number workload', { ...valid, workload: 123 }, /workload must be a string/],
    ['array platform', { ...valid, platform: ['p'] }, /platform must be a string/],
    ['object environment', { ...valid, environment: { a: 1 } }, /environment must be a string/],
    ['null version', { ...valid, version: null }, /version must be a string/],
    ['boolean status', { ...valid, status: true }, /status must be a string/],
    ['number raw', { ...valid, raw: 12 }, /raw must be a string/],
    ['number changelogURL', { ...valid, changelogURL: 5 }, /changelogURL must be a string/],
    ['blank workload', { ...valid, workload: '   ' }, /workload must not be blank/],
    ['blank version', { ...valid, version: '\t\n' }, /version must not be blank/],
    [
      '101 characters',
      { ...valid, environment: 'x'.repeat(101) },
      /environment must be at most 100 characters/,
    ],
    ['101 emoji', { ...valid, workload: '🚀'.repeat(101) }, /workload must be at most 100 characters/],
    ['long status', { ...valid, status: 's'.repeat(101) }, /status must be at most 100 characters/],
    ['NUL in workload', { ...valid, workload: 'a\u0000b' }, /workload must not contain NUL/],
    ['NUL in raw', { ...valid, raw: '{"a":"\u0000"}' }, /raw must not contain NUL/],
    ['NUL in version', { ...valid, version: '\u0000' }, /version must not contain NUL/],
    [
      'long changelog',
      { ...valid, changelogURL: `https://x/${'a'.repeat(5000)}` },
      /changelogURL must be at most/,
    ],
    ['date without zone', { ...valid, date: '2024-05-01T12:30:00' }, /date must be an ISO 8601/],
    ['date as text', { ...valid, date: 'yesterday' }, /date must be an ISO 8601/],
    ['impossible date', { ...valid, date: '2024-13-45T99:99:00Z' }, /date is not a valid date/],
    ['future date', { ...valid, date: '2999-01-01T00:00:00Z' }, /date must not be in the future/],
    ['number date', { ...valid, date: 1714566600 }, /date must be a string/],
    ['array body', [valid], /body must be a JSON object/],
    ['string body', '"hello"', /body must be a JSON object/],
    ['number body', '42', /body must be a JSON object/],
    ['broken JSON', '{"workload": "w",', /not valid JSON/],
  ];

  it.each(createCases)('create rejects %s with 400', async (_name, payload, message) => {
    const response = await post('/api/v1/create', payload);
    expect(response.statusCode).toBe(400);
    expect(response.headers['content-type']).toMatch(/application\/json/);
    expect(response.json().error).toMatch(message);
    await expectNothingStored();
  });

  it('rejects an empty JSON body, a bodiless POST and an unknown content type', async () => {
    const empty = await post('/api/v1/create', '');
    expect(empty.statusCode).toBe(400);
    expect(empty.json().error).toMatch(/body/);
    const bodiless = await t.app.inject({ method: 'POST', url: '/api/v1/create' });
    expect(bodiless.statusCode).toBe(400);
    const text = await post('/api/v1/create', 'workload=w', 'text/plain');
    expect(text.statusCode).toBe(415);
    expect(text.json().error).toMatch(/Content-Type/);
    const xml = await post('/api/v1/create', '<x/>', 'application/xml');
    expect(xml.statusCode).toBe(415);
    await expectNothingStored();
  });

  it('answers 413 to a body over APP_BODY_LIMIT, JSON or form', async () => {
    const huge = await post('/api/v1/create', { ...valid, raw: 'x'.repeat(70_000) });
    expect(huge.statusCode).toBe(413);
    expect(huge.json().error).toMatch(/APP_BODY_LIMIT/);
    const form = await post(
      '/api/v1/create',
      `workload=w&raw=${'x'.repeat(70_000)}`,
      'application/x-www-form-urlencoded',
    );
    expect(form.statusCode).toBe(413);
    await expectNothingStored();
  });

  // A repeated form field takes its first value, as the original's Gin binding did (original-requests.test.ts);
  // a JSON array where a string belongs stays a 400 ('array platform' above).

  const badIds: Array<[string, unknown]> = [
    ['a word', 'abc'],
    ['zero', 0],
    ['negative', -1],
    ['a fraction', 1.5],
    ['exponent text', '1e3'],
    ['too big', 99_999_999_999],
    ['empty', ''],
    ['null', null],
    ['an object', { id: 1 }],
  ];
  it.each(badIds)('update/status rejects versionId as %s', async (_name, versionId) => {
    const response = await post('/api/v1/update/status', { versionId, status: 'deployed' });
    expect(response.statusCode).toBe(400);
    expect(response.json().error).toMatch(/versionId/);
  });

  it('update/status requires a status', async () => {
    const missing = await post('/api/v1/update/status', { versionId: 1 });
    expect(missing.statusCode).toBe(400);
    expect(missing.json().error).toMatch(/status is required/);
    const blank = await post('/api/v1/update/status', { versionId: 1, status: ' ' });
    expect(blank.json().error).toMatch(/status must not be blank/);
  });

  const badQueries: Array<[string, string, RegExp]> = [
    ['page 0', 'page=0', /page must be at least 1/],
    ['page text', 'page=abc', /page must be an integer/],
    ['page fraction', 'page=1.5', /page must be an integer/],
    ['rangeLimit 0', 'rangeLimit=0', /rangeLimit must be at least 1/],
    ['rangeLimit 1001', 'rangeLimit=1001', /rangeLimit must be at most 1000/],
    ['rangeLimit negative', 'rangeLimit=-5', /rangeLimit must be at least 1/],
  ];
  it.each(badQueries)('environment read rejects %s', async (_name, query, message) => {
    const response = await t.app.inject({
      method: 'GET',
      url: `/api/v1/read/environment?workload=w&platform=p&environment=e&${query}`,
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().error).toMatch(message);
  });

  it('reads reject missing, blank and NUL parameters with 400', async () => {
    const cases: Array<[string, RegExp]> = [
      ['/api/v1/read/environment?workload=w&platform=p', /environment is required/],
      ['/api/v1/read/platform?platform=p', /workload is required/],
      ['/api/v1/read/environment/latest?workload=%20&platform=p&environment=e', /workload must not be blank/],
      [
        '/api/v1/read/environment/latest/whatever?workload=w&platform=p%00&environment=e',
        /platform must not contain NUL/,
      ],
      ['/api/v1/read/raw?workload=w&platform=p&environment=e', /version is required/],
      ['/api/v1/read/raw/id', /versionId is required/],
      ['/api/v1/read/raw/id?versionId=x', /versionId must be a positive integer/],
      ['/api/v1/read/platform?workload=w&platform=' + 'p'.repeat(101), /platform must be at most 100/],
      // The optional name filters follow the same rules as the required names (one module checks both).
      ['/api/v1/read/matrix?workload=w%00', /workload must not contain NUL/],
      ['/api/v1/stats/dora?environment=%00e', /environment must not contain NUL/],
      ['/api/v1/stats/dora?platform=' + 'p'.repeat(101), /platform must be at most 100 characters/],
      ['/api/v1/deployments?deployer=d%00', /deployer must not contain NUL/],
    ];
    for (const [url, message] of cases) {
      const response = await t.app.inject({ method: 'GET', url });
      expect(response.statusCode, url).toBe(400);
      expect(response.json().error, url).toMatch(message);
    }
  });

  it('answers unknown API paths with a JSON 404', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/api/v1/nope?x=1' });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toEqual({ error: 'no such endpoint: GET /api/v1/nope' });
  });

  it('accepts the edges: 100 characters after trimming, 100 emoji, SQL-looking text, unicode', async () => {
    const edges: Array<typeof valid & { raw?: string; status?: string }> = [
      { ...valid, workload: `  ${'x'.repeat(100)}  ` },
      { ...valid, platform: `\t${'p'.repeat(100)}\n`, status: ` ${'S'.repeat(100)} ` },
      { ...valid, workload: '🚀'.repeat(100) },
      { ...valid, version: "'; DROP TABLE versions; --", raw: "' OR 1=1 --" },
      { ...valid, environment: 'Ωmega-環境-😀', status: 'DÉPLOYÉ' },
      { ...valid, raw: 'x'.repeat(60_000) },
    ];
    for (const payload of edges) {
      const response = await post('/api/v1/create', payload);
      expect(response.statusCode, JSON.stringify(payload).slice(0, 80)).toBe(201);
      const row = (
        await t.app.inject({
          method: 'GET',
          url: `/api/v1/read/raw/id?versionId=${response.json().versionId}`,
        })
      ).json();
      expect(row.workload).toBe(payload.workload.trim());
      expect(row.version).toBe(payload.version);
      expect(row.environment).toBe(payload.environment);
      if (payload.raw) expect(row.raw).toBe(payload.raw);
      if (payload.status) expect(row.status).toBe(payload.status.trim().toLowerCase());
    }
  });
});
