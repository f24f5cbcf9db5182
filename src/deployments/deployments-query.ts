// The rules of GET /deployments (issue 13): its filters as the service checks them, and its opaque keyset
// cursor. Pure logic, no database: the store turns a DeploymentFilter into SQL.
import { createHash } from 'node:crypto';
import { badRequest } from '../errors.js';
import { SUCCESSFUL_STATUSES } from './deployment.js';
import { MAX_NAME_LENGTH, optionalName } from '../validation/names.js';

/** Rows per page when `limit` is not given, and the most one page may hold. */
export const DEFAULT_LIMIT = 50;
export const MAX_LIMIT = 1000;
/** Longest `q`, `commit` or `version` filter: the columns they search are at most this long anyway. */
const MAX_SEARCH_LENGTH = 255;

/** What GET /deployments may be asked, checked: every field narrows the answer, none is required. */
export interface DeploymentFilter {
  workload?: string;
  platform?: string;
  environment?: string;
  /** Any of these (lower-cased; `successful` is expanded to deployed and completed). */
  statuses?: string[];
  /** The version exactly, or every version starting with `prefix`. */
  version?: { exact: string } | { prefix: string };
  /** A prefix of the commit SHA (lower-cased hex). */
  commit?: string;
  deployer?: string;
  /** Deployments dated from `from` to `to`, both included. */
  from?: Date;
  to?: Date;
  /** A substring of the version, the description or the commit, matched without regard to case. */
  q?: string;
}

/** Where a page starts: strictly older than this row (by date, then id). */
export interface CursorPosition {
  date: Date;
  id: number;
}

/** The filters as the schema let them through: strings, names at most 100 characters once trimmed. */
export type FilterInput = Partial<
  Record<
    | 'workload'
    | 'platform'
    | 'environment'
    | 'status'
    | 'version'
    | 'commit'
    | 'deployer'
    | 'from'
    | 'to'
    | 'q',
    string
  >
>;

/** Checks every filter; a 400 names the first bad parameter. */
export function parseFilter(input: FilterInput): DeploymentFilter {
  const filter: DeploymentFilter = {};
  for (const field of ['workload', 'platform', 'environment', 'deployer'] as const) {
    const value = optionalName(input[field], field);
    if (value !== undefined) filter[field] = value;
  }
  const statuses = optionalText(input.status, 'status', 1000);
  if (statuses !== undefined) filter.statuses = parseStatuses(statuses);
  const version = optionalText(input.version, 'version', MAX_NAME_LENGTH + 1);
  if (version !== undefined) {
    if (version.endsWith('*')) {
      const prefix = version.slice(0, -1);
      if (prefix === '' || prefix.includes('*')) {
        throw badRequest('version must be a version, or the start of one followed by a single *, e.g. 1.4*');
      }
      filter.version = { prefix };
    } else {
      if (version.includes('*')) throw badRequest('version may hold * only at its end, e.g. 1.4*');
      filter.version = { exact: version };
    }
  }
  const commit = optionalText(input.commit, 'commit', 64);
  if (commit !== undefined) {
    if (!/^[0-9a-f]+$/i.test(commit))
      throw badRequest('commit must be hexadecimal, the start of a commit SHA');
    filter.commit = commit.toLowerCase();
  }
  const from = optionalDate(input.from, 'from');
  const to = optionalDate(input.to, 'to');
  if (from && to && from.getTime() > to.getTime()) throw badRequest('from must not be after to');
  if (from) filter.from = from;
  if (to) filter.to = to;
  const q = optionalText(input.q, 'q', MAX_SEARCH_LENGTH);
  if (q !== undefined) filter.q = q;
  return filter;
}

function parseStatuses(text: string): string[] {
  const statuses = new Set<string>();
  for (const part of text.split(',')) {
    const status = part.trim().toLowerCase();
    if (status === '')
      throw badRequest('status must be a comma-separated list of statuses, e.g. failed,ongoing');
    if ([...status].length > MAX_NAME_LENGTH) {
      throw badRequest(`status must list statuses of at most ${MAX_NAME_LENGTH} characters`);
    }
    if (status === 'successful') for (const successful of SUCCESSFUL_STATUSES) statuses.add(successful);
    else statuses.add(status);
  }
  return [...statuses].sort();
}

/** The page size: 50 when absent, else a whole number from 1 to 1000 (a 400 otherwise, never a clamp). */
export function parseLimit(value: unknown): number {
  if (value === undefined || value === null || value === '') return DEFAULT_LIMIT;
  const text = typeof value === 'number' ? String(value) : typeof value === 'string' ? value.trim() : '';
  if (!/^\d+$/.test(text) || Number(text) < 1 || Number(text) > MAX_LIMIT) {
    throw badRequest(`limit must be a whole number from 1 to ${MAX_LIMIT}`);
  }
  return Number(text);
}

/**
 * The cursor of the page after `last`: base64url JSON of its date and id, and a digest of the filters it
 * was made for, so that a cursor handed to other filters is refused instead of skipping rows silently.
 */
export function encodeCursor(last: CursorPosition, scope: unknown): string {
  const payload = [last.date.toISOString(), last.id, scopeDigest(scope)];
  return Buffer.from(JSON.stringify(payload), 'utf8').toString('base64url');
}

/** The position a cursor points at; 400 naming `cursor` when it is not one of ours or was made for other filters. */
export function decodeCursor(value: unknown, scope: unknown): CursorPosition | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string' || value.length > 200 || !/^[A-Za-z0-9_-]+$/.test(value)) {
    throw badRequest('cursor is not valid: pass the nextCursor of a previous answer as it is');
  }
  let payload: unknown;
  try {
    payload = JSON.parse(Buffer.from(value, 'base64url').toString('utf8'));
  } catch {
    throw badRequest('cursor is not valid: pass the nextCursor of a previous answer as it is');
  }
  if (
    !Array.isArray(payload) ||
    payload.length !== 3 ||
    typeof payload[0] !== 'string' ||
    !Number.isSafeInteger(payload[1]) ||
    (payload[1] as number) < 1 ||
    typeof payload[2] !== 'string'
  ) {
    throw badRequest('cursor is not valid: pass the nextCursor of a previous answer as it is');
  }
  const date = new Date(payload[0]);
  if (Number.isNaN(date.getTime()) || date.toISOString() !== payload[0]) {
    throw badRequest('cursor is not valid: pass the nextCursor of a previous answer as it is');
  }
  if (payload[2] !== scopeDigest(scope)) {
    throw badRequest(
      'cursor was made for other filters: start again without it, or keep the filters it came with',
    );
  }
  return { date, id: payload[1] as number };
}

/** A short digest of what a cursor is bound to (the checked filters, which serialise in a fixed order). */
function scopeDigest(scope: unknown): string {
  return createHash('sha256').update(JSON.stringify(scope)).digest('base64url').slice(0, 12);
}

/** An optional text parameter: absent or blank means none; otherwise trimmed, bounded, without NUL. */
function optionalText(value: string | undefined, field: string, maxLength: number): string | undefined {
  const trimmed = optionalName(value, field);
  if (trimmed !== undefined && [...trimmed].length > maxLength) {
    throw badRequest(`${field} must be at most ${maxLength} characters`);
  }
  return trimmed;
}

const ISO_DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:[.,]\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/i;

/** An ISO 8601 date and time with a zone (a date without one would depend on the server's zone). */
function optionalDate(value: string | undefined, field: string): Date | undefined {
  const text = optionalText(value, field, 40);
  if (text === undefined) return undefined;
  if (!ISO_DATE_TIME.test(text)) {
    throw badRequest(
      `${field} must be an ISO 8601 date and time with a time zone, e.g. 2024-05-01T00:00:00Z`,
    );
  }
  const date = new Date(text.replace(',', '.').replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
  if (Number.isNaN(date.getTime()) || date.getUTCFullYear() < 1970 || date.getUTCFullYear() > 9999) {
    throw badRequest(`${field} is not a valid date between 1970 and 9999, e.g. 2024-05-01T00:00:00Z`);
  }
  return date;
}
