// The receivers of notifications as APP_NOTIFY declares them (and APP_WEBHOOK_URLS, which become `webhook`
// receivers), checked once at start-up, and the filters that decide which events each one gets.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import picomatch from 'picomatch';
import { SUCCESSFUL_STATUSES } from '../deployments/deployment.js';

export const RECEIVER_KINDS = ['slack', 'teams', 'grafana', 'webhook'] as const;
export type ReceiverKind = (typeof RECEIVER_KINDS)[number];

/** Which events a receiver gets; every given condition must hold, an absent one holds always. */
export interface ReceiverFilter {
  /** Globs (`*`, `?`, `[...]`, `{a,b}`), matched against the whole name. */
  workload?: string;
  platform?: string;
  environment?: string;
  /** Statuses after the write, lower-cased; `successful` stands for deployed and completed. */
  status?: string[];
}

export interface NotifyReceiver {
  kind: ReceiverKind;
  url: string;
  /** Grafana: the service-account token, sent as `Authorization: Bearer`. */
  token?: string;
  /** webhook: the HMAC key, when it is not APP_WEBHOOK_SECRET. */
  secret?: string;
  filter?: ReceiverFilter;
}

/** A receiver's address as logs and errors may show it: its origin only (chat webhooks carry secrets in paths). */
export function describeReceiver(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return '(invalid URL)';
  }
}

/**
 * APP_NOTIFY's receivers: its value is a JSON array, or `@path` of a file holding one (relative to `cwd`).
 * Throws an Error whose message names the entry and what is wrong, never a URL's path or a token.
 */
export function parseNotifyReceivers(value: string | undefined, cwd: string): NotifyReceiver[] {
  if (value === undefined) return [];
  let text = value;
  if (value.startsWith('@')) {
    const path = resolve(cwd, value.slice(1));
    try {
      text = readFileSync(path, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? String(error);
      throw new Error(`cannot read the file ${path} (${code})`);
    }
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    // JSON.parse's message quotes the text, which may hold a URL's secret path: only say where it broke.
    throw new Error(
      'must be a JSON array of receivers, e.g. [{"kind":"slack","url":"https://hooks.slack.com/services/..."}]',
    );
  }
  if (!Array.isArray(parsed)) throw new Error('must be a JSON array of receivers');
  return parsed.map((entry, index) => parseReceiver(entry, index + 1));
}

const KEYS = ['kind', 'url', 'token', 'secret', 'filter'];
const FILTER_KEYS = ['workload', 'platform', 'environment', 'status'];

function parseReceiver(entry: unknown, number: number): NotifyReceiver {
  const fail = (message: string): never => {
    const kind = isObject(entry) && typeof entry.kind === 'string' ? ` (${entry.kind})` : '';
    throw new Error(`entry #${number}${kind}: ${message}`);
  };
  if (!isObject(entry)) return fail('must be an object with "kind" and "url"');
  const unknown = Object.keys(entry).find((key) => !KEYS.includes(key));
  if (unknown !== undefined) fail(`unknown field "${unknown}" (fields: ${KEYS.join(', ')})`);
  const kind = entry.kind;
  if (typeof kind !== 'string' || !(RECEIVER_KINDS as readonly string[]).includes(kind)) {
    fail(`"kind" must be one of ${RECEIVER_KINDS.join(', ')}`);
  }
  const receiver: NotifyReceiver = { kind: kind as ReceiverKind, url: parseUrl(entry.url, fail) };
  if (entry.token !== undefined) {
    if (kind !== 'grafana') fail('"token" is for grafana receivers (the others carry theirs in the URL)');
    if (typeof entry.token !== 'string' || entry.token.trim() === '')
      fail('"token" must be a non-empty string');
    receiver.token = (entry.token as string).trim();
  } else if (kind === 'grafana') {
    fail('"token" is required: a Grafana service-account token with the annotations:write permission');
  }
  if (entry.secret !== undefined) {
    if (kind !== 'webhook') fail('"secret" is for webhook receivers');
    if (typeof entry.secret !== 'string' || entry.secret === '') fail('"secret" must be a non-empty string');
    receiver.secret = entry.secret as string;
  }
  if (entry.filter !== undefined) receiver.filter = parseFilter(entry.filter, fail);
  return receiver;
}

function parseUrl(url: unknown, fail: (message: string) => never): string {
  if (typeof url !== 'string') return fail('"url" must be an http(s) URL');
  let parsed: URL;
  try {
    parsed = new URL(url.trim());
  } catch {
    return fail('"url" must be an http(s) URL');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    fail(`"url" must be an http(s) URL (got ${parsed.protocol})`);
  }
  return url.trim();
}

function parseFilter(filter: unknown, fail: (message: string) => never): ReceiverFilter {
  if (!isObject(filter)) return fail('"filter" must be an object');
  const unknown = Object.keys(filter).find((key) => !FILTER_KEYS.includes(key));
  if (unknown !== undefined) fail(`unknown filter "${unknown}" (filters: ${FILTER_KEYS.join(', ')})`);
  const result: ReceiverFilter = {};
  for (const name of ['workload', 'platform', 'environment'] as const) {
    const glob = filter[name];
    if (glob === undefined) continue;
    if (typeof glob !== 'string' || glob.trim() === '') fail(`filter "${name}" must be a glob string`);
    result[name] = (glob as string).trim();
  }
  if (filter.status !== undefined) {
    const statuses = filter.status;
    if (
      !Array.isArray(statuses) ||
      statuses.length === 0 ||
      !statuses.every((status) => typeof status === 'string' && status.trim() !== '')
    ) {
      fail('filter "status" must be a non-empty array of statuses, e.g. ["failed"]');
    }
    result.status = (statuses as string[]).map((status) => status.trim().toLowerCase());
  }
  return result;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** What a filter looks at: the deployment's names and its status after the write. */
export interface FilterSubject {
  workload: string;
  platform: string;
  environment: string;
  status: string;
}

/** The filter as a test; one that always holds when there is no filter. */
export function compileFilter(filter: ReceiverFilter | undefined): (subject: FilterSubject) => boolean {
  if (!filter) return () => true;
  // bash: a `*` also spans a `/`, as it would in a shell pattern over names (names are not paths).
  const glob = (pattern: string | undefined) =>
    pattern === undefined ? () => true : picomatch(pattern, { bash: true, dot: true });
  const workload = glob(filter.workload);
  const platform = glob(filter.platform);
  const environment = glob(filter.environment);
  const statuses = filter.status?.flatMap((status) =>
    status === 'successful' ? [...SUCCESSFUL_STATUSES] : [status],
  );
  return (subject) =>
    workload(subject.workload) &&
    platform(subject.platform) &&
    environment(subject.environment) &&
    (statuses === undefined || statuses.includes(subject.status));
}
