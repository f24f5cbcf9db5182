// The query plans of GET /deployments, checked with each database's EXPLAIN on a table big enough for the
// planners to care (20,000 rows, statistics gathered): every filter combination the UI offers reads an
// index, never the whole table; the histories' combinations read their composite index in its order (no
// sort), and so does the cursor of a later page. A plan regression (a dropped index, a changed query) fails
// here rather than at a million rows in production.
import { sql, type CompiledQuery } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeploymentFilter } from '../../src/deployments/deployments-query.js';
import { DeploymentsQueryStore } from '../../src/store/deployments-query.store.js';
import { DeploymentDetailsStore } from '../../src/store/deployment-details.store.js';
import { DIALECTS } from '../helpers/databases.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';

const ROWS = 20_000;
const WORKLOADS = 10;
const ENVIRONMENTS = ['production', 'staging', 'dev', 'qa'];
const STATUSES = ['deployed', 'deployed', 'deployed', 'completed', 'failed', 'ongoing'];
const START = Date.parse('2024-01-01T00:00:00Z');

const environment = { workload: 'w3', platform: 'p1', environment: 'production' };
const platform = { workload: 'w3', platform: 'p1' };
const from = new Date('2024-03-01T00:00:00Z');
const to = new Date('2024-06-01T00:00:00Z');
/** A later page: the cursor of a row in the middle of the history. */
const later = { date: new Date('2024-05-01T00:00:00Z'), id: ROWS / 2 };

/**
 * What a plan must show: `ordered` when the rows must come out of an index in their order (no sort step).
 * Where a filter narrows the rows (a status, a version, a commit), sorting the few it finds is the planner's
 * fair choice (PostgreSQL intersects two indexes, then sorts); reading the whole table never is.
 */
interface Expectation {
  name: string;
  filter: DeploymentFilter;
  ordered: boolean;
  after?: typeof later;
}

const COMBINATIONS: Expectation[] = [
  // An environment's and a platform's history, with each filter of its form, alone and together.
  { name: 'environment', filter: environment, ordered: true },
  { name: 'environment, page n', filter: environment, ordered: true, after: later },
  { name: 'environment + status', filter: { ...environment, statuses: ['failed'] }, ordered: false },
  {
    name: 'environment + successful',
    filter: { ...environment, statuses: ['completed', 'deployed'] },
    ordered: false,
  },
  { name: 'environment + dates', filter: { ...environment, from, to }, ordered: true },
  {
    name: 'environment + status + dates, page n',
    filter: { ...environment, statuses: ['failed'], from, to },
    ordered: false,
    after: later,
  },
  {
    name: 'environment + version prefix',
    filter: { ...environment, version: { prefix: '1.4' } },
    ordered: false,
  },
  {
    name: 'environment + exact version',
    filter: { ...environment, version: { exact: '1.4.7' } },
    ordered: false,
  },
  { name: 'environment + commit', filter: { ...environment, commit: 'c0ffee1' }, ordered: false },
  { name: 'environment + deployer', filter: { ...environment, deployer: 'ada' }, ordered: false },
  { name: 'platform', filter: platform, ordered: true },
  { name: 'platform, page n', filter: platform, ordered: true, after: later },
  {
    name: 'platform + status + dates',
    filter: { ...platform, statuses: ['failed'], from, to },
    ordered: false,
  },
  { name: 'platform + version prefix', filter: { ...platform, version: { prefix: '1.4' } }, ordered: false },
  // The rest of what the history filter form sends on a platform, and the bench's combinations.
  { name: 'platform + status', filter: { ...platform, statuses: ['ongoing'] }, ordered: false },
  { name: 'platform + dates', filter: { ...platform, from, to }, ordered: true },
  { name: 'platform + commit', filter: { ...platform, commit: 'c0ffee1' }, ordered: false },
  { name: 'platform + deployer', filter: { ...platform, deployer: 'ada' }, ordered: false },
  {
    name: 'environment + successful + dates',
    filter: { ...environment, statuses: ['completed', 'deployed'], from, to },
    ordered: false,
  },
  { name: 'status + dates', filter: { statuses: ['failed'], from, to }, ordered: false },
  // Over everything: the newest, a later page, a status, a date range, a commit.
  { name: 'everything', filter: {}, ordered: true },
  { name: 'everything, page n', filter: {}, ordered: true, after: later },
  { name: 'status', filter: { statuses: ['failed'] }, ordered: false },
  { name: 'dates', filter: { from, to }, ordered: true },
  { name: 'commit', filter: { commit: 'c0ffee1' }, ordered: false },
  { name: 'version prefix', filter: { version: { prefix: '1.4' } }, ordered: false },
];

describe.each(DIALECTS)('GET /deployments query plans on %s', (dialect) => {
  let t: TestApp;
  let queries: DeploymentsQueryStore;

  beforeAll(async () => {
    t = await createTestApp(dialect);
    queries = new DeploymentsQueryStore(t.storeDatabase);
    const db = t.storeDatabase.db;
    for (let start = 0; start < ROWS; start += 1000) {
      const rows = Array.from({ length: 1000 }, (_, offset) => {
        const i = start + offset;
        const key = i % (WORKLOADS * 2 * ENVIRONMENTS.length);
        // Two rows in five go to the busy environment the histories read, as a production environment
        // holds much of a table; the others go round the 79 other environments.
        const busy = i % 5 < 2;
        return {
          workload: busy ? environment.workload : `w${key % WORKLOADS}`,
          platform: busy ? environment.platform : `p${Math.floor(key / WORKLOADS) % 2}`,
          environment: busy
            ? environment.environment
            : (ENVIRONMENTS[Math.floor(key / (WORKLOADS * 2)) % ENVIRONMENTS.length] ?? 'dev'),
          version: `1.${Math.floor(i / 100)}.${i % 100}`,
          changelog_url: '',
          raw: `{"i":${i}}`,
          status: STATUSES[i % STATUSES.length] ?? 'deployed',
          date: t.storeDatabase.sql.toDbDate(new Date(START + i * 900_000)),
        };
      });
      await db.insertInto('versions').values(rows).execute();
    }
    const ids = await db.selectFrom('versions').select('versions_id').execute();
    const details = ids
      .filter((_, index) => index % 10 === 0)
      .map(({ versions_id }) => ({
        versions_id,
        commit_sha: versions_id.toString(16).padStart(8, '0'),
        deployer: `person${versions_id % 50}`,
      }));
    for (let start = 0; start < details.length; start += 1000) {
      await db
        .insertInto('versions_details')
        .values(details.slice(start, start + 1000))
        .execute();
    }
    const analyze = {
      sqlite: sql`ANALYZE`,
      postgres: sql`ANALYZE`,
      mysql: sql`ANALYZE TABLE versions, versions_details`,
    }[dialect];
    await analyze.execute(db);
  }, 120_000);
  afterAll(() => t?.close());

  /** The plan's lines as text, whatever the database's format of EXPLAIN. */
  async function explain(query: CompiledQuery): Promise<string[]> {
    const db = t.storeDatabase.db;
    const prefix = { sqlite: 'EXPLAIN QUERY PLAN ', postgres: 'EXPLAIN ', mysql: 'EXPLAIN ' }[dialect];
    const result = await db.executeQuery({ ...query, sql: prefix + query.sql } as CompiledQuery<
      Record<string, unknown>
    >);
    return result.rows.map((row) => {
      if (dialect === 'sqlite') return String(row.detail);
      if (dialect === 'postgres') return String(row['QUERY PLAN']);
      // MySQL/MariaDB: one row per table read.
      return `table=${String(row.table)} type=${String(row.type)} key=${String(row.key)} extra=${String(row.Extra)}`;
    });
  }

  /** The plan reads `versions` whole (no index), or sorts the rows it read. */
  function problems(plan: string[], ordered: boolean): string[] {
    const found: string[] = [];
    for (const line of plan) {
      if (dialect === 'sqlite') {
        if (/^SCAN versions$/.test(line.trim())) found.push(`full scan: ${line}`);
        if (ordered && /TEMP B-TREE FOR ORDER BY/.test(line)) found.push(`sort: ${line}`);
      } else if (dialect === 'postgres') {
        if (/Seq Scan on versions\b/.test(line)) found.push(`full scan: ${line}`);
        if (ordered && /^\s*(->\s*)?(Incremental )?Sort\b/.test(line)) found.push(`sort: ${line}`);
      } else {
        if (/table=versions\b.*type=ALL/.test(line)) found.push(`full scan: ${line}`);
        if (ordered && /filesort/.test(line)) found.push(`sort: ${line}`);
      }
    }
    return found;
  }

  it.each(COMBINATIONS)('$name reads an index, in order when it can', async ({ filter, ordered, after }) => {
    const plan = await explain(queries.compile(filter, after, 51));
    expect(problems(plan, ordered), plan.join('\n')).toEqual([]);
  });

  it('reads the previous and next deployment of an environment from its index, in order', async () => {
    // GET /deployments/{id}/neighbours: a deployment in the middle of the busy environment's history.
    const queries = new DeploymentDetailsStore(t.storeDatabase).neighbourQueries(
      environment,
      later.date,
      later.id,
    );
    for (const [name, query] of Object.entries({ previous: queries.previous, next: queries.next })) {
      const plan = await explain(query.compile());
      expect(problems(plan, true), `${name}:\n${plan.join('\n')}`).toEqual([]);
    }
  });

  it('sees a regression: without the composite index an environment is scanned or sorted', async () => {
    // The check itself must fail on a bad plan; a plan over a table without an index must be caught.
    const plan = await explain(
      t.storeDatabase.db
        .selectFrom('versions')
        .select('versions_id')
        .where(sql<boolean>`${sql.ref('raw')} = ${'x'}`)
        .orderBy(sql`length(raw)`)
        .limit(51)
        .compile(),
    );
    expect(problems(plan, true).length, plan.join('\n')).toBeGreaterThan(0);
  });
});
