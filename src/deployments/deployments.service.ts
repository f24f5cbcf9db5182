import type { Actor, AuditStamp } from '../audit/audit.js';
import type { ReadCache } from '../cache/read-cache.js';
import { AppError, badRequest, notFound } from '../errors.js';
import { eventDetails } from './deployment-details.js';
import { detailsOf, statusNoteOf } from './details-input.js';
import type { DeploymentEvents } from '../events/deployment-events.js';
import type { DeploymentsStore } from '../store/deployments.store.js';
import {
  checkNoNul,
  MAX_URL_LENGTH,
  name,
  optionalName,
  statusName,
  versionId,
} from '../validation/names.js';
import type {
  DailyStatusCount,
  Deployment,
  DeploymentWithTotal,
  EnvironmentKey,
  PlatformKey,
} from './deployment.js';
import type {
  CreateBody,
  EnvironmentQuery,
  PlatformPageQuery,
  RawQuery,
  UpdateStatusBody,
  VersionIdInput,
} from './deployments.schemas.js';
import { latestStatsFrom } from './deployment.js';

/** How far in the future a backfill `date` may be, for clocks that drift a little. */
const MAX_CLOCK_SKEW_MS = 5 * 60 * 1000;
const HOME_SIZE = 25;

export interface Page {
  page: number;
  rangeLimit: number;
}

export interface DeploymentsServiceDeps {
  store: DeploymentsStore;
  cache: ReadCache;
  events: DeploymentEvents;
  now?: () => Date;
  /** APP_ANSWER_LIMIT: most bytes of payloads (`raw`) one list answer carries. */
  answerLimit?: number;
  /** Append every write to the audit log with who made it, in the write's own transaction; off without it. */
  audited?: boolean;
}

/** The rules of recording and reading deployments; routes call it, it calls the store. */
export class DeploymentsService {
  private readonly store: DeploymentsStore;
  private readonly cache: ReadCache;
  private readonly events: DeploymentEvents;
  private readonly now: () => Date;
  private readonly answerLimit: number;
  private readonly audited: boolean;

  constructor(deps: DeploymentsServiceDeps) {
    this.store = deps.store;
    this.cache = deps.cache;
    this.events = deps.events;
    this.now = deps.now ?? (() => new Date());
    this.answerLimit = deps.answerLimit ?? Infinity;
    this.audited = deps.audited ?? false;
  }

  /** Checks and stores a new deployment; returns its id. */
  async create(input: CreateBody, actor?: Actor): Promise<number> {
    const now = this.now();
    const deployment = {
      workload: name(input.workload, 'workload'),
      platform: name(input.platform, 'platform'),
      environment: name(input.environment, 'environment'),
      version: name(input.version, 'version'),
      status: optionalName(input.status, 'status')?.toLowerCase() ?? 'deployed',
      changelog_url: changelogUrl(input.changelogURL),
      raw: optionalText(input.raw, 'raw'),
      date: input.date === undefined || input.date.trim() === '' ? now : pastDate(input.date, now),
    };
    const tokenName = actor?.tokenName ?? undefined;
    const details = detailsOf(input, tokenName);
    // The event (SSE, webhooks, notifications) and the audit log carry the row and what the deployment knows
    // of its change.
    const written = { ...deployment, date: deployment.date.toISOString(), ...eventDetails(details) };
    const audit = this.audited ? { stamp: auditStamp(actor, () => now), deployment: written } : undefined;
    const id = await this.store.create(deployment, { details, setBy: tokenName, audit });
    await this.cache.invalidate();
    const created = { versions_id: id, ...written };
    this.events.publish({ event: 'created', origin: 'local', deployment: created });
    return id;
  }

  /** Sets a deployment's status; 404 when there is no such deployment. */
  async updateStatus(input: UpdateStatusBody, actor?: Actor): Promise<void> {
    const id = versionId(input.versionId);
    const newStatus = statusName(input.status);
    const note = statusNoteOf(input, actor?.tokenName ?? undefined);
    const now = this.now();
    const stamp = this.audited ? auditStamp(actor, () => now) : undefined;
    // The status it already had: nothing happened, so nothing is announced (no event, no webhook) or audited.
    const updated = await this.store.updateStatus(id, newStatus, now, note, stamp);
    if (!updated) throw notFound(`no deployment with versionId ${id}`);
    await this.cache.invalidate();
    if (!updated.changed) return;
    this.events.publish({ event: 'status', origin: 'local', deployment: updated.deployment });
  }

  async environmentPage(keyInput: EnvironmentQuery, page: Page): Promise<DeploymentWithTotal[]> {
    const key = environmentKey(keyInput);
    const { rows, total, ...fit } = await this.cache.read(cacheKey('environment', key, page), () =>
      this.store.environmentPage(key, page.page, page.rangeLimit, this.answerLimit),
    );
    if (!fit.complete) throw this.pageTooLarge(page, fit.fitting);
    if (rows.length === 0) throw notFound(`no deployments${describe(key)}${describePage(page, total)}`);
    return rows.map((row) => withTotal(row, total));
  }

  async platformPage(keyInput: PlatformPageQuery, page: Page): Promise<DeploymentWithTotal[]> {
    const key: PlatformKey = {
      workload: name(keyInput.workload, 'workload'),
      platform: name(keyInput.platform, 'platform'),
    };
    const { rows, total, ...fit } = await this.cache.read(cacheKey('platform', key, page), () =>
      this.store.platformPage(key, page.page, page.rangeLimit, this.answerLimit),
    );
    if (!fit.complete) throw this.pageTooLarge(page, fit.fitting);
    if (rows.length === 0) throw notFound(`no deployments${describe(key)}${describePage(page, total)}`);
    return rows.map((row) => withTotal(row, total));
  }

  /**
   * The newest deployments over everything (empty when the database is); fewer than 25 when their payloads
   * would pass APP_ANSWER_LIMIT (always the newest one).
   */
  home(): Promise<Deployment[]> {
    return this.cache.read(cacheKey('home'), () => this.store.newest(HOME_SIZE, this.answerLimit));
  }

  /**
   * A page whose payloads pass APP_ANSWER_LIMIT is refused whole rather than cut short: a client counting
   * pages would skip the rows left out. The client asks for fewer rows per page instead.
   */
  private pageTooLarge(page: Page, fitting: number): AppError {
    return badRequest(
      `rangeLimit: the ${page.rangeLimit} deployments of this page carry more than ${this.answerLimit} bytes ` +
        `of raw payloads (APP_ANSWER_LIMIT); ask for fewer per page (the first ${fitting} fit)`,
    );
  }

  distinctWorkloads(): Promise<EnvironmentKey[]> {
    return this.cache.read(cacheKey('environments'), () => this.store.environments());
  }

  /** The payload of the newest deployment of that version in that environment. */
  async raw(input: RawQuery): Promise<string> {
    const key = environmentKey(input);
    const version = name(input.version, 'version');
    const deployment = await this.cache.read(cacheKey('raw', key, version), () =>
      this.store.newestOfVersion(key, version),
    );
    if (!deployment) throw notFound(`no deployment of version ${JSON.stringify(version)}${describe(key)}`);
    return deployment.raw;
  }

  async byId(versionIdInput: VersionIdInput): Promise<Deployment> {
    const id = versionId(versionIdInput);
    const deployment = await this.cache.read(cacheKey('id', id), () => this.store.byId(id));
    if (!deployment) throw notFound(`no deployment with versionId ${id}`);
    return deployment;
  }

  /** The version of the newest deployment; with `successfulOnly`, of the newest deployed or completed one. */
  async latestVersion(input: EnvironmentQuery, successfulOnly: boolean): Promise<string> {
    const key = environmentKey(input);
    // A key of its own: replicas still running the previous release cache whole rows under 'latest'.
    const version = await this.cache.read(cacheKey('latest-version', key, successfulOnly), () =>
      this.store.latestVersion(key, successfulOnly),
    );
    if (version === undefined) {
      throw notFound(
        `no ${successfulOnly ? 'successful (deployed or completed) ' : ''}deployment${describe(key)}`,
      );
    }
    return version;
  }

  /** Deployments of the last 10 UTC days (today included), counted per day and status. */
  latestStats(): Promise<DailyStatusCount[]> {
    const from = latestStatsFrom(this.now());
    return this.cache.read(cacheKey('stats', from.toISOString()), () => this.store.dailyStatusCounts(from));
  }
}

/**
 * A page's row with the page's total, written out field by field: V8 moved the objects `{ ...row, total }`
 * made to its old generation under load, which grew the heap several times over (bench/README.md).
 */
function withTotal(row: Deployment, total: number): DeploymentWithTotal {
  return {
    versions_id: row.versions_id,
    workload: row.workload,
    platform: row.platform,
    environment: row.environment,
    version: row.version,
    changelog_url: row.changelog_url,
    raw: row.raw,
    status: row.status,
    date: row.date,
    total,
  };
}

function cacheKey(...parts: unknown[]): string {
  return JSON.stringify(parts);
}

function isBlank(value: unknown): boolean {
  return value === undefined || value === null || (typeof value === 'string' && value.trim() === '');
}

/** Optional text: 'N/A' when missing or empty, as the original stored it. */
function optionalText(value: CreateBody['raw'], field: string): string {
  if (isBlank(value)) return 'N/A';
  // A payload sent as a JSON object rather than a string is kept as its JSON text.
  const text = typeof value === 'object' ? JSON.stringify(value) : value;
  if (typeof text !== 'string') throw badRequest(`${field} must be a string`);
  checkNoNul(text, field);
  return text;
}

function changelogUrl(value: string | undefined): string {
  const url = optionalText(value, 'changelogURL').trim() || 'N/A';
  if ([...url].length > MAX_URL_LENGTH)
    throw badRequest(`changelogURL must be at most ${MAX_URL_LENGTH} characters`);
  return url;
}

const ISO_DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:[.,]\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/i;

/** A backfill date: ISO 8601 with a time zone, not in the future. */
function pastDate(value: string, now: Date): Date {
  if (!ISO_DATE_TIME.test(value.trim())) {
    throw badRequest('date must be an ISO 8601 date and time with a time zone, e.g. 2024-05-01T12:30:00Z');
  }
  const normalised = value
    .trim()
    .replace(',', '.')
    .replace(/([+-]\d{2})(\d{2})$/, '$1:$2');
  const date = new Date(normalised);
  if (Number.isNaN(date.getTime()) || date.getUTCFullYear() < 1970) {
    throw badRequest('date is not a valid date after 1970, e.g. 2024-05-01T12:30:00Z');
  }
  if (date.getTime() > now.getTime() + MAX_CLOCK_SKEW_MS) throw badRequest('date must not be in the future');
  return date;
}

/** Who made a write and when, as the store appends it to the audit log. */
export function auditStamp(actor: Actor | undefined, now: () => Date = () => new Date()): AuditStamp {
  return { date: now(), tokenName: actor?.tokenName ?? null, address: actor?.address ?? null };
}

/** The three names of an environment, each checked. */
export function environmentKey(input: EnvironmentQuery): EnvironmentKey {
  return {
    workload: name(input.workload, 'workload'),
    platform: name(input.platform, 'platform'),
    environment: name(input.environment, 'environment'),
  };
}

function describe(key: Partial<EnvironmentKey>): string {
  const parts = Object.entries(key).map(([field, value]) => `${field}=${JSON.stringify(value)}`);
  return ` for ${parts.join(', ')}`;
}

function describePage(page: Page, total: number): string {
  if (page.page === 1 || total === 0) return '';
  return ` on page ${page.page} (there are ${total}, ${Math.ceil(total / page.rangeLimit)} pages of ${page.rangeLimit})`;
}
