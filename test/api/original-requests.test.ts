// Requests shaped as the Go original's clients send them, replayed on every dialect: the seed README's curl
// lines, forms with unencoded `{'a': 'b'}` payloads, numeric versionIds in forms, and fields repeated by
// scripts that append them in a loop. Gin bound the first value of a repeated field; so does the rewrite.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../helpers/databases.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';

const FORM = 'application/x-www-form-urlencoded';

describe.each(DIALECTS)("the original's request shapes on %s", (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(dialect);
  });
  afterAll(() => t?.close());

  const post = (url: string, payload: string, contentType = FORM) =>
    t.app.inject({ method: 'POST', url, headers: { 'content-type': contentType }, payload });
  const get = (url: string) => t.app.inject({ method: 'GET', url });
  const postMultipart = async (url: string, form: FormData) => {
    // The platform's Response encodes a FormData exactly as curl -F and browsers do.
    const encoded = new Response(form);
    return t.app.inject({
      method: 'POST',
      url,
      headers: { 'content-type': encoded.headers.get('content-type')! },
      payload: Buffer.from(await encoded.arrayBuffer()),
    });
  };
  const row = async (versionId: number) => (await get(`/api/v1/read/raw/id?versionId=${versionId}`)).json();

  async function created(response: Awaited<ReturnType<typeof post>>): Promise<number> {
    expect(response.statusCode, response.body).toBe(201);
    return (response.json() as { versionId: number }).versionId;
  }

  it("stores a form's unencoded {'a': 'b'} raw as it was sent", async () => {
    const id = await created(
      await post(
        '/api/v1/create',
        "version=1.0.0&workload=teamX&environment=production&platform=production&changelogURL=&raw={'a': 'b'}&status=ongoing",
      ),
    );
    expect(await row(id)).toMatchObject({
      workload: 'teamX',
      platform: 'production',
      environment: 'production',
      version: '1.0.0',
      raw: "{'a': 'b'}",
      status: 'ongoing',
    });
    const raw = await get(
      '/api/v1/read/raw?workload=teamX&platform=production&environment=production&version=1.0.0',
    );
    expect(raw.json()).toEqual({ raw: "{'a': 'b'}" });
  });

  it('takes the first value of a repeated form field and ignores the rest', async () => {
    const id = await created(
      await post(
        '/api/v1/create',
        'version=2.0.0&workload=loop&platform=a&environment=b&status=ongoing&platform=c&environment=d&status=failed&raw=first&raw=second',
      ),
    );
    expect(await row(id)).toMatchObject({
      workload: 'loop',
      platform: 'a',
      environment: 'b',
      version: '2.0.0',
      status: 'ongoing',
      raw: 'first',
    });
  });

  it('takes a numeric versionId from a form, repeated fields too', async () => {
    const id = await created(await post('/api/v1/create', 'version=3&workload=w&platform=p&environment=e'));
    const update = await post('/api/v1/update/status', `versionId=${id}&status=Deployed&status=failed`);
    expect(update.statusCode, update.body).toBe(200);
    expect(update.json()).toBe('OK');
    expect((await row(id)).status).toBe('deployed');
    const repeatedId = await post(
      '/api/v1/update/status',
      `versionId=${id}&versionId=999999&status=completed`,
    );
    expect(repeatedId.statusCode, repeatedId.body).toBe(200);
    expect((await row(id)).status).toBe('completed');
    // Go's strconv.ParseInt took a sign.
    const signed = await post('/api/v1/update/status', `versionId=%2B${id}&status=ongoing`);
    expect(signed.statusCode, signed.body).toBe(200);
    expect((await get(`/api/v1/read/raw/id?versionId=%2B${id}`)).json()).toMatchObject({ status: 'ongoing' });
  });

  it("accepts the seed README's JSON shapes (versionId as a string)", async () => {
    const id = await created(
      await post(
        '/api/v1/create',
        '{"version": "1.1.0","workload": "teamY", "environment":"production", "platform": "production", "changelogURL": "", "raw": "{\\"a\\":\\"b\\"}", "status": "ongoing"}',
        'application/json',
      ),
    );
    const update = await post(
      '/api/v1/update/status',
      `{"versionId": "${id}","status": "deployed"}`,
      'application/json',
    );
    expect(update.statusCode, update.body).toBe(200);
    expect(await row(id)).toMatchObject({ raw: '{"a":"b"}', status: 'deployed', changelog_url: 'N/A' });
  });

  it("matches JSON keys whatever their case, as Go's encoding/json did (a Go struct without json tags)", async () => {
    const id = await created(
      await post(
        '/api/v1/create',
        JSON.stringify({
          Workload: 'gostruct',
          PLATFORM: 'p',
          Environment: 'e',
          version: 'ignored',
          Version: '8.0.0',
          ChangelogURL: 'https://example.com/8',
          Raw: '{}',
          Status: 'Ongoing',
          Unknown: 'ignored',
        }),
        'application/json',
      ),
    );
    expect(await row(id)).toMatchObject({
      workload: 'gostruct',
      platform: 'p',
      environment: 'e',
      version: '8.0.0',
      changelog_url: 'https://example.com/8',
      raw: '{}',
      status: 'ongoing',
    });
    const update = await post(
      '/api/v1/update/status',
      JSON.stringify({ VersionId: id, STATUS: 'Deployed' }),
      'application/json',
    );
    expect(update.statusCode, update.body).toBe(200);
    expect((await row(id)).status).toBe('deployed');
  });

  it('takes the first value of a repeated query field on every read', async () => {
    const twice = (query: string) => `${query}&workload=nobody&platform=nowhere&environment=none&version=0`;
    const base = 'workload=loop&platform=a&environment=b';
    const page = await get(
      `/api/v1/read/environment?${twice(base)}&page=1&page=7&rangeLimit=10&rangeLimit=0`,
    );
    expect(page.statusCode, page.body).toBe(200);
    expect(page.json()).toHaveLength(1);
    expect(page.json()[0]).toMatchObject({ version: '2.0.0', total: 1 });

    const platform = await get(`/api/v1/read/platform?${twice('workload=loop&platform=a')}`);
    expect(platform.statusCode, platform.body).toBe(200);
    expect(platform.json()[0]).toMatchObject({ version: '2.0.0' });

    const raw = await get(`/api/v1/read/raw?${twice(`${base}&version=2.0.0`)}`);
    expect(raw.statusCode, raw.body).toBe(200);
    expect(raw.json()).toEqual({ raw: 'first' });

    const whatever = await get(`/api/v1/read/environment/latest/whatever?${twice(base)}`);
    expect(whatever.json()).toEqual({ version: '2.0.0' });
    const latest = await get(`/api/v1/read/environment/latest?${twice(base)}`);
    expect(latest.statusCode).toBe(404);

    const id = page.json()[0].versions_id as number;
    const byId = await get(`/api/v1/read/raw/id?versionId=${id}&versionId=abc`);
    expect(byId.statusCode, byId.body).toBe(200);
    expect(byId.json()).toMatchObject({ versions_id: id });
    const history = await get(`/api/v1/read/history?versionId=${id}&versionId=0`);
    expect(history.statusCode, history.body).toBe(200);
    const matrix = await get('/api/v1/read/matrix?workload=loop&workload=teamX');
    expect(matrix.statusCode, matrix.body).toBe(200);
    expect(matrix.json().map((entry: { workload: string }) => entry.workload)).toEqual(['loop']);
  });

  it('still answers 400 when the first value is the bad one', async () => {
    const bad = await get(
      '/api/v1/read/environment?workload=loop&platform=a&environment=b&rangeLimit=0&rangeLimit=10',
    );
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error).toMatch(/rangeLimit/);
    const blank = await post('/api/v1/create', 'version=4&workload=&workload=w&platform=p&environment=e');
    expect(blank.statusCode).toBe(400);
    expect(blank.json().error).toMatch(/workload/);
  });

  it("takes a POST's fields from the query string too, unless the body is JSON (as Gin's form binding)", async () => {
    const bare = await t.app.inject({
      method: 'POST',
      url: '/api/v1/create?workload=query&platform=p&environment=e&version=5&status=ongoing',
    });
    const id = await created(bare);
    expect(await row(id)).toMatchObject({ workload: 'query', version: '5', status: 'ongoing' });

    const update = await t.app.inject({
      method: 'POST',
      url: `/api/v1/update/status?versionId=${id}&status=failed`,
    });
    expect(update.statusCode, update.body).toBe(200);
    expect((await row(id)).status).toBe('failed');

    // The body's fields come first, then the query string's.
    const mixed = await created(
      await post(
        '/api/v1/create?workload=query&status=completed&version=0',
        'workload=body&platform=p&environment=e&version=6',
      ),
    );
    expect(await row(mixed)).toMatchObject({ workload: 'body', version: '6', status: 'completed' });

    const json = await post(
      '/api/v1/create?workload=query',
      JSON.stringify({ platform: 'p', environment: 'e', version: '7' }),
      'application/json',
    );
    expect(json.statusCode).toBe(400);
    expect(json.json().error).toMatch(/workload is required/);
  });

  it('binds a multipart form (curl -F) like a form: first values, files ignored', async () => {
    const form = new FormData();
    for (const [name, value] of [
      ['workload', 'multipart'],
      ['platform', 'p'],
      ['environment', 'e'],
      ['version', '9.0.0'],
      ['platform', 'ignored'],
      ['raw', "{'a': 'b'}"],
      ['status', 'Ongoing'],
    ]) {
      form.append(name!, value!);
    }
    form.append('changelogURL', new Blob(['a file, ignored as Gin ignored it']), 'notes.txt');
    const id = await created(await postMultipart('/api/v1/create?workload=query', form));
    expect(await row(id)).toMatchObject({
      workload: 'multipart',
      platform: 'p',
      version: '9.0.0',
      raw: "{'a': 'b'}",
      status: 'ongoing',
      changelog_url: 'N/A',
    });
    const update = new FormData();
    update.append('versionId', String(id));
    update.append('status', 'deployed');
    const updated = await postMultipart('/api/v1/update/status', update);
    expect(updated.statusCode, updated.body).toBe(200);
    expect((await row(id)).status).toBe('deployed');
  });

  it('answers 413 to a multipart form over the body limit, and 400 to a missing field', async () => {
    const huge = new FormData();
    for (const name of ['workload', 'platform', 'environment', 'version']) huge.append(name, 'x');
    huge.append('raw', 'r'.repeat(t.config.bodyLimit + 1));
    const response = await postMultipart('/api/v1/create', huge);
    expect(response.statusCode, response.body).toBe(413);
    expect(response.json().error).toMatch(/APP_BODY_LIMIT/);
    const missing = new FormData();
    missing.append('workload', 'x');
    const bad = await postMultipart('/api/v1/create', missing);
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error).toMatch(/is required/);
  });

  it("answers at the later original's addresses, under /api/v1/versions", async () => {
    // The original README's own lines, from the releases that grouped the API under /api/v1/versions.
    const id = await created(
      await post(
        '/api/v1/versions/create',
        'version=1.1.0&workload=later&environment=production&platform=production&changelogURL=https://jsonplaceholder.typicode.com/&raw=rawContent&status=ongoing',
      ),
    );
    const update = await post(
      '/api/v1/versions/update/status',
      JSON.stringify({ versionId: String(id), status: 'deployed' }),
      'application/json',
    );
    expect(update.statusCode, update.body).toBe(200);
    const query = 'workload=later&platform=production&environment=production';
    expect((await get(`/api/v1/versions/read/environment/latest?${query}`)).json()).toEqual({
      version: '1.1.0',
    });
    expect((await get(`/api/v1/versions/read/environment/latest/whatever?${query}`)).json()).toEqual({
      version: '1.1.0',
    });
    expect((await get(`/api/v1/versions/read/raw/id?versionId=${id}`)).json()).toMatchObject({
      changelog_url: 'https://jsonplaceholder.typicode.com/',
      raw: 'rawContent',
      status: 'deployed',
    });
    expect((await get(`/api/v1/versions/read/environment?${query}`)).statusCode).toBe(200);
    expect((await get('/api/v1/versions/read/platform?workload=later&platform=production')).statusCode).toBe(
      200,
    );
    expect((await get('/api/v1/versions/read/home')).statusCode).toBe(200);
    expect((await get('/api/v1/versions/read/distinct/workloads')).statusCode).toBe(200);
    expect((await get('/api/v1/versions/stats/latest')).statusCode).toBe(200);
    expect((await get('/api/v1/versions/health')).json()).toEqual({ health: 'OK' });
    expect((await get('/api/v1/versions/healthz/')).statusCode).toBe(200);
    // Only the original's endpoints: what the rewrite added stays under /api/v1 alone.
    expect((await get(`/api/v1/versions/read/history?versionId=${id}`)).statusCode).toBe(404);
    expect((await get('/api/v1/versions/openapi.json')).statusCode).toBe(404);
  });

  it('keeps a JSON array where a string belongs a 400, and stores nothing', async () => {
    const before = (await get('/api/v1/read/home')).json().length as number;
    const response = await post(
      '/api/v1/create',
      JSON.stringify({ workload: ['a', 'b'], platform: 'p', environment: 'e', version: '1' }),
      'application/json',
    );
    expect(response.statusCode).toBe(400);
    expect(response.json().error).toMatch(/workload must be a string/);
    const update = await post(
      '/api/v1/update/status',
      JSON.stringify({ versionId: 1, status: ['deployed'] }),
      'application/json',
    );
    expect(update.statusCode).toBe(400);
    expect(update.json().error).toMatch(/status/);
    expect((await get('/api/v1/read/home')).json()).toHaveLength(before);
  });
});
