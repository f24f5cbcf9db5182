// Deployments that know their change (issue 12): recording commit, ref, repository, deployer, links,
// description and changes; named tokens; whole deployments, the current one, comparisons; bad input.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeploymentEvent } from '../../src/events/deployment-events.js';
import { DeploymentEvents } from '../../src/events/deployment-events.js';
import { DIALECTS } from '../helpers/databases.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';

const SHA = (n: number) => n.toString(16).padStart(40, 'a');
const WRITER = { authorization: 'Bearer s3cret-ci' };

describe.each(DIALECTS)('deployment details on %s', (dialect) => {
  let t: TestApp;
  const events: DeploymentEvent[] = [];
  beforeAll(async () => {
    const bus = new DeploymentEvents();
    bus.subscribe((event) => events.push(event));
    t = await createTestApp(dialect, {
      env: { APP_API_TOKENS: 'ci-pipeline:s3cret-ci,plain-token' },
      deps: { events: bus },
    });
  });
  afterAll(() => t?.close());

  const create = (payload: Record<string, unknown>, headers: Record<string, string> = WRITER) =>
    t.app.inject({ method: 'POST', url: '/api/v1/create', payload, headers });
  const get = (url: string, query?: Record<string, string>) =>
    t.app.inject({ method: 'GET', url: `/api/v1${url}`, query });
  const base = { workload: 'shop', platform: 'staging', environment: 'eu', version: '1.0.0' };

  it('records every field and answers the whole deployment', async () => {
    const created = await create({
      ...base,
      status: 'ongoing',
      commit: SHA(1).toUpperCase(),
      ref: 'main',
      repository: 'https://github.com/acme/shop',
      deployer: 'ada',
      logURL: 'https://ci.example.com/runs/1',
      environmentURL: 'https://staging.shop.example.com',
      description: 'First release',
      changes: [
        { commit: SHA(1), committedAt: '2026-11-30T10:00:00+01:00', title: 'Add cart', author: 'Ada' },
        { commit: SHA(2), committedAt: '2026-11-29T08:00:00Z' },
      ],
    });
    expect(created.statusCode, created.body).toBe(201);
    const { versionId } = created.json();
    const updated = await t.app.inject({
      method: 'POST',
      url: '/api/v1/update/status',
      headers: WRITER,
      payload: {
        versionId,
        status: 'failed',
        description: 'Smoke test failed',
        logURL: 'https://ci.example.com/runs/2',
      },
    });
    expect(updated.statusCode, updated.body).toBe(200);

    const whole = await get(`/deployments/${versionId}`);
    expect(whole.statusCode, whole.body).toBe(200);
    const body = whole.json();
    expect(body).toMatchObject({
      versions_id: versionId,
      ...base,
      status: 'failed',
      changelog_url: 'N/A',
      raw: 'N/A',
      commit: SHA(1),
      ref: 'main',
      repository: 'https://github.com/acme/shop',
      deployer: 'ada',
      logURL: 'https://ci.example.com/runs/2',
      environmentURL: 'https://staging.shop.example.com',
      description: 'Smoke test failed',
      changes: [
        { commit: SHA(1), committedAt: '2026-11-30T09:00:00.000Z', title: 'Add cart', author: 'Ada' },
        { commit: SHA(2), committedAt: '2026-11-29T08:00:00.000Z', title: null, author: null },
      ],
    });
    expect(body.history).toHaveLength(2);
    expect(body.history[0]).toMatchObject({ status: 'ongoing', setBy: 'ci-pipeline' });
    expect(body.history[1]).toMatchObject({
      status: 'failed',
      setBy: 'ci-pipeline',
      description: 'Smoke test failed',
      logURL: 'https://ci.example.com/runs/2',
    });

    // The original's endpoints answer exactly as before: no new field in its row.
    const original = await get('/read/raw/id', { versionId: String(versionId) });
    expect(Object.keys(original.json()).sort()).toEqual(
      [
        'changelog_url',
        'date',
        'environment',
        'platform',
        'raw',
        'status',
        'version',
        'versions_id',
        'workload',
      ].sort(),
    );

    // Events carry the row and the new fields.
    const createdEvent = events.find(
      (event) => event.event === 'created' && event.deployment.versions_id === versionId,
    );
    expect(createdEvent?.deployment).toMatchObject({ commit: SHA(1), deployer: 'ada', ref: 'main' });
    expect((createdEvent?.deployment as unknown as { changes: unknown[] }).changes).toHaveLength(2);
    const statusEvent = events.find(
      (event) => event.event === 'status' && event.deployment.versions_id === versionId,
    );
    expect(statusEvent?.deployment).toMatchObject({
      status: 'failed',
      commit: SHA(1),
      logURL: 'https://ci.example.com/runs/2',
      description: 'Smoke test failed',
    });
  });

  it("takes the named token's name as deployer, and none from an unnamed token", async () => {
    const named = await create({ ...base, version: '1.0.1' });
    const [whole] = [await get(`/deployments/${named.json().versionId}`)];
    expect(whole.json()).toMatchObject({ deployer: 'ci-pipeline', commit: null, changes: [] });
    expect(whole.json().history[0].setBy).toBe('ci-pipeline');

    const plain = await create({ ...base, version: '1.0.2' }, { authorization: 'Bearer plain-token' });
    expect(plain.statusCode).toBe(201);
    const plainWhole = (await get(`/deployments/${plain.json().versionId}`)).json();
    expect(plainWhole).toMatchObject({ deployer: null, history: [{ setBy: null }] });
    // A named entry's token is its part after the colon, not the whole entry.
    expect((await create({ ...base }, { authorization: 'Bearer ci-pipeline:s3cret-ci' })).statusCode).toBe(
      401,
    );
  });

  it('answers the current deployment of an environment, whole, and 404 when none', async () => {
    const current = await get('/deployments/current', {
      workload: 'shop',
      platform: 'staging',
      environment: 'eu',
    });
    expect(current.statusCode, current.body).toBe(200);
    expect(current.json()).toMatchObject({ version: '1.0.2', status: 'deployed' });
    const none = await get('/deployments/current', {
      workload: 'shop',
      platform: 'nowhere',
      environment: 'eu',
    });
    expect(none.statusCode).toBe(404);
    expect(none.json().error).toMatch(/successful/);
    expect((await get('/deployments/999999')).statusCode).toBe(404);
    expect((await get('/deployments/abc')).statusCode).toBe(400);
  });

  it('answers the previous and next deployment of an environment by (date, id), ties included', async () => {
    const at = { workload: 'neighbours', platform: 'production', environment: 'eu' };
    const record = async (version: string, date: string, status = 'deployed', where = at) => {
      const created = await create({ ...where, version, date, status });
      expect(created.statusCode, created.body).toBe(201);
      return created.json().versionId as number;
    };
    const a = await record('1.0.0', '2026-11-01T10:00:00Z');
    const b = await record('1.2.0', '2026-11-01T12:00:00Z');
    // Two more at the very same instant: their ids order them after b.
    const c = await record('1.3.0', '2026-11-01T12:00:00Z', 'failed');
    const d = await record('1.4.0', '2026-11-01T12:00:00Z', 'ongoing');
    // Recorded last, dated between a and b (a backfill): its date places it, not its id.
    const e = await record('1.1.0', '2026-11-01T11:00:00Z');
    // Another environment of the workload, and another workload of the environment, in between: not neighbours.
    await record('9.9.9', '2026-11-01T11:30:00Z', 'deployed', { ...at, environment: 'us' });
    await record('8.8.8', '2026-11-01T11:30:00Z', 'deployed', { ...at, workload: 'elsewhere' });

    const order = [a, e, b, c, d];
    const versions = new Map([
      [a, '1.0.0'],
      [e, '1.1.0'],
      [b, '1.2.0'],
      [c, '1.3.0'],
      [d, '1.4.0'],
    ]);
    for (const [index, id] of order.entries()) {
      const answer = await get(`/deployments/${id}/neighbours`);
      expect(answer.statusCode, answer.body).toBe(200);
      const body = answer.json();
      const previous = order[index - 1];
      const next = order[index + 1];
      expect(body.previous?.versions_id ?? null, `previous of ${versions.get(id)}`).toBe(previous ?? null);
      expect(body.next?.versions_id ?? null, `next of ${versions.get(id)}`).toBe(next ?? null);
      if (previous) expect(body.previous.version).toBe(versions.get(previous));
      // The newest successful one runs there: b (c failed, d is still ongoing).
      expect(body.current).toMatchObject({ versions_id: b, version: '1.2.0', status: 'deployed' });
    }
    expect((await get(`/deployments/${c}/neighbours`)).json().next).toEqual({
      versions_id: d,
      version: '1.4.0',
      status: 'ongoing',
      date: '2026-11-01T12:00:00.000Z',
    });

    const missing = await get('/deployments/999999/neighbours');
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error).toContain('versionId');
    const bad = await get('/deployments/abc/neighbours');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error).toContain('versionId');
  });

  it('compares two environments: what the promotion would ship', async () => {
    const key = { workload: 'cmp', version: 'x' };
    const change = (n: number, day: number) => ({
      commit: SHA(100 + n),
      committedAt: `2026-11-${day}T00:00:00Z`,
      title: `c${n}`,
    });
    // staging got c1..c4 (c4 in a failed deployment only); production got c1 and, in a failed one, c2.
    await create({
      ...key,
      platform: 'staging',
      environment: 'eu',
      version: 's1',
      changes: [change(1, 10), change(2, 11)],
    });
    await create({
      ...key,
      platform: 'staging',
      environment: 'eu',
      version: 's2',
      changes: [change(3, 12), change(2, 11)],
    });
    await create({
      ...key,
      platform: 'staging',
      environment: 'eu',
      version: 's3',
      status: 'failed',
      changes: [change(4, 13)],
    });
    await create({
      ...key,
      platform: 'production',
      environment: 'eu',
      version: 'p1',
      changes: [change(1, 10)],
    });
    await create({
      ...key,
      platform: 'production',
      environment: 'eu',
      version: 'p2',
      status: 'failed',
      changes: [change(2, 11)],
    });

    const answer = await get('/compare', { workload: 'cmp', from: 'staging/eu', to: 'production/eu' });
    expect(answer.statusCode, answer.body).toBe(200);
    const body = answer.json();
    expect(body.from).toEqual({ platform: 'staging', environment: 'eu' });
    expect(body.changes.map((c: { title: string }) => c.title)).toEqual(['c3', 'c2']);
    expect(body.changes[1].versions.map((v: { version: string }) => v.version)).toEqual(['s1', 's2']);

    const back = await get('/compare', { workload: 'cmp', from: 'production/eu', to: 'staging/eu' });
    expect(back.json().changes).toEqual([]);

    for (const [query, field] of [
      [{ workload: 'cmp', from: 'staging', to: 'production/eu' }, 'from'],
      [{ workload: 'cmp', from: 'staging/eu', to: 'staging/eu' }, 'from and to'],
      [{ workload: 'cmp', from: 'staging/eu' }, 'to'],
      [{ from: 'staging/eu', to: 'production/eu' }, 'workload'],
      [{ workload: 'cmp', from: '/eu', to: 'production/eu' }, 'from'],
    ] as const) {
      const bad = await get('/compare', query as Record<string, string>);
      expect(bad.statusCode, JSON.stringify(query)).toBe(400);
      expect(bad.json().error).toContain(field);
    }
  });

  it('refuses bad input for every new field with a 4xx naming it, storing nothing', async () => {
    const before = (await get('/read/distinct/workloads')).body;
    const ok = { workload: 'bad', platform: 'p', environment: 'e', version: '1' };
    const change = { commit: SHA(7), committedAt: '2026-11-01T00:00:00Z' };
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ commit: 'xyz1234' }, 'commit'],
      [{ commit: 'abc12' }, 'commit'],
      [{ commit: 'a'.repeat(65) }, 'commit'],
      [{ commit: 1234567 }, 'commit'],
      [{ ref: 'r'.repeat(256) }, 'ref'],
      [{ ref: 'a\u0000b' }, 'ref'],
      [{ repository: 'git@github.com:acme/shop.git' }, 'repository'],
      [{ repository: 'javascript:alert(1)' }, 'repository'],
      [{ deployer: 'd'.repeat(101) }, 'deployer'],
      [{ deployer: ['ada'] }, 'deployer'],
      [{ logURL: 'ftp://ci.example.com/x' }, 'logURL'],
      [{ logURL: 'not a url' }, 'logURL'],
      [{ environmentURL: 'data:text/html,<b>x</b>' }, 'environmentURL'],
      [{ description: 'd'.repeat(1001) }, 'description'],
      [{ description: 42 }, 'description'],
      [{ changes: 'abc' }, 'changes'],
      [{ changes: {} }, 'changes'],
      [
        { changes: Array.from({ length: 1001 }, (_, i) => ({ ...change, commit: SHA(1000 + i) })) },
        'changes',
      ],
      [{ changes: [42] }, 'changes.0'],
      [{ changes: [{ committedAt: change.committedAt }] }, 'commit'],
      [{ changes: [{ commit: SHA(7) }] }, 'committedAt'],
      [{ changes: [{ ...change, commit: 'zz' }] }, 'changes.0.commit'],
      [{ changes: [{ ...change, committedAt: '2026-11-01 10:00' }] }, 'changes.0.committedAt'],
      [{ changes: [{ ...change, committedAt: '2026-11-01T10:00:00' }] }, 'changes.0.committedAt'],
      [{ changes: [{ ...change, title: 't'.repeat(501) }] }, 'changes.0.title'],
      [{ changes: [{ ...change, author: 'a'.repeat(101) }] }, 'changes.0.author'],
      [{ changes: [{ ...change, extra: 1 }] }, 'changes.0.extra'],
      [{ changes: [change, change] }, 'changes.1.commit'],
    ];
    for (const [fields, field] of cases) {
      const response = await create({ ...ok, ...fields });
      expect(response.statusCode, `${JSON.stringify(fields).slice(0, 80)}: ${response.body}`).toBe(400);
      expect(response.json().error, JSON.stringify(fields).slice(0, 80)).toContain(field);
    }
    // A form cannot carry changes.
    const form = await t.app.inject({
      method: 'POST',
      url: '/api/v1/create',
      headers: { ...WRITER, 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ ...ok, changes: JSON.stringify([change]) }).toString(),
    });
    expect(form.statusCode).toBe(400);
    expect(form.json().error).toContain('changes');
    expect((await get('/read/distinct/workloads')).body).toEqual(before);

    // Status updates: bad description and logURL are refused and change nothing.
    const { versionId } = (await create({ ...base, version: '9', status: 'ongoing' })).json();
    for (const [fields, field] of [
      [{ logURL: 'file:///etc/passwd' }, 'logURL'],
      [{ description: 'x'.repeat(1001) }, 'description'],
      [{ description: false }, 'description'],
    ] as const) {
      const response = await t.app.inject({
        method: 'POST',
        url: '/api/v1/update/status',
        headers: WRITER,
        payload: { versionId, status: 'deployed', ...fields },
      });
      expect(response.statusCode).toBe(400);
      expect(response.json().error).toContain(field);
    }
    const whole = (await get(`/deployments/${versionId}`)).json();
    expect(whole).toMatchObject({ status: 'ongoing', logURL: null, description: null });
    expect(whole.history).toHaveLength(1);
  });

  it('takes a form create with the new scalar fields', async () => {
    const form = await t.app.inject({
      method: 'POST',
      url: '/api/v1/create',
      headers: { ...WRITER, 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({
        ...base,
        version: 'form',
        commit: SHA(9),
        ref: 'v1',
        deployer: '',
      }).toString(),
    });
    expect(form.statusCode, form.body).toBe(201);
    expect((await get(`/deployments/${form.json().versionId}`)).json()).toMatchObject({
      commit: SHA(9),
      ref: 'v1',
      deployer: 'ci-pipeline',
    });
  });
});
