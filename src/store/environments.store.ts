import type { StoreDatabase } from './database.js';
import { parseUtcDate } from './dialects/index.js';

/** A platform's environment as stored: its deployments over every workload and the tier set by hand, if any. */
export interface StoredEnvironment {
  platform: string;
  environment: string;
  workloads: number;
  deployments: number;
  tier: string | null;
  /** The newest environmentURL a deployment there sent, over every workload; null when none did. */
  url: string | null;
}

/** The queries of environments and their tiers; reads the small environments table, never `versions`. */
export class EnvironmentsStore {
  constructor(private readonly database: StoreDatabase) {}

  private get db() {
    return this.database.db;
  }

  /**
   * Every platform/environment that has deployments, sorted, with the tier set by hand (null when none) and
   * its newest URL: each workload's row points at its newest deployment that sent one (a primary-key read).
   */
  list(): Promise<StoredEnvironment[]> {
    return this.database.guard(async () => {
      const rows = await this.db
        .selectFrom('versions_environments as e')
        .leftJoin('versions_environment_tiers as t', (join) =>
          join.onRef('t.platform', '=', 'e.platform').onRef('t.environment', '=', 'e.environment'),
        )
        .leftJoin('versions as u', 'u.versions_id', 'e.environment_url_id')
        .leftJoin('versions_details as d', 'd.versions_id', 'e.environment_url_id')
        .select([
          'e.platform',
          'e.environment',
          'e.deployments',
          't.tier',
          'e.environment_url_id as url_id',
          'u.date as url_date',
          'd.environment_url as url',
        ])
        .orderBy('e.platform')
        .orderBy('e.environment')
        .orderBy('e.workload')
        .execute();
      // One row per workload, in the database's order of platform and environment: folded here, where the
      // newest URL over the workloads is one comparison instead of a second grouped query.
      const environments: Array<StoredEnvironment & { urlAt?: [number, number] }> = [];
      for (const row of rows) {
        let entry = environments.at(-1);
        if (!entry || entry.platform !== row.platform || entry.environment !== row.environment) {
          entry = {
            platform: row.platform,
            environment: row.environment,
            workloads: 0,
            deployments: 0,
            tier: null,
            url: null,
          };
          environments.push(entry);
        }
        entry.workloads += 1;
        entry.deployments += Number(row.deployments);
        entry.tier ??= row.tier ?? null;
        if (row.url && row.url_id !== null && row.url_date !== null) {
          const at: [number, number] = [parseUtcDate(row.url_date).getTime(), Number(row.url_id)];
          const newer =
            !entry.urlAt || at[0] > entry.urlAt[0] || (at[0] === entry.urlAt[0] && at[1] > entry.urlAt[1]);
          if (newer) Object.assign(entry, { url: row.url, urlAt: at });
        }
      }
      return environments.map(({ urlAt: _urlAt, ...entry }) => entry);
    });
  }

  /** Sets the tier of an environment, replacing the one set before. */
  setTier(platform: string, environment: string, tier: string): Promise<void> {
    // Delete then insert in one transaction: the same two statements on every database, where an upsert is
    // spelled two ways. Two requests racing on a new row may both insert: the loser runs again and replaces.
    const replace = () =>
      this.db.transaction().execute(async (trx) => {
        await trx
          .deleteFrom('versions_environment_tiers')
          .where('platform', '=', platform)
          .where('environment', '=', environment)
          .execute();
        await trx.insertInto('versions_environment_tiers').values({ platform, environment, tier }).execute();
      });
    return this.database.guard(() =>
      replace().catch((error: unknown) => {
        if (this.database.dialect.errors.isUnavailable(error)) throw error;
        return replace();
      }),
    );
  }
}
