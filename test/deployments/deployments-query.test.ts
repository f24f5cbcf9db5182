// GET /deployments (filters, keyset cursor, Link, CSV and NDJSON exports), DELETE /deployments/{versionId}
// and GET /audit, on every dialect.
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeploymentEvent } from '../../src/events/deployment-events.js';
import { DeploymentEvents } from '../../src/events/deployment-events.js';
import { parseFilter } from '../../src/deployments/deployments-query.js';
import { DeploymentsQueryStore } from '../../src/store/deployments-query.store.js';
import { DIALECTS } from '../helpers/databases.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';

const DAY = 24 * 3600 * 1000;
/** Every row of the fixture is dated from here on, a day apart, oldest first. */
const START = Date.parse('2025-01-01T12:00:00.000Z');
const STATUSES = ['deployed', 'failed', 'completed', 'ongoing'];
const ENVIRONMENTS = [
  ['teamA', 'production', 'eu'],
  ['teamA', 'production', 'us'],
  ['teamA', 'staging', 'eu'],
  ['teamB', 'production', 'eu'],
];

const DETAILS = [
  'commit',
  'ref',
  'repository',
  'deployer',
  'logURL',
  'environmentURL',
  'description',
] as const;

interface Row {
  versions_id: number;
  workload: string;
  platform: string;
  environment: string;
  version: string;
  changelog_url: string;
  status: string;
  date: string;
  raw?: string;
  commit: string | null;
  deployer: string | null;
  description: string | null;
  history: Array<{ status: string }>;
  changes: Array<{ commit: string }>;
}

/** A page's item as exports write it: the row and its details, without changes and history. */
function flat(row: Row): Record<string, unknown> {
  const rest: Partial<Row> = { ...row };
  delete rest.history;
  delete rest.changes;
  return rest;
}

describe.each(DIALECTS)('GET /deployments on %s', (dialect) => {
  let t: TestApp;
  const events: DeploymentEvent[] = [];
  /** The fixture as the API should answer it, newest first. */
  let fixture: Row[] = [];

  const get = (query: Record<string, string>, headers: Record<string, string> = {}) =>
    t.app.inject({ method: 'GET', url: '/api/v1/deployments', query, headers });
  const list = async (query: Record<string, string>): Promise<Row[]> => {
    const response = await get({ limit: '1000', ...query });
    expect(response.statusCode, response.body).toBe(200);
    return response.json().items;
  };
  const create = async (payload: Record<string, unknown>): Promise<number> => {
    const response = await t.app.inject({ method: 'POST', url: '/api/v1/create', payload });
    expect(response.statusCode, response.body).toBe(201);
    return response.json().versionId;
  };

  beforeAll(async () => {
    const bus = new DeploymentEvents();
    bus.subscribe((event) => events.push(event));
    t = await createTestApp(dialect, { deps: { events: bus } });
    // 40 deployments, a day apart, round the environments and statuses; two share an instant (ordered by id).
    for (let index = 0; index < 40; index++) {
      const [workload, platform, environment] = ENVIRONMENTS[index % ENVIRONMENTS.length] ?? [];
      const date = new Date(START + (index === 21 ? 20 : index) * DAY).toISOString();
      await create({
        workload,
        platform,
        environment,
        version: `${Math.floor(index / 10) + 1}.${index % 10}.0`,
        status: STATUSES[index % STATUSES.length],
        changelogURL: `https://example.com/${index}`,
        raw: `{"index":${index}}`,
        date,
        ...(index % 5 === 0
          ? {
              commit: `${index % 2 === 0 ? 'abc' : 'def'}${String(index).padStart(4, '0')}`,
              deployer: index % 10 === 0 ? 'ada' : 'grace',
              description: `Release ${index}: Hotfix for login`,
            }
          : {}),
      });
    }
    const all = (await get({ limit: '1000' })).json().items as Row[];
    fixture = all;
  });
  afterAll(() => t?.close());

  it('answers every deployment newest first (date, then id), whole but without raw', async () => {
    expect(fixture).toHaveLength(40);
    const sorted = [...fixture].sort((a, b) => b.date.localeCompare(a.date) || b.versions_id - a.versions_id);
    expect(fixture).toEqual(sorted);
    expect(fixture[0]).not.toHaveProperty('raw');
    expect(fixture[0]).toMatchObject({ workload: expect.any(String), changelog_url: expect.any(String) });
    // Whole deployments: details, changes and status history, as GET /deployments/{versionId} answers them.
    const withCommit = fixture.find((row) => row.commit !== null);
    expect(withCommit).toMatchObject({
      deployer: expect.any(String),
      changes: [],
      history: [{ status: expect.any(String) }],
    });
    for (const field of DETAILS) expect(fixture[1]).toHaveProperty(field);
    const withRaw = await list({ include: 'raw', limit: '2' });
    expect(withRaw[0]?.raw).toMatch(/^\{"index":\d+\}$/);
  });

  it('filters by each field and by any combination of them', async () => {
    const expectFiltered = async (query: Record<string, string>, keep: (row: Row) => boolean) => {
      const expected = fixture.filter(keep);
      expect(expected.length, JSON.stringify(query)).toBeGreaterThan(0);
      expect(await list(query), JSON.stringify(query)).toEqual(expected);
    };
    await expectFiltered({ workload: 'teamA' }, (row) => row.workload === 'teamA');
    await expectFiltered(
      { workload: 'teamA', platform: 'production' },
      (row) => row.workload === 'teamA' && row.platform === 'production',
    );
    await expectFiltered(
      { workload: 'teamA', platform: 'production', environment: 'eu' },
      (row) => row.workload === 'teamA' && row.platform === 'production' && row.environment === 'eu',
    );
    await expectFiltered({ environment: 'eu' }, (row) => row.environment === 'eu');
    await expectFiltered({ status: 'failed' }, (row) => row.status === 'failed');
    await expectFiltered({ status: 'Failed, ongoing' }, (row) => ['failed', 'ongoing'].includes(row.status));
    await expectFiltered({ status: 'successful' }, (row) => ['deployed', 'completed'].includes(row.status));
    await expectFiltered({ version: '2.3.0' }, (row) => row.version === '2.3.0');
    await expectFiltered({ version: '3.*' }, (row) => row.version.startsWith('3.'));
    await expectFiltered({ q: '.5.' }, (row) => row.version.includes('.5.'));
    const from = new Date(START + 10 * DAY).toISOString();
    const to = new Date(START + 20 * DAY).toISOString();
    await expectFiltered({ from, to }, (row) => row.date >= from && row.date <= to);
    await expectFiltered({ from: from.replace('Z', '+00:00') }, (row) => row.date >= from);
    await expectFiltered(
      { workload: 'teamA', platform: 'production', environment: 'eu', status: 'successful', from },
      (row) =>
        row.workload === 'teamA' &&
        row.platform === 'production' &&
        row.environment === 'eu' &&
        ['deployed', 'completed'].includes(row.status) &&
        row.date >= from,
    );
    await expectFiltered(
      { workload: 'teamA', platform: 'staging', version: '1.*', status: 'completed' },
      (row) =>
        row.workload === 'teamA' &&
        row.platform === 'staging' &&
        row.version.startsWith('1.') &&
        row.status === 'completed',
    );
    await expectFiltered({ commit: 'ABC' }, (row) => row.commit?.startsWith('abc') === true);
    await expectFiltered({ commit: 'def0015' }, (row) => row.commit === 'def0015');
    await expectFiltered({ deployer: 'ada' }, (row) => row.deployer === 'ada');
    await expectFiltered({ q: 'hotFIX' }, (row) => row.description?.includes('Hotfix') === true);
    await expectFiltered({ q: 'f001' }, (row) => row.commit?.includes('f001') === true);
    await expectFiltered(
      { deployer: 'grace', status: 'deployed,failed', workload: 'teamA' },
      (row) =>
        row.deployer === 'grace' && ['deployed', 'failed'].includes(row.status) && row.workload === 'teamA',
    );
    expect(await list({ workload: 'nobody' })).toEqual([]);
  });

  it('takes the wildcards of SQL literally in q and version', async () => {
    const id = await create({ workload: 'wild', platform: 'p', environment: 'e', version: '50%_off!' });
    try {
      expect((await list({ q: '%' })).map((row) => row.versions_id)).toEqual([id]);
      expect((await list({ q: '_OFF' })).map((row) => row.versions_id)).toEqual([id]);
      expect((await list({ q: '!' })).map((row) => row.versions_id)).toEqual([id]);
      expect((await list({ version: '50%*' })).map((row) => row.versions_id)).toEqual([id]);
      expect(await list({ version: '5_%*' })).toEqual([]);
      // A prefix is compared as it is written, on every database (SQLite's LIKE alone would ignore case).
      const environment = { workload: 'wild', platform: 'p', environment: 'e' };
      expect((await list({ version: '50%_OFF*' })).map((row) => row.versions_id)).toEqual([]);
      expect((await list({ ...environment, version: '50%_OFF*' })).map((row) => row.versions_id)).toEqual([]);
      expect((await list({ ...environment, version: '50%_o*' })).map((row) => row.versions_id)).toEqual([id]);
    } finally {
      await t.app.inject({ method: 'DELETE', url: `/api/v1/deployments/${id}` });
    }
  });

  it('pages by cursor with a Link header; the pages together are the whole answer', async () => {
    const seen: Row[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const response = await get({ status: 'successful', limit: '3', ...(cursor ? { cursor } : {}) });
      expect(response.statusCode, response.body).toBe(200);
      const body = response.json() as { items: Row[]; nextCursor: string | null };
      seen.push(...body.items);
      if (body.nextCursor) {
        expect(response.headers.link).toBe(
          `</api/v1/deployments?status=successful&limit=3&cursor=${body.nextCursor}>; rel="next"`,
        );
      } else {
        expect(response.headers.link).toBeUndefined();
      }
      cursor = body.nextCursor;
      pages++;
    } while (cursor);
    const expected = fixture.filter((row) => ['deployed', 'completed'].includes(row.status));
    expect(seen).toEqual(expected);
    expect(pages).toBe(Math.ceil(expected.length / 3));
  });

  it('returns every row exactly once to a walk with rows inserted meanwhile', async () => {
    const before = fixture.map((row) => row.versions_id);
    const seen: number[] = [];
    const inserted: Array<Promise<number>> = [];
    let cursor: string | null = null;
    let index = 0;
    do {
      // Between pages: a new deployment now, and a backfill older than the whole fixture.
      inserted.push(create({ workload: 'walk', platform: 'p', environment: 'e', version: `new-${index}` }));
      inserted.push(
        create({
          workload: 'walk',
          platform: 'p',
          environment: 'e',
          version: `old-${index}`,
          date: new Date(START - (index + 1) * DAY).toISOString(),
        }),
      );
      const response = await get({ limit: '4', ...(cursor ? { cursor } : {}) });
      const body = response.json() as { items: Row[]; nextCursor: string | null };
      seen.push(...body.items.map((row) => row.versions_id));
      cursor = body.nextCursor;
      index++;
    } while (cursor);
    const created = await Promise.all(inserted);
    expect(new Set(seen).size).toBe(seen.length);
    for (const id of before) expect(seen).toContain(id);
    for (const id of seen) expect([...before, ...created]).toContain(id);
    for (const id of created) await t.app.inject({ method: 'DELETE', url: `/api/v1/deployments/${id}` });
  });

  describe('a busy environment: statuses and version prefixes, rare or common, page by page', () => {
    // 240 deployments a minute apart in one environment, oldest first, every 50th sharing the instant of the
    // one before (ordered by id). `failed` and the `0.` versions are rare and old, as a status or a release
    // line no longer seen; `1.` is every other version; `1.1` a tenth of them here and there.
    const busy = { workload: 'busy', platform: 'p', environment: 'e' };
    const BUSY_START = Date.parse('2024-06-01T00:00:00.000Z');
    let rows: Array<{ versions_id: number; version: string; status: string; date: string }> = [];

    beforeAll(async () => {
      const db = t.storeDatabase.db;
      const values = Array.from({ length: 240 }, (_, i) => ({
        ...busy,
        version: i < 15 ? `0.${i}.0` : `1.${i % 20}.${i}`,
        changelog_url: '',
        raw: '{}',
        status: i < 10 ? 'failed' : i % 7 === 0 ? 'ongoing' : i % 3 === 0 ? 'completed' : 'deployed',
        date: t.storeDatabase.sql.toDbDate(new Date(BUSY_START + (i % 50 === 1 ? i - 1 : i) * 60_000)),
      }));
      await db.insertInto('versions').values(values).execute();
      const all = (await get({ ...busy, limit: '1000' })).json().items as Row[];
      rows = all.map(({ versions_id, version, status, date }) => ({ versions_id, version, status, date }));
      expect(rows).toHaveLength(240);
    });
    afterAll(() => t.storeDatabase.db.deleteFrom('versions').where('workload', '=', busy.workload).execute());

    const from = new Date(BUSY_START + 30 * 60_000).toISOString();
    const to = new Date(BUSY_START + 200 * 60_000).toISOString();
    const successful = ['deployed', 'completed'];
    const CASES: Array<[Record<string, string>, (row: (typeof rows)[number]) => boolean]> = [
      [{ status: 'failed' }, (row) => row.status === 'failed'],
      [{ status: 'ongoing' }, (row) => row.status === 'ongoing'],
      [{ status: 'failed,ongoing' }, (row) => ['failed', 'ongoing'].includes(row.status)],
      [{ status: 'successful' }, (row) => successful.includes(row.status)],
      [
        { status: 'successful', from, to },
        (row) => successful.includes(row.status) && row.date >= from && row.date <= to,
      ],
      [{ status: 'queued' }, () => false],
      [{ version: '0.*' }, (row) => row.version.startsWith('0.')],
      [{ version: '1.*' }, (row) => row.version.startsWith('1.')],
      [{ version: '1.1*' }, (row) => row.version.startsWith('1.1')],
      [{ version: '1.13.*' }, (row) => row.version.startsWith('1.13.')],
      [{ version: '1.13.33' }, (row) => row.version === '1.13.33'],
      [
        { version: '0.*', status: 'failed' },
        (row) => row.version.startsWith('0.') && row.status === 'failed',
      ],
      [
        { version: '1.*', status: 'successful', from, to },
        (row) =>
          row.version.startsWith('1.') &&
          successful.includes(row.status) &&
          row.date >= from &&
          row.date <= to,
      ],
    ];

    it.each(CASES)('%j: the pages together are the answer, each row once', async (query, keep) => {
      const expected = rows.filter(keep).map((row) => row.versions_id);
      expect(
        (await list({ ...busy, ...query })).map((row) => row.versions_id),
        'one page',
      ).toEqual(expected);
      // Small pages: the walk of a version prefix is 20 × 3 rows long, shorter than the environment.
      for (const limit of ['2', '7']) {
        const seen: number[] = [];
        let cursor: string | null = null;
        do {
          const response = await get({ ...busy, ...query, limit, ...(cursor ? { cursor } : {}) });
          expect(response.statusCode, response.body).toBe(200);
          const body = response.json() as { items: Row[]; nextCursor: string | null };
          expect(body.items.length).toBeLessThanOrEqual(Number(limit));
          seen.push(...body.items.map((row) => row.versions_id));
          cursor = body.nextCursor;
        } while (cursor);
        expect(seen, `limit ${limit}`).toEqual(expected);
      }
      // An export reads the same way, a batch at a time (here of 3 rows).
      const store = new DeploymentsQueryStore(t.storeDatabase);
      const exported: number[] = [];
      for await (const batch of store.batches(parseFilter({ ...busy, ...query }), undefined, false, 3)) {
        exported.push(...batch.map((row) => row.versions_id));
      }
      expect(exported, 'export').toEqual(expected);
    });

    it('returns every row of a rare prefix exactly once to a walk with rows inserted meanwhile', async () => {
      const before = rows.filter((row) => row.version.startsWith('0.')).map((row) => row.versions_id);
      const seen: number[] = [];
      const inserted: Array<Promise<number>> = [];
      let cursor: string | null = null;
      let index = 0;
      do {
        // Between pages: a newer match, and a backfill older than every row of the environment.
        inserted.push(create({ ...busy, version: `0.new.${index}` }));
        inserted.push(
          create({
            ...busy,
            version: `0.old.${index}`,
            date: new Date(BUSY_START - (index + 1) * 60_000).toISOString(),
          }),
        );
        const response = await get({ ...busy, version: '0.*', limit: '2', ...(cursor ? { cursor } : {}) });
        const body = response.json() as { items: Row[]; nextCursor: string | null };
        seen.push(...body.items.map((row) => row.versions_id));
        cursor = body.nextCursor;
        index++;
      } while (cursor);
      const created = await Promise.all(inserted);
      expect(new Set(seen).size).toBe(seen.length);
      for (const id of before) expect(seen).toContain(id);
      for (const id of seen) expect([...before, ...created]).toContain(id);
      for (const id of created) await t.app.inject({ method: 'DELETE', url: `/api/v1/deployments/${id}` });
    });
  });

  it('exports every matching row as CSV that a CSV parser reads back as the rows', async () => {
    const tricky = await create({
      workload: 'export',
      platform: 'p',
      environment: 'e',
      version: '=HYPERLINK("http://evil")',
      status: '@failed',
      changelogURL: '-1+1',
      raw: 'line one\r\nline "two", three',
    });
    try {
      const response = await get({ format: 'csv', include: 'raw' });
      expect(response.statusCode, response.body).toBe(200);
      expect(response.headers['content-type']).toBe('text/csv; charset=utf-8');
      expect(response.headers['content-disposition']).toBe('attachment; filename="deployments.csv"');
      const records = parse(response.body, { columns: true }) as Array<Record<string, string>>;
      const rows = await list({ include: 'raw' });
      expect(records).toHaveLength(rows.length);
      const neutralised = (value: unknown) => {
        const text = value === null ? '' : String(value);
        return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
      };
      expect(records).toEqual(
        rows.map((row) =>
          Object.fromEntries(Object.entries(flat(row)).map(([key, value]) => [key, neutralised(value)])),
        ),
      );
      const exported = records.find((record) => record.versions_id === String(tricky));
      expect(exported).toMatchObject({
        version: `'=HYPERLINK("http://evil")`,
        status: "'@failed",
        changelog_url: "'-1+1",
        raw: 'line one\r\nline "two", three',
      });
      // RFC 4180: CRLF between records, a header row first.
      expect(
        response.body.startsWith(
          'versions_id,workload,platform,environment,version,changelog_url,status,date,' +
            'commit,ref,repository,deployer,logURL,environmentURL,description,raw\r\n',
        ),
      ).toBe(true);
      // Accept: text/csv asks for the same, filters apply, and an empty result is a header alone.
      const byAccept = await get({ status: 'failed' }, { accept: 'text/csv' });
      expect(parse(byAccept.body, { columns: true })).toHaveLength(
        fixture.filter((row) => row.status === 'failed').length,
      );
      const none = await get({ format: 'csv', workload: 'nobody' });
      expect(none.body).toBe(
        'versions_id,workload,platform,environment,version,changelog_url,status,date,' +
          'commit,ref,repository,deployer,logURL,environmentURL,description\r\n',
      );
    } finally {
      await t.app.inject({ method: 'DELETE', url: `/api/v1/deployments/${tricky}` });
    }
  });

  it('exports NDJSON: one JSON deployment a line, the same as the pages', async () => {
    const response = await get({ format: 'ndjson', workload: 'teamA' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('application/x-ndjson; charset=utf-8');
    const lines = response.body
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(lines).toEqual(fixture.filter((row) => row.workload === 'teamA').map(flat));
    const byAccept = await get({ workload: 'teamB' }, { accept: 'application/x-ndjson' });
    expect(byAccept.body.trimEnd().split('\n')).toHaveLength(
      fixture.filter((row) => row.workload === 'teamB').length,
    );
  });

  it('answers 400 naming the parameter for a bad filter, limit or cursor', async () => {
    const bad: Array<[Record<string, string>, RegExp]> = [
      [{ limit: '0' }, /^limit/],
      [{ limit: '1001' }, /^limit/],
      [{ limit: 'ten' }, /^limit/],
      [{ from: '2025-01-01' }, /^from .*time zone/],
      [{ to: 'yesterday' }, /^to /],
      [{ from: '2025-02-01T00:00:00Z', to: '2025-01-01T00:00:00Z' }, /^from must not be after to/],
      [{ version: '1.*.0' }, /^version/],
      [{ version: '*' }, /^version/],
      [{ commit: 'xyz' }, /^commit/],
      [{ status: 'failed,,ongoing' }, /^status/],
      [{ workload: 'w'.repeat(101) }, /^workload/],
      [{ q: 'x\u0000' }, /^q /],
      [{ format: 'xml' }, /^format/],
      [{ include: 'everything' }, /^include/],
      [{ cursor: 'not a cursor!' }, /^cursor/],
      [{ cursor: Buffer.from('[1,2,3]').toString('base64url') }, /^cursor/],
    ];
    for (const [query, message] of bad) {
      const response = await get(query);
      expect(response.statusCode, JSON.stringify(query)).toBe(400);
      expect(response.json().error, JSON.stringify(query)).toMatch(message);
    }
    const first = (await get({ status: 'failed', limit: '2' })).json();
    const elsewhere = await get({ status: 'ongoing', limit: '2', cursor: first.nextCursor });
    expect(elsewhere.statusCode).toBe(400);
    expect(elsewhere.json().error).toMatch(/^cursor was made for other filters/);
    const exportElsewhere = await get({ format: 'csv', cursor: first.nextCursor });
    expect(exportElsewhere.statusCode).toBe(400);
  });

  describe('DELETE /deployments/{versionId}', () => {
    const env = { workload: 'fix', platform: 'production', environment: 'eu' };
    const read = (url: string, query: Record<string, string> = {}) =>
      t.app.inject({ method: 'GET', url: `/api/v1${url}`, query });

    it('removes it from every read, keeps counts and DORA exact, and says so by event and in the audit log', async () => {
      const now = Date.now();
      const keep = await create({ ...env, version: '1.0.0', date: new Date(now - 3 * DAY).toISOString() });
      const mistake = await create({
        ...env,
        version: '9.9.9',
        status: 'failed',
        commit: 'abcdef1234',
        changes: [
          { commit: 'abcdef1234', committedAt: new Date(now - 4 * DAY).toISOString(), title: 'oops' },
        ],
        date: new Date(now - 2 * DAY).toISOString(),
      });
      const later = await create({ ...env, version: '1.1.0', date: new Date(now - DAY).toISOString() });
      const dora = async () => (await read('/stats/dora', { ...env, days: '7' })).json();
      expect(await dora()).toMatchObject({ deployments: 3, successful: 2, failed: 1 });
      expect((await read('/read/environment', env)).json()[0].total).toBe(3);

      const deleted = await t.app.inject({ method: 'DELETE', url: `/api/v1/deployments/${mistake}` });
      expect(deleted.statusCode, deleted.body).toBe(200);
      expect(deleted.json()).toMatchObject({ versions_id: mistake, version: '9.9.9', status: 'failed' });

      const page = (await read('/read/environment', env)).json();
      expect(page.map((row: Row) => row.versions_id)).toEqual([later, keep]);
      expect(page[0].total).toBe(2);
      expect(await dora()).toMatchObject({ deployments: 2, successful: 2, failed: 0, changeFailureRate: 0 });
      expect((await read('/read/raw/id', { versionId: String(mistake) })).statusCode).toBe(404);
      expect((await read('/read/history', { versionId: String(mistake) })).statusCode).toBe(404);
      for (const table of ['versions_details', 'versions_changes', 'versions_status_history'] as const) {
        const left = await t.storeDatabase.db
          .selectFrom(table)
          .select('versions_id')
          .where('versions_id', '=', mistake)
          .execute();
        expect(left, table).toEqual([]);
      }
      expect(await list({ workload: 'fix' })).toHaveLength(2);
      expect(
        events.filter((event) => event.event === 'deleted').map((event) => event.deployment),
      ).toContainEqual(expect.objectContaining({ versions_id: mistake, version: '9.9.9', raw: 'N/A' }));

      const again = await t.app.inject({ method: 'DELETE', url: `/api/v1/deployments/${mistake}` });
      expect(again.statusCode).toBe(404);
      expect(again.json().error).toMatch(/versionId/);
      expect((await t.app.inject({ method: 'DELETE', url: '/api/v1/deployments/abc' })).statusCode).toBe(400);

      // The last two go: the environment leaves the menu and the matrix.
      for (const id of [keep, later]) {
        expect((await t.app.inject({ method: 'DELETE', url: `/api/v1/deployments/${id}` })).statusCode).toBe(
          200,
        );
      }
      const menu = (await read('/read/distinct/workloads')).json() as Array<{ workload: string }>;
      expect(menu.some((entry) => entry.workload === 'fix')).toBe(false);
      expect((await read('/read/matrix', { workload: 'fix' })).statusCode).toBe(204);
      expect((await read('/read/environment', env)).statusCode).toBe(404);

      // The audit log still shows the deleted deployment, and who wrote what, newest first.
      const audit = (await read('/audit', { versionId: String(mistake) })).json();
      expect(audit.items.map((entry: { action: string }) => entry.action)).toEqual(['deleted', 'created']);
      expect(audit.items[0]).toMatchObject({
        versionId: mistake,
        tokenName: null,
        address: '127.0.0.1',
        deployment: { versions_id: mistake, version: '9.9.9', status: 'failed', ...env },
      });
      expect(Date.parse(audit.items[0].date)).toBeGreaterThanOrEqual(now - 60_000);
    });

    it('pages the audit log by cursor, newest first, every write once', async () => {
      const id = await create({ ...env, version: '2.0.0', status: 'ongoing' });
      for (const status of ['deployed', 'failed', 'deployed']) {
        const updated = await t.app.inject({
          method: 'POST',
          url: '/api/v1/update/status',
          payload: { versionId: id, status },
        });
        expect(updated.statusCode).toBe(200);
      }
      const walked: Array<{ id: number; action: string; versionId: number }> = [];
      let cursor: string | null = null;
      do {
        const response = await read('/audit', { limit: '7', ...(cursor ? { cursor } : {}) });
        expect(response.statusCode, response.body).toBe(200);
        const body = response.json();
        walked.push(...body.items);
        if (body.nextCursor) expect(response.headers.link).toContain('rel="next"');
        cursor = body.nextCursor;
      } while (cursor);
      const ids = walked.map((entry) => entry.id);
      expect(ids).toEqual([...ids].sort((a, b) => b - a));
      expect(walked.filter((entry) => entry.versionId === id).map((entry) => entry.action)).toEqual([
        'status',
        'status',
        'status',
        'created',
      ]);
      expect(walked.filter((entry) => entry.action === 'created').length).toBeGreaterThanOrEqual(44);
      const statuses = await read('/audit', { action: 'status', limit: '2' });
      expect(statuses.json().items.every((entry: { action: string }) => entry.action === 'status')).toBe(
        true,
      );
      for (const query of [
        { action: 'read' },
        { versionId: 'x' },
        { limit: '0' },
        { cursor: '%%%' },
      ] as Array<Record<string, string>>) {
        const response = await read('/audit', query);
        expect(response.statusCode, JSON.stringify(query)).toBe(400);
        expect(response.json().error).toMatch(new RegExp(`^${Object.keys(query)[0]}`));
      }
      const otherFilter = await read('/audit', { action: 'created', cursor: statuses.json().nextCursor });
      expect(otherFilter.statusCode).toBe(400);
    });
  });
});
