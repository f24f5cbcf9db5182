import { badRequest, notFound } from '../errors.js';
import { namePart } from '../validation/names.js';
import type { EnvironmentsStore } from '../store/environments.store.js';
import { inferTier, isTier, TIERS, type Tier } from './tiers.js';

/** A platform's environment with its tier, as GET /environments lists it. */
export interface Environment {
  platform: string;
  environment: string;
  tier: Tier;
  /** `set`: given by PUT /environments/...; `inferred`: from the names. */
  tierSource: 'set' | 'inferred';
  /** How many workloads deployed there, and how many deployments they made. */
  workloads: number;
  deployments: number;
  /** Where it answers: the newest environmentURL a deployment there sent (any workload); null when none. */
  url: string | null;
}

/** Environments and their tiers: listed for the UI, set by hand, resolved for DORA's `tier` filter. */
export class EnvironmentsService {
  constructor(private readonly store: EnvironmentsStore) {}

  /** Every platform/environment with deployments, sorted by platform then environment, with its tier. */
  async list(): Promise<Environment[]> {
    const rows = await this.store.list();
    return rows.map((row) => ({
      platform: row.platform,
      environment: row.environment,
      tier: isTier(row.tier) ? row.tier : inferTier(row.platform, row.environment),
      tierSource: isTier(row.tier) ? 'set' : 'inferred',
      workloads: row.workloads,
      deployments: row.deployments,
      url: row.url,
    }));
  }

  /** Sets an environment's tier; 400 on a bad name or tier, 404 when nothing was ever deployed there. */
  async setTier(platformInput: string, environmentInput: string, tierInput: string): Promise<Environment> {
    // Path segments: the schema sees strings, their length is checked here.
    const platform = namePart(platformInput, 'platform');
    const environment = namePart(environmentInput, 'environment');
    if (!isTier(tierInput)) throw badRequest(`tier must be one of ${TIERS.join(', ')}`);
    const known = (await this.list()).find(
      (entry) => entry.platform === platform && entry.environment === environment,
    );
    if (!known) throw notFound(`no deployment recorded in platform ${platform}, environment ${environment}`);
    await this.store.setTier(platform, environment, tierInput);
    return { ...known, tier: tierInput, tierSource: 'set' };
  }

  /** The platform/environment pairs of a tier, for DORA's `tier` filter; 400 when `tier` is not one. */
  async environmentsOf(tierInput: string): Promise<Array<{ platform: string; environment: string }>> {
    if (!isTier(tierInput)) throw badRequest(`tier must be one of ${TIERS.join(', ')}`);
    const environments = await this.list();
    return environments
      .filter((entry) => entry.tier === tierInput)
      .map(({ platform, environment }) => ({ platform, environment }));
  }
}
