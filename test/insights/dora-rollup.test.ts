// The DORA rollup (src/store/dora-rollup.ts) against the deployments themselves, on every dialect: random
// creates (backfills among older deployments, many on the edges of days and months), status changes and
// deletes through the API, racing creates in one environment, then the table compared with what the
// migration computes from the rows, and /stats/dora read from the rollup compared with the exact
// row-by-row figures on the same database: counts equal, medians within the histograms' stated error.
import type { InjectOptions } from 'fastify';
import { sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RELATIVE_ERROR } from '../../src/insights/histogram.js';
import {
  rollUpDeployments,
  up as rollUpExistingDeployments,
} from '../../src/store/migrations/2026-12-03-01-dora-rollup.js';
import type { Database } from '../../src/store/schema.js';
import { DIALECTS } from '../helpers/databases.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';
import { seeded } from '../helpers/random.js';
import { applyRandomWrites } from '../helpers/random-writes.js';

const MINUTE = 60 * 1000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const MONTH_START = Date.parse('2025-06-01T00:00:00.000Z');
/** When the writes happen: after every deployment's date, so that every restorer counts at every "now". */
const WRITES_AT = MONTH_START + 40 * DAY;
/** When the figures are asked for: mid-day, exactly midnight, a millisecond either side of it. */
const NOWS = [WRITES_AT + 13 * HOUR + 12_345, WRITES_AT + DAY, WRITES_AT + DAY - 1, WRITES_AT + 3 * DAY + 1];
const WORKLOADS = ['api', 'web'];
const PLATFORMS = ['eu', 'us'];
const ENVIRONMENTS = ['production', 'staging'];
const STATUSES = ['deployed', 'completed', 'failed', 'ongoing', 'deployed', 'failed'];

/** A date among the last 100 days before the writes, a third of them on a day's or a month's edge (±1 ms). */
function randomDate(random: ReturnType<typeof seeded>): number {
  const edge = random.next();
  if (edge < 0.15) return MONTH_START + random.pick([-1, 0, 1]) * random.pick([1, 1, 1, 60_000]);
  if (edge < 0.33) {
    // The time of day of a "now", some days before the writes.
    const now = random.pick(NOWS) - 4 * DAY;
    return now - Math.floor(random.next() * 40) * DAY + random.pick([-1, 0, 1]);
  }
  return WRITES_AT - Math.floor(random.next() * 100 * DAY);
}

describe.each(DIALECTS)('the DORA rollup on %s', (dialect) => {
  let rolled: TestApp;
  let exact: TestApp;
  let clock = WRITES_AT;
  beforeAll(async () => {
    const now = () => new Date(clock);
    // Every window with a whole day read from the rollup; the other app measures every deployment.
    rolled = await createTestApp(dialect, { deps: { now, doraExactUpTo: 0 } });
    exact = await createTestApp(dialect, {
      database: rolled.database,
      deps: { now, doraExactUpTo: Number.MAX_SAFE_INTEGER },
    });
  });
  afterAll(async () => {
    await exact?.close();
    await rolled?.close();
  });

  const db = (): Kysely<Database> => rolled.storeDatabase.db;
  const rollup = async () =>
    (
      await db()
        .selectFrom('versions_dora_rollup')
        .selectAll()
        .where('deployments', '<>', 0)
        .orderBy('period')
        .orderBy('measure')
        .orderBy('bin')
        .execute()
    ).map((row) => ({ ...row, deployments: Number(row.deployments) }));
  /**
   * What the migration computes from the deployments there now; the same when it reads them in pages of one
   * or three rows (a page ending among deployments of one instant, a failure restored pages later).
   */
  const recomputed = async () => {
    const kept = await rollup();
    await sql`DROP TABLE versions_dora_rollup`.execute(db());
    await rollUpExistingDeployments(db(), dialect);
    const fresh = await rollup();
    for (const rowsPerRead of [1, 3]) {
      await db().deleteFrom('versions_dora_rollup').execute();
      await rollUpDeployments(db(), rowsPerRead);
      expect(await rollup(), `pages of ${rowsPerRead}`).toEqual(fresh);
    }
    return { kept, fresh };
  };

  const inject = async (app: TestApp, options: InjectOptions) => {
    const response = await app.app.inject(options);
    if (response.statusCode >= 500) console.error(JSON.stringify(app.logs.slice(-3)));
    return response;
  };

  /** The rollup's answer next to the exact one, for windows of every length at every "now". */
  async function compareAnswers() {
    let approximate = 0;
    for (const now of NOWS) {
      clock = now;
      for (const days of [1, 2, 7, 31, 45, 90, 3650]) {
        const url = `/api/v1/stats/dora?days=${days}`;
        const [fromRollup, measured] = await Promise.all(
          [rolled, exact].map(async (app) => (await inject(app, { method: 'GET', url })).json()),
        );
        const label = `${url} at ${new Date(now).toISOString()}`;
        const {
          medianDeploymentSeconds,
          medianTimeToRestoreSeconds,
          approximate: marked,
          ...counts
        } = fromRollup;
        const {
          medianDeploymentSeconds: deployment,
          medianTimeToRestoreSeconds: restore,
          ...exactCounts
        } = measured;
        expect(counts, label).toEqual(exactCounts);
        expect(measured.approximate, label).toBeUndefined();
        if (marked) approximate += 1;
        for (const [read, truth] of [
          [medianDeploymentSeconds, deployment],
          [medianTimeToRestoreSeconds, restore],
        ]) {
          if (truth === null) expect(read, label).toBeNull();
          else expect(Math.abs(read - truth), label).toBeLessThanOrEqual(truth * RELATIVE_ERROR + 0.001);
        }
      }
    }
    // Most windows hold a whole day: the comparison is about the rollup, not the exact fallback.
    expect(approximate).toBeGreaterThan(NOWS.length * 4);
  }

  it('stays equal to the deployments through random creates, status changes and deletes', async () => {
    const random = seeded(15);
    await applyRandomWrites(rolled, random, {
      steps: 300,
      creates: 0.6,
      changes: 0.28,
      statuses: STATUSES,
      beforeWrite: (step) => {
        clock = WRITES_AT - 2 * HOUR + step * 1000;
      },
      beforeChange: () => {
        clock += random.pick([0, 1, 7 * MINUTE, 3 * HOUR]);
      },
      create: (step) => {
        const backfill = random.next() < 0.85;
        return {
          workload: random.pick(WORKLOADS),
          platform: random.pick(PLATFORMS),
          environment: random.pick(ENVIRONMENTS),
          version: `1.0.${step}`,
          status: random.pick(STATUSES),
          ...(backfill ? { date: new Date(randomDate(random)).toISOString() } : {}),
        };
      },
    });
    const { kept, fresh } = await recomputed();
    expect(kept.length).toBeGreaterThan(20);
    expect(kept).toEqual(fresh);
    await compareAnswers();
  }, 300_000);

  it('stays exact when creates and status changes in one environment race each other', async () => {
    clock = WRITES_AT;
    const environment = { workload: 'api', platform: 'eu', environment: 'production' };
    const created = await Promise.all(
      ['failed', 'deployed', 'failed', 'ongoing', 'completed', 'failed', 'deployed', 'failed'].map(
        (status, index) =>
          inject(rolled, {
            method: 'POST',
            url: '/api/v1/create',
            payload: { ...environment, version: `race.${index}`, status },
          }),
      ),
    );
    for (const response of created) expect(response.statusCode, response.body).toBe(201);
    const ids = created.map((response) => Number(response.json().versionId));
    await Promise.all([
      ...ids.map((versionId, index) =>
        inject(rolled, {
          method: 'POST',
          url: '/api/v1/update/status',
          payload: { versionId, status: index % 2 === 0 ? 'deployed' : 'failed' },
        }),
      ),
      ...['deployed', 'failed', 'failed'].map((status, index) =>
        inject(rolled, {
          method: 'POST',
          url: '/api/v1/create',
          payload: { ...environment, version: `race.more.${index}`, status },
        }),
      ),
      inject(rolled, { method: 'DELETE', url: `/api/v1/deployments/${ids[3]}` }),
    ]);
    const { kept, fresh } = await recomputed();
    expect(kept).toEqual(fresh);
    await compareAnswers();
  }, 300_000);

  it('reads a run of failures longer than its first read whole, before and after the written deployment', async () => {
    // rangeAround() reads a few deployments on each side first; ten failures in a row make it read the whole
    // stretch, on the side before a new success, after a status change in the middle, and on both sides.
    clock = WRITES_AT;
    const environment = { workload: 'web', platform: 'eu', environment: 'long-run' };
    const create = async (status: string, minutes: number) => {
      const response = await inject(rolled, {
        method: 'POST',
        url: '/api/v1/create',
        payload: {
          ...environment,
          version: `run.${minutes}`,
          status,
          date: new Date(WRITES_AT - DAY + minutes * MINUTE).toISOString(),
        },
      });
      expect(response.statusCode, response.body).toBe(201);
      return Number(response.json().versionId);
    };
    await create('deployed', 0);
    const failures: number[] = [];
    for (let minute = 1; minute <= 10; minute++) failures.push(await create('failed', minute));
    await create('deployed', 30);
    for (let minute = 31; minute <= 40; minute++) await create(minute % 2 ? 'failed' : 'ongoing', minute);
    const changed = await inject(rolled, {
      method: 'POST',
      url: '/api/v1/update/status',
      payload: { versionId: failures[5], status: 'deployed' },
    });
    expect(changed.statusCode, changed.body).toBe(200);
    const { kept, fresh } = await recomputed();
    expect(kept).toEqual(fresh);
    await compareAnswers();
  }, 300_000);

  it('reads the last day from the deployments when one is dated after the window', async () => {
    // Four minutes ahead of the clock (a create may be up to five): after the end of most windows below.
    clock = NOWS[0]! - 2 * MINUTE;
    const ahead = await inject(rolled, {
      method: 'POST',
      url: '/api/v1/create',
      payload: {
        workload: 'web',
        platform: 'us',
        environment: 'staging',
        version: 'ahead',
        status: 'ongoing',
        date: new Date(clock + 4 * MINUTE).toISOString(),
      },
    });
    expect(ahead.statusCode, ahead.body).toBe(201);
    await compareAnswers();
  }, 300_000);
});
