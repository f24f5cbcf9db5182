import type { Actor } from '../audit/audit.js';
import type { ReadCache } from '../cache/read-cache.js';
import { badRequest, notFound } from '../errors.js';
import type { DeploymentEvents } from '../events/deployment-events.js';
import type { Deployment } from './deployment.js';
import {
  decodeCursor,
  encodeCursor,
  parseFilter,
  parseLimit,
  type CursorPosition,
  type DeploymentFilter,
} from './deployments-query.js';
import type {
  DeploymentsQueryStore,
  ExportedDeployment,
  ListedDeployment,
} from '../store/deployments-query.store.js';
import { versionId } from '../validation/names.js';
import type { DeploymentsQuery } from './deployments-query.schemas.js';
import { auditStamp } from './deployments.service.js';

/**
 * Rows read per query of an export: large enough to amortise a round trip, small enough that a batch's row
 * objects are gone before the garbage collector's second young-generation pass. Longer-lived, they are
 * promoted to the old generation, which then grows until a full collection: 2,000 rows a batch took a
 * million-row export's server to 225–252 MB, 500 keep it under 170 MB (bench/README.md, issue 13).
 */
const EXPORT_BATCH = 500;

/** GET /deployments's query, as its schema lets it through. */
export type ListInput = DeploymentsQuery;

export interface DeploymentList {
  items: ListedDeployment[];
  nextCursor: string | null;
}

/** A checked export: what to read, from where, and whether to carry the payload. */
export interface ExportRequest {
  filter: DeploymentFilter;
  after: CursorPosition | undefined;
  includeRaw: boolean;
}

export interface DeploymentsQueryServiceDeps {
  store: DeploymentsQueryStore;
  cache: ReadCache;
  events: DeploymentEvents;
  /** Append every delete to the audit log, in the delete's own transaction. */
  audited: boolean;
  now?: () => Date;
}

/** GET /deployments (pages and exports) and DELETE /deployments/{versionId}. */
export class DeploymentsQueryService {
  constructor(private readonly deps: DeploymentsQueryServiceDeps) {}

  /** A page of deployments matching the filters, newest first; `nextCursor` is null on the last page. */
  async list(input: ListInput): Promise<DeploymentList> {
    const { filter, after, includeRaw } = this.exportRequest(input);
    const limit = parseLimit(input.limit);
    // One more than asked tells whether there is a next page without counting.
    const rows = await this.deps.store.page(filter, after, limit + 1, includeRaw);
    const items = rows.slice(0, limit);
    const last = items.at(-1);
    return {
      items,
      nextCursor:
        rows.length > limit && last
          ? encodeCursor({ date: new Date(last.date), id: last.versions_id }, filter)
          : null,
    };
  }

  /** Checks an export's parameters (before any byte is sent, so that a bad one is still a 400). */
  exportRequest(input: ListInput): ExportRequest {
    const filter = parseFilter(input);
    const includeRaw = parseInclude(input.include);
    return { filter, after: decodeCursor(input.cursor, filter), includeRaw };
  }

  /** Every matching deployment, newest first and flat, a bounded batch at a time. */
  batches(request: ExportRequest): AsyncGenerator<ExportedDeployment[]> {
    return this.deps.store.batches(request.filter, request.after, request.includeRaw, EXPORT_BATCH);
  }

  /** Removes a mistaken deployment from every read and count; 404 when there is no such id. */
  async remove(versionIdInput: string, actor: Actor | undefined): Promise<Deployment> {
    const id = versionId(versionIdInput);
    const stamp = this.deps.audited ? auditStamp(actor, this.deps.now) : undefined;
    const deployment = await this.deps.store.remove(id, stamp);
    if (!deployment) throw notFound(`no deployment with versionId ${id}`);
    await this.deps.cache.invalidate();
    this.deps.events.publish({ event: 'deleted', origin: 'local', deployment });
    return deployment;
  }
}

/** `include=raw` adds the payload; nothing else may be included. */
function parseInclude(value: string | undefined): boolean {
  if (value === undefined || value === '') return false;
  if (value === 'raw') return true;
  throw badRequest('include must be raw, the only field lists leave out');
}
