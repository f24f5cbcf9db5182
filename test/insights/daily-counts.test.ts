// The daily counts (src/store/daily-counts.ts) against the deployments themselves, on every dialect: random
// creates (dates spread over days, many on the edges of days), status changes and deletes through the API,
// racing changes of one deployment, then the table and every /stats/latest answer compared with the
// row-based query the service ran before the counts existed (kept below as the reference), and the
// migration's backfill on the same database giving the same answers.
import { sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { up as countExistingDeployments } from '../../src/store/migrations/2026-12-02-15-daily-counts.js';
import type { StoreDatabase } from '../../src/store/database.js';
import type { Database } from '../../src/store/schema.js';
import { DIALECTS } from '../helpers/databases.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';
import { seeded } from '../helpers/random.js';
import { applyRandomWrites } from '../helpers/random-writes.js';

const HOUR = 3600 * 1000;
const DAY = 24 * HOUR;
/** A day boundary, and "now" times around it: mid-day, exactly midnight, the last millisecond of a day. */
const MIDNIGHT = Date.parse('2025-06-20T00:00:00.000Z');
const NOWS = [MIDNIGHT + 13 * HOUR + 37 * 60_000 + 12_345, MIDNIGHT, MIDNIGHT - 1, MIDNIGHT + 1];
const WORKLOADS = ['api', 'web', 'batch'];
const PLATFORMS = ['eu', 'us'];
const ENVIRONMENTS = ['production', 'staging', 'dev'];
const STATUSES = ['deployed', 'completed', 'failed', 'ongoing', 'deployed', 'failed'];

/** Dates on the edges of days: midnights and the same time as a "now" some days before, ±1 ms. */
function edgeDate(random: ReturnType<typeof seeded>): number {
  const now = random.pick(NOWS);
  const base =
    random.next() < 0.5
      ? now - Math.floor(random.next() * 12) * DAY
      : MIDNIGHT - Math.floor(random.next() * 12) * DAY;
  return base + random.pick([-1, 0, 1]);
}

/** The service's queries before the daily counts: /stats/latest's (10 days from a midnight). */
async function referenceLatest(database: StoreDatabase, from: Date) {
  const day = database.sql.utcDay('date');
  const rows = await database.db
    .selectFrom('versions')
    .select((eb) => [
      eb.fn.countAll<number | string>().as('total'),
      'workload',
      'platform',
      'environment',
      'status',
      day.as('day'),
    ])
    .where('date', '>=', database.sql.toDbDate(from))
    .groupBy(['workload', 'platform', 'environment', 'status', day])
    .orderBy('day')
    .orderBy('workload')
    .orderBy('platform')
    .orderBy('environment')
    .orderBy('status')
    .execute();
  return rows.map(({ day: date, total, ...rest }) => ({ total: Number(total), ...rest, date }));
}

describe.each(DIALECTS)('daily counts on %s', (dialect) => {
  let t: TestApp;
  let clock = MIDNIGHT;
  beforeAll(async () => {
    // No read cache: every answer after the rebuild is read from the database, not remembered.
    t = await createTestApp(dialect, {
      env: { APP_READ_CACHE: 'off' },
      deps: { now: () => new Date(clock) },
    });
  });
  afterAll(() => t?.close());

  const db = (): Kysely<Database> => t.storeDatabase.db;

  /** The table, every row with a count (rows left at 0 by changes are not deployments). */
  const dailyCounts = async () =>
    (
      await db()
        .selectFrom('versions_daily_counts')
        .selectAll()
        .where('deployments', '>', 0)
        .orderBy('day')
        .orderBy('workload')
        .orderBy('platform')
        .orderBy('environment')
        .orderBy('status')
        .execute()
    ).map((row) => ({ ...row, deployments: Number(row.deployments) }));

  /** What the table should hold: the deployments counted by day and status, as the migration counts them. */
  const countedFromRows = async () =>
    (await referenceLatest(t.storeDatabase, new Date(0))).map(({ total, date, ...key }) => ({
      day: date,
      ...key,
      deployments: total,
    }));

  const get = async (url: string, query: Record<string, string> = {}) => {
    const response = await t.app.inject({ method: 'GET', url, query });
    expect(response.statusCode, response.body).toBeLessThan(300);
    return response.statusCode === 204 ? [] : response.json();
  };

  /** Every answer the daily counts serve, at every "now" of NOWS. */
  async function answers() {
    const all: unknown[] = [];
    for (const now of NOWS) {
      clock = now;
      all.push(await get('/api/v1/stats/latest'));
    }
    return all;
  }

  it('stay equal to the deployments through random creates, status changes and deletes', async () => {
    const random = seeded(15);
    // The creates are backfills: their dates are before the server's clock.
    clock = Math.max(...NOWS) + HOUR;
    await applyRandomWrites(t, random, {
      steps: 240,
      creates: 0.6,
      changes: 0.25,
      statuses: STATUSES,
      create: (step) => {
        const date =
          random.next() < 0.5
            ? edgeDate(random)
            : MIDNIGHT - Math.floor(random.next() * 14 * DAY) + 20 * HOUR;
        return {
          workload: random.pick(WORKLOADS),
          platform: random.pick(PLATFORMS),
          environment: random.pick(ENVIRONMENTS),
          version: `1.0.${step}`,
          status: random.pick(STATUSES),
          date: new Date(date).toISOString(),
        };
      },
    });
    expect(await dailyCounts()).toEqual(await countedFromRows());

    for (const now of NOWS) {
      clock = now;
      const today = new Date(now);
      const from = new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate() - 9));
      expect(await get('/api/v1/stats/latest')).toEqual(await referenceLatest(t.storeDatabase, from));
    }
  }, 240_000);

  it('stay exact when changes and a delete of one deployment race each other', async () => {
    clock = Math.max(...NOWS) + HOUR;
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/v1/create',
      payload: {
        workload: 'api',
        platform: 'eu',
        environment: 'production',
        version: 'race',
        status: 'ongoing',
      },
    });
    const versionId = Number(created.json().versionId);
    // Each change counts the deployment one less in the status it leaves: the one it really replaces.
    await Promise.all([
      ...['deployed', 'failed', 'completed', 'ongoing', 'deployed', 'failed'].map((status) =>
        t.app.inject({ method: 'POST', url: '/api/v1/update/status', payload: { versionId, status } }),
      ),
    ]);
    expect(await dailyCounts()).toEqual(await countedFromRows());
    await Promise.all([
      t.app.inject({
        method: 'POST',
        url: '/api/v1/update/status',
        payload: { versionId, status: 'completed' },
      }),
      t.app.inject({ method: 'DELETE', url: `/api/v1/deployments/${versionId}` }),
    ]);
    expect(await dailyCounts()).toEqual(await countedFromRows());
  });

  it('are rebuilt by the migration from the deployments already there, with the same answers', async () => {
    const before = await answers();
    await sql`DROP TABLE versions_daily_counts`.execute(db());
    await countExistingDeployments(db(), dialect);
    expect(await dailyCounts()).toEqual(await countedFromRows());
    expect(await answers()).toEqual(before);
  }, 240_000);
});
