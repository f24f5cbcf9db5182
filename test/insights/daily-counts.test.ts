// The daily counts (src/store/daily-counts.ts) against the deployments themselves, on every dialect: random
// creates (dates spread over days, many on the edges of days and of DORA windows), status changes and
// deletes through the API, then every /stats/latest and DORA count compared with the row-based queries the
// service ran before the counts existed (kept below as the reference), and the migration's backfill on the
// same database giving the same answers.
import { sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SUCCESSFUL_STATUSES } from '../../src/deployments/deployment.js';
import { up as countExistingDeployments } from '../../src/store/migrations/2026-12-02-15-daily-counts.js';
import type { StoreDialect } from '../../src/store/dialects/index.js';
import type { Database } from '../../src/store/schema.js';
import { DIALECTS } from '../helpers/databases.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';

const HOUR = 3600 * 1000;
const DAY = 24 * HOUR;
/** A day boundary, and "now" times around it: mid-day, exactly midnight, the last millisecond of a day. */
const MIDNIGHT = Date.parse('2025-06-20T00:00:00.000Z');
const NOWS = [MIDNIGHT + 13 * HOUR + 37 * 60_000 + 12_345, MIDNIGHT, MIDNIGHT - 1, MIDNIGHT + 1];
const WORKLOADS = ['api', 'web', 'batch'];
const PLATFORMS = ['eu', 'us'];
/** Their tiers follow from their names: production, staging, development. */
const ENVIRONMENTS = ['production', 'staging', 'dev'];
const STATUSES = ['deployed', 'completed', 'failed', 'ongoing', 'deployed', 'failed'];
const SUCCESSFUL = [...SUCCESSFUL_STATUSES];

/** A small seeded generator (mulberry32), so that a failure can be replayed. */
function seeded(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4294967296;
  };
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T;
  return { next, pick };
}

/** Dates where a whole-day count and a part of a day meet: midnights and DORA window edges, ±1 ms. */
function edgeDate(random: ReturnType<typeof seeded>): number {
  const now = random.pick(NOWS);
  const base =
    random.next() < 0.5
      ? now - Math.floor(random.next() * 12) * DAY
      : MIDNIGHT - Math.floor(random.next() * 12) * DAY;
  return base + random.pick([-1, 0, 1]);
}

/** The service's queries before the daily counts: /stats/latest's (10 days from a midnight). */
async function referenceLatest(dialect: StoreDialect, from: Date) {
  const day = dialect.utcDay('date');
  const rows = await dialect.db
    .selectFrom('versions')
    .select((eb) => [
      eb.fn.countAll<number | string>().as('total'),
      'workload',
      'platform',
      'environment',
      'status',
      day.as('day'),
    ])
    .where('date', '>=', dialect.toDbDate(from))
    .groupBy(['workload', 'platform', 'environment', 'status', day])
    .orderBy('day')
    .orderBy('workload')
    .orderBy('platform')
    .orderBy('environment')
    .orderBy('status')
    .execute();
  return rows.map(({ day: date, total, ...rest }) => ({ total: Number(total), ...rest, date }));
}

interface Scope {
  workload?: string;
  platform?: string;
  environment?: string;
}

/** DORA's counts and groups before the daily counts: every deployment of the window, read. */
function inWindowOf(dialect: StoreDialect, from: string, to: string, scope: Scope) {
  let query = dialect.db
    .selectFrom('versions')
    .where('date', '>=', dialect.toDbDate(new Date(from)))
    .where('date', '<=', dialect.toDbDate(new Date(to)));
  for (const [field, value] of Object.entries(scope) as Array<[keyof Scope, string | undefined]>) {
    if (value !== undefined) query = query.where(field, '=', value);
  }
  return query;
}

async function referenceCounts(dialect: StoreDialect, from: string, to: string, scope: Scope) {
  const row = await inWindowOf(dialect, from, to, scope)
    .select((eb) => [
      eb.fn.countAll<number | string>().as('deployments'),
      eb.fn
        .sum<number | string | null>(eb.case().when('status', 'in', SUCCESSFUL).then(1).else(0).end())
        .as('successful'),
      eb.fn
        .sum<number | string | null>(eb.case().when('status', '=', 'failed').then(1).else(0).end())
        .as('failed'),
    ])
    .executeTakeFirstOrThrow();
  return {
    deployments: Number(row.deployments),
    successful: Number(row.successful ?? 0),
    failed: Number(row.failed ?? 0),
  };
}

async function referenceGroups(
  dialect: StoreDialect,
  from: string,
  to: string,
  scope: Scope,
  by: 'workload' | 'environment',
) {
  const columns =
    by === 'workload' ? (['workload'] as const) : (['workload', 'platform', 'environment'] as const);
  let query = inWindowOf(dialect, from, to, scope).select(columns).distinct();
  for (const column of columns) query = query.orderBy(column);
  return query.execute();
}

interface Figures {
  from: string;
  to: string;
  deployments: number;
  successful: number;
  failed: number;
  deploymentsPerDay: number;
  changeFailureRate: number | null;
  workload?: string;
  platform?: string;
  environment?: string;
}

/** A DORA answer's counts (and those of its groups and buckets) equal the row-based ones. */
async function expectRowCounts(dialect: StoreDialect, answer: Figures, scope: Scope, days: number) {
  const counts = await referenceCounts(dialect, answer.from, answer.to, scope);
  const context = JSON.stringify({ scope, days, from: answer.from, to: answer.to });
  expect(
    { deployments: answer.deployments, successful: answer.successful, failed: answer.failed },
    context,
  ).toEqual(counts);
  expect(answer.deploymentsPerDay, context).toBe(counts.successful / days);
  const attempts = counts.successful + counts.failed;
  expect(answer.changeFailureRate, context).toBe(attempts === 0 ? null : counts.failed / attempts);
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

  const db = (): Kysely<Database> => t.store.dialect.db;

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
    (await referenceLatest(t.store.dialect, new Date(0))).map(({ total, date, ...key }) => ({
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
      for (const days of ['1', '2', '7', '30']) {
        all.push(await get('/api/v1/stats/dora', { days }));
        all.push(await get('/api/v1/stats/dora', { days, groupBy: 'environment', tier: 'production' }));
        all.push(
          await get('/api/v1/stats/dora', { days, workload: 'api', bucketDays: days === '1' ? '1' : '2' }),
        );
      }
    }
    return all;
  }

  it('stay equal to the deployments through random creates, status changes and deletes', async () => {
    const random = seeded(15);
    const ids: number[] = [];
    // The creates are backfills: their dates are before the server's clock.
    clock = Math.max(...NOWS) + HOUR;
    for (let step = 0; step < 240; step++) {
      const action = random.next();
      if (action < 0.6 || ids.length === 0) {
        const date =
          random.next() < 0.5
            ? edgeDate(random)
            : MIDNIGHT - Math.floor(random.next() * 14 * DAY) + 20 * HOUR;
        const created = await t.app.inject({
          method: 'POST',
          url: '/api/v1/create',
          payload: {
            workload: random.pick(WORKLOADS),
            platform: random.pick(PLATFORMS),
            environment: random.pick(ENVIRONMENTS),
            version: `1.0.${step}`,
            status: random.pick(STATUSES),
            date: new Date(date).toISOString(),
          },
        });
        expect(created.statusCode, created.body).toBe(201);
        ids.push(Number(created.json().versionId));
      } else if (action < 0.85) {
        const updated = await t.app.inject({
          method: 'POST',
          url: '/api/v1/update/status',
          payload: { versionId: random.pick(ids), status: random.pick(STATUSES) },
        });
        expect(updated.statusCode, updated.body).toBe(200);
      } else {
        const id = ids.splice(Math.floor(random.next() * ids.length), 1)[0];
        const removed = await t.app.inject({ method: 'DELETE', url: `/api/v1/deployments/${id}` });
        expect(removed.statusCode, removed.body).toBe(200);
      }
    }
    expect(await dailyCounts()).toEqual(await countedFromRows());

    for (const now of NOWS) {
      clock = now;
      const today = new Date(now);
      const from = new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate() - 9));
      expect(await get('/api/v1/stats/latest')).toEqual(await referenceLatest(t.store.dialect, from));
      for (const days of [1, 2, 3, 7, 30]) {
        const plain = (await get('/api/v1/stats/dora', { days: String(days) })) as Figures;
        await expectRowCounts(t.store.dialect, plain, {}, days);
        const scope = { workload: 'web', platform: 'us' };
        const scoped = (await get('/api/v1/stats/dora', { days: String(days), ...scope })) as Figures;
        await expectRowCounts(t.store.dialect, scoped, scope, days);
        const byEnvironment = (await get('/api/v1/stats/dora', {
          days: String(days),
          groupBy: 'environment',
          bucketDays: '1',
        })) as Figures & { groups: Figures[]; buckets: Figures[] };
        expect(
          byEnvironment.groups.map(({ workload, platform, environment }) => ({
            workload,
            platform,
            environment,
          })),
        ).toEqual(
          await referenceGroups(t.store.dialect, byEnvironment.from, byEnvironment.to, {}, 'environment'),
        );
        for (const group of byEnvironment.groups) {
          const { workload, platform, environment } = group;
          await expectRowCounts(t.store.dialect, group, { workload, platform, environment }, days);
        }
        for (const bucket of byEnvironment.buckets) await expectRowCounts(t.store.dialect, bucket, {}, 1);
        // A tier: its environments are those named production (tiers.ts infers them from the name).
        const tier = (await get('/api/v1/stats/dora', {
          days: String(days),
          tier: 'production',
          groupBy: 'workload',
        })) as Figures & { groups: Figures[] };
        await expectRowCounts(t.store.dialect, tier, { environment: 'production' }, days);
        expect(tier.groups.map(({ workload }) => ({ workload }))).toEqual(
          await referenceGroups(
            t.store.dialect,
            tier.from,
            tier.to,
            { environment: 'production' },
            'workload',
          ),
        );
        for (const group of tier.groups) {
          await expectRowCounts(
            t.store.dialect,
            group,
            { workload: group.workload, environment: 'production' },
            days,
          );
        }
      }
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
