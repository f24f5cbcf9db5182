import { latestStatsFrom, type DailyStatusCount } from '../deployments/deployment.js';
import type { StoreDatabase } from './database.js';
import type { PoolStats } from './dialects/index.js';
import { DeploymentsStore } from './deployments.store.js';

/**
 * What a metrics scrape reads from the database: the pool's connections and the figures of /stats/latest,
 * straight from the database (never from a cache, so a scrape shows the database as it is).
 */
export class StatsStore {
  private readonly deployments: DeploymentsStore;

  constructor(
    private readonly database: StoreDatabase,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.deployments = new DeploymentsStore(database);
  }

  /** Connections of the database pool in use and idle. */
  poolStats(): PoolStats {
    return this.database.poolStats();
  }

  /** Deployments of the last 10 UTC days per day, environment and status, as /api/v1/stats/latest counts them. */
  latestDailyCounts(): Promise<DailyStatusCount[]> {
    return this.deployments.dailyStatusCounts(latestStatsFrom(this.now()));
  }
}
