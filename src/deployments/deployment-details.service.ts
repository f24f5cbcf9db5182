import { badRequest, notFound } from '../errors.js';
import type { DeploymentDetailsStore, Neighbours, PendingChange } from '../store/deployment-details.store.js';
import type { EnvironmentKey } from './deployment.js';
import { name, namePart, versionId } from '../validation/names.js';
import type { CompareQuery, WholeDeployment } from './deployment-details.js';
import type { EnvironmentQuery } from './deployments.schemas.js';
import { environmentKey } from './deployments.service.js';

/** What promoting one environment's deployments to another would ship. */
export interface Comparison {
  workload: string;
  from: { platform: string; environment: string };
  to: { platform: string; environment: string };
  changes: PendingChange[];
}

/** Reads of whole deployments: by id, the one running in an environment, and comparisons. */
export class DeploymentDetailsService {
  constructor(private readonly store: DeploymentDetailsStore) {}

  /** The whole deployment; 404 when there is no such id. */
  async byId(versionIdInput: string): Promise<WholeDeployment> {
    const id = versionId(versionIdInput);
    const [deployment] = await this.store.wholeDeployments([id]);
    if (!deployment) throw notFound(`no deployment with versionId ${id}`);
    return deployment;
  }

  /** The deployments before and after one in its environment, and the one running there; 404 when none. */
  async neighbours(versionIdInput: string): Promise<Neighbours> {
    const id = versionId(versionIdInput);
    const neighbours = await this.store.neighbours(id);
    if (!neighbours) throw notFound(`no deployment with versionId ${id}`);
    return neighbours;
  }

  /** The newest successful deployment of an environment, whole; 404 when it has none. */
  async current(input: EnvironmentQuery): Promise<WholeDeployment> {
    const key = environmentKey(input);
    const deployment = await this.store.current(key);
    if (!deployment) {
      throw notFound(
        `no successful (deployed or completed) deployment for workload=${JSON.stringify(key.workload)}, ` +
          `platform=${JSON.stringify(key.platform)}, environment=${JSON.stringify(key.environment)}`,
      );
    }
    return deployment;
  }

  /** The changes that reached `from` and not `to`, newest commit first. */
  async compare(input: CompareQuery): Promise<Comparison> {
    const workload = name(input.workload, 'workload');
    const from = place(input.from, 'from');
    const to = place(input.to, 'to');
    if (from.platform === to.platform && from.environment === to.environment) {
      throw badRequest('from and to must be two different environments');
    }
    const key = (at: typeof from): EnvironmentKey => ({ workload, ...at });
    const changes = await this.store.compare(key(from), key(to));
    return { workload, from, to, changes };
  }
}

/** `PLATFORM/ENVIRONMENT`, split at the first `/` (a platform name cannot hold one here). */
function place(value: string, field: string): { platform: string; environment: string } {
  if (!value.includes('/')) {
    throw badRequest(`${field} must be PLATFORM/ENVIRONMENT, e.g. staging/staging`);
  }
  const slash = value.indexOf('/');
  return {
    platform: namePart(value.slice(0, slash), `${field} (its platform)`),
    environment: namePart(value.slice(slash + 1), `${field} (its environment)`),
  };
}
