// The main queries of the stores, built over a database that only compiles (StoreDatabase.compileOnly):
// what test/unit/store-sql.test.ts pins on each dialect.
import type { CompiledQuery } from 'kysely';
import type { DeploymentFilter } from '../../src/deployments/deployments-query.js';
import type { DoraWindow } from '../../src/insights/insights.js';
import { StoreDatabase } from '../../src/store/database.js';
import { DeploymentsQueryStore } from '../../src/store/deployments-query.store.js';
import { DeploymentsStore } from '../../src/store/deployments.store.js';
import type { StoreDialect } from '../../src/store/dialects/index.js';
import { InsightsStore } from '../../src/store/insights.store.js';

const key = { workload: 'api', platform: 'k8s', environment: 'prod' };
const date = new Date('2026-12-01T10:00:00.000Z');
const window: DoraWindow = {
  from: new Date('2026-11-01T00:00:00.000Z'),
  to: date,
  scope: { workload: 'api' },
};
const environmentList: DeploymentFilter = { workload: 'api', platform: 'k8s', environment: 'prod' };
const search: DeploymentFilter = { statuses: ['failed', 'deployed'], q: 'fix_1', from: window.from };
const successful: DeploymentFilter = { ...environmentList, statuses: ['completed', 'deployed'] };
const prefix: DeploymentFilter = { ...environmentList, version: { prefix: '1.4' } };

/** Each main query of the service, compiled on `dialect` without a connection. */
export function compileMainQueries(dialect: StoreDialect): Record<string, CompiledQuery[]> {
  const database = StoreDatabase.compileOnly(dialect);
  const deployments = new DeploymentsStore(database);
  const queries = new DeploymentsQueryStore(database);
  const insights = new InsightsStore(database);
  const environmentPage = deployments.environmentPageQueries(key, 3, 20);
  const platformPage = deployments.platformPageQueries(key, 1, 20);
  const created = {
    ...key,
    version: '1.2.3',
    changelog_url: 'https://example.com/changes',
    raw: '{}',
    status: 'deployed',
    date: database.sql.toDbDate(date),
  };
  return {
    'latest lookup': [deployments.latestVersionQuery(key, false).compile()],
    'latest successful lookup': [deployments.latestVersionQuery(key, true).compile()],
    'environment page': [environmentPage.rows.compile(), environmentPage.count.compile()],
    'platform page': [platformPage.rows.compile(), platformPage.count.compile()],
    home: [deployments.newestQuery(25).compile()],
    create: deployments.createStatements(created),
    'create, audited': deployments.createStatements(created, {
      stamp: { date, tokenName: 'ci', address: '10.0.0.1' },
      deployment: {
        ...key,
        version: '1.2.3',
        changelog_url: '',
        raw: '{}',
        status: 'deployed',
        date: date.toISOString(),
      },
    }),
    'query API, one environment, after a cursor': queries.compile(environmentList, { date, id: 42 }, 50),
    'query API, a search': queries.compile(search, undefined, 50),
    'query API, one environment, two statuses': queries.compile(successful, { date, id: 42 }, 50),
    'query API, one environment, a version prefix': queries.compile(prefix, undefined, 50, window.from),
    matrix: [insights.matrixQuery('api').compile()],
    'DORA counts': [insights.doraCountsQuery(window).compile()],
  };
}
