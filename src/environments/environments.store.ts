import type { StoreDialect } from '../store/dialects/index.js';
import { guardUnavailable } from '../store/unavailable.js';

/** A platform's environment as stored: its deployments over every workload and the tier set by hand, if any. */
export interface StoredEnvironment {
  platform: string;
  environment: string;
  workloads: number;
  deployments: number;
  tier: string | null;
}

/** The queries of environments and their tiers; reads the small environments table, never `versions`. */
export class EnvironmentsStore {
  constructor(private readonly dialect: StoreDialect) {}

  private get db() {
    return this.dialect.db;
  }

  /** Every platform/environment that has deployments, sorted, with the tier set by hand (null when none). */
  list(): Promise<StoredEnvironment[]> {
    return this.guard(async () => {
      const rows = await this.db
        .selectFrom('versions_environments as e')
        .leftJoin('versions_environment_tiers as t', (join) =>
          join.onRef('t.platform', '=', 'e.platform').onRef('t.environment', '=', 'e.environment'),
        )
        .select((eb) => [
          'e.platform',
          'e.environment',
          eb.fn.countAll<number | string>().as('workloads'),
          eb.fn.sum<number | string>('e.deployments').as('deployments'),
          eb.fn.max('t.tier').as('tier'),
        ])
        .groupBy(['e.platform', 'e.environment'])
        .orderBy('e.platform')
        .orderBy('e.environment')
        .execute();
      return rows.map((row) => ({
        platform: row.platform,
        environment: row.environment,
        workloads: Number(row.workloads),
        deployments: Number(row.deployments),
        tier: row.tier ?? null,
      }));
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
    return this.guard(() =>
      replace().catch((error: unknown) => {
        if (this.dialect.isUnavailable(error)) throw error;
        return replace();
      }),
    );
  }

  /** Database work, "unreachable" answered as 503 (store/unavailable.ts). */
  private guard<T>(work: () => Promise<T>): Promise<T> {
    return guardUnavailable(this.dialect, work);
  }
}
