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
 * What a plan must show. `ordered`: the rows come out of an index in their order (no sort step). `merged`:
 * each seek (one per status, or a version prefix's bounded walk) reads its index in order, and only their
 * few rows are sorted at the end. `sorted`: where a filter narrows the rows (a commit, a version over
 * everything), sorting the few it finds is the planner's fair choice; reading the whole table never is.
 * `index`: the index every read of `versions` other than by id must use, where the store chooses one.
 */
type Order = 'ordered' | 'merged' | 'sorted';

interface Read {
  order: Order;
  /** The index (or one of the indexes) every read of `versions` other than by id must use. */
  index?: string | string[];
}

interface Expectation {
  name: string;
  filter: DeploymentFilter;
  /** One read, or (a version prefix on an environment) the two reads tried in turn. */
  reads: Read[];
  after?: typeof later;
}

const byEnvironment = 'idx_versions_environment_date';
const byStatus = 'idx_versions_environment_status_date';
const byVersion = 'idx_versions_environment_version';
/**
 * A version prefix on one environment: the date where a bounded walk of its history stops (an index-only
 * count through the newest rows), the walk from that date on (PostgreSQL may as well sort the prefix's
 * matches from that date on: both are bounded), and the prefix's matches, sorted, when the walk falls short.
 * Within dates or after a cursor, PostgreSQL may count the date range's few rows another way.
 */
function prefixReads(bounded = false): Read[] {
  return [
    bounded ? { order: 'sorted' } : { order: 'ordered', index: byEnvironment },
    { order: 'sorted', index: [byEnvironment, byVersion, byStatus] },
    { order: 'sorted', index: byVersion },
  ];
}

const COMBINATIONS: Expectation[] = [
  // An environment's and a platform's history, with each filter of its form, alone and together.
  { name: 'environment', filter: environment, reads: [{ order: 'ordered', index: byEnvironment }] },
  {
    name: 'environment, page n',
    filter: environment,
    reads: [{ order: 'ordered', index: byEnvironment }],
    after: later,
  },
  // One status is one seek of the environment's status index; several, one seek each, merged.
  {
    name: 'environment + status',
    filter: { ...environment, statuses: ['failed'] },
    reads: [{ order: 'ordered', index: byStatus }],
  },
  {
    name: 'environment + successful',
    filter: { ...environment, statuses: ['completed', 'deployed'] },
    reads: [{ order: 'merged', index: byStatus }],
  },
  {
    name: 'environment + successful, page n',
    filter: { ...environment, statuses: ['completed', 'deployed'] },
    reads: [{ order: 'merged', index: byStatus }],
    after: later,
  },
  {
    name: 'environment + three statuses',
    filter: { ...environment, statuses: ['deployed', 'failed', 'ongoing'] },
    reads: [{ order: 'merged', index: byStatus }],
  },
  // A date range may as well be read from the date index (PostgreSQL does at this size): no index named.
  { name: 'environment + dates', filter: { ...environment, from, to }, reads: [{ order: 'ordered' }] },
  {
    name: 'environment + status + dates, page n',
    filter: { ...environment, statuses: ['failed'], from, to },
    reads: [{ order: 'ordered' }],
    after: later,
  },
  {
    name: 'environment + version prefix',
    filter: { ...environment, version: { prefix: '1.4' } },
    reads: prefixReads(),
  },
  {
    name: 'environment + version prefix, page n',
    filter: { ...environment, version: { prefix: '1.4' } },
    reads: prefixReads(true),
    after: later,
  },
  {
    // With a status and dates the matches may as well be read from the status index: few either way.
    name: 'environment + version prefix + status + dates',
    filter: { ...environment, version: { prefix: '1.' }, statuses: ['failed'], from, to },
    reads: [...prefixReads(true).slice(0, 2), { order: 'sorted', index: [byVersion, byStatus] }],
  },
  {
    // An exact version's few rows, read from the version index and sorted.
    name: 'environment + exact version',
    filter: { ...environment, version: { exact: '1.4.7' } },
    reads: [{ order: 'sorted', index: [byVersion, 'idx_version'] }],
  },
  {
    name: 'environment + commit',
    filter: { ...environment, commit: 'c0ffee1' },
    reads: [{ order: 'sorted' }],
  },
  {
    name: 'environment + deployer',
    filter: { ...environment, deployer: 'ada' },
    reads: [{ order: 'sorted' }],
  },
  { name: 'platform', filter: platform, reads: [{ order: 'ordered' }] },
  { name: 'platform, page n', filter: platform, reads: [{ order: 'ordered' }], after: later },
  {
    name: 'platform + status + dates',
    filter: { ...platform, statuses: ['failed'], from, to },
    reads: [{ order: 'sorted' }],
  },
  {
    name: 'platform + version prefix',
    filter: { ...platform, version: { prefix: '1.4' } },
    reads: [{ order: 'sorted' }],
  },
  // The rest of what the history filter form sends on a platform, and the bench's combinations.
  { name: 'platform + status', filter: { ...platform, statuses: ['ongoing'] }, reads: [{ order: 'sorted' }] },
  { name: 'platform + dates', filter: { ...platform, from, to }, reads: [{ order: 'ordered' }] },
  { name: 'platform + commit', filter: { ...platform, commit: 'c0ffee1' }, reads: [{ order: 'sorted' }] },
  { name: 'platform + deployer', filter: { ...platform, deployer: 'ada' }, reads: [{ order: 'sorted' }] },
  {
    name: 'environment + successful + dates',
    filter: { ...environment, statuses: ['completed', 'deployed'], from, to },
    reads: [{ order: 'merged' }],
  },
  { name: 'status + dates', filter: { statuses: ['failed'], from, to }, reads: [{ order: 'ordered' }] },
  // Over everything: the newest, a later page, statuses, a date range, a commit.
  { name: 'everything', filter: {}, reads: [{ order: 'ordered' }] },
  { name: 'everything, page n', filter: {}, reads: [{ order: 'ordered' }], after: later },
  {
    name: 'status',
    filter: { statuses: ['failed'] },
    reads: [{ order: 'ordered', index: 'idx_versions_status_date' }],
  },
  {
    name: 'statuses',
    filter: { statuses: ['failed', 'ongoing'] },
    reads: [{ order: 'merged', index: 'idx_versions_status_date' }],
  },
  { name: 'dates', filter: { from, to }, reads: [{ order: 'ordered' }] },
  { name: 'commit', filter: { commit: 'c0ffee1' }, reads: [{ order: 'sorted' }] },
  { name: 'version prefix', filter: { version: { prefix: '1.4' } }, reads: [{ order: 'sorted' }] },
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

  /**
   * The plan's lines as text, whatever the database's format of EXPLAIN; SQLite's indented by their depth
   * in the plan (its rows name their parent), as PostgreSQL's are.
   */
  async function explain(query: CompiledQuery): Promise<string[]> {
    const db = t.storeDatabase.db;
    const prefix = { sqlite: 'EXPLAIN QUERY PLAN ', postgres: 'EXPLAIN ', mysql: 'EXPLAIN ' }[dialect];
    const result = await db.executeQuery({ ...query, sql: prefix + query.sql } as CompiledQuery<
      Record<string, unknown>
    >);
    const depths = new Map<number, number>();
    return result.rows.map((row) => {
      if (dialect === 'sqlite') {
        const parent = Number(row.parent);
        const depth = parent === 0 ? 0 : (depths.get(parent) ?? 0) + 1;
        depths.set(Number(row.id), depth);
        return `${'  '.repeat(depth)}${String(row.detail)}`;
      }
      if (dialect === 'postgres') return String(row['QUERY PLAN']);
      // MySQL/MariaDB: one row per table read (a subquery's rows come after the query reading it).
      return `table=${String(row.table)} type=${String(row.type)} key=${String(row.key)} extra=${String(row.Extra)}`;
    });
  }

  /** SQLite: the step `at` is in the same block (same parent) as a read of `versions`. */
  function readsVersionsBeside(plan: string[], at: number): boolean {
    const depth = (line: string) => line.length - line.trimStart().length;
    const parent = (index: number) => {
      for (let before = index - 1; before >= 0; before--) {
        if (depth(plan[before] ?? '') < depth(plan[index] ?? '')) return before;
      }
      return -1;
    };
    return plan.some(
      (line, index) => parent(index) === parent(at) && /^(SEARCH|SCAN) versions\b/.test(line.trim()),
    );
  }

  const allowed = (index: string | string[], used: string) =>
    Array.isArray(index) ? index.includes(used) : index === used;

  /** The plan reads `versions` whole (no index) or through another index, or sorts what it must not. */
  function problems(plan: string[], { order, index }: Read): string[] {
    const found: string[] = [];
    for (const [at, line] of plan.entries()) {
      if (dialect === 'sqlite') {
        if (/^SCAN versions$/.test(line.trim())) found.push(`full scan: ${line}`);
        const sort = /TEMP B-TREE FOR ORDER BY/.test(line);
        // Merged seeks: a sort of what a subquery (a seek) gave is fair, a sort of a read of `versions` is not.
        if (sort && (order === 'ordered' || (order === 'merged' && readsVersionsBeside(plan, at)))) {
          found.push(`sort: ${line}`);
        }
        const used = /^(?:SEARCH|SCAN) versions USING (?:COVERING )?INDEX (\w+)/.exec(line.trim())?.[1];
        if (index && used && !allowed(index, used)) found.push(`index: ${line}`);
      } else if (dialect === 'postgres') {
        if (/Seq Scan on versions\b/.test(line)) found.push(`full scan: ${line}`);
        const sort = /^(\s*)(->\s*)?(Incremental )?Sort\b(?! Key)/.exec(line);
        // Merged seeks: only the Limit at the top may sort their rows (its child is indented by 2).
        if (sort && (order === 'ordered' || (order === 'merged' && (sort[1] ?? '').length > 2))) {
          found.push(`sort: ${line}`);
        }
        const used = /Scan(?: Backward)? using (\w+) on versions\b/.exec(line)?.[1];
        if (index && used && used !== 'versions_pkey' && !allowed(index, used)) found.push(`index: ${line}`);
      } else {
        if (/table=versions\b.*type=ALL/.test(line)) found.push(`full scan: ${line}`);
        // Merged seeks: only a derived table (the seeks' rows) or a union's result may be sorted.
        const sort = /filesort/.test(line);
        if (sort && (order === 'ordered' || (order === 'merged' && !/table=<(derived|union)/.test(line)))) {
          found.push(`sort: ${line}`);
        }
        const used = /table=versions\b.* key=(\S+)/.exec(line)?.[1];
        if (index && used && used !== 'PRIMARY' && !allowed(index, used)) found.push(`index: ${line}`);
      }
    }
    return found;
  }

  it.each(COMBINATIONS)('$name reads an index, in order when it can', async ({ filter, reads, after }) => {
    const compiled = queries.compile(filter, after, 51, from);
    expect(compiled).toHaveLength(reads.length);
    for (const [n, read] of reads.entries()) {
      const plan = await explain(compiled[n] as CompiledQuery);
      expect(problems(plan, read), `read ${n + 1}:\n${plan.join('\n')}`).toEqual([]);
    }
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
      expect(problems(plan, { order: 'ordered' }), `${name}:\n${plan.join('\n')}`).toEqual([]);
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
    expect(problems(plan, { order: 'ordered' }).length, plan.join('\n')).toBeGreaterThan(0);
  });
});
