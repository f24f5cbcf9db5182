// The rules of the fields that tell a deployment's change (commit, ref, repository, deployer, links,
// description, changes) and of the note a status update may carry. Each bad value is a 400 naming it.
import { badRequest } from '../errors.js';
import { checkNoNul } from '../validation/names.js';
import type { NewChange, NewDetails, StatusNote } from './deployment-details.js';

/** Longest ref (a branch or tag name; git allows more, hosting services do not). */
const MAX_REF_LENGTH = 255;
const MAX_DEPLOYER_LENGTH = 100;
const MAX_DESCRIPTION_LENGTH = 1000;
const MAX_TITLE_LENGTH = 500;
const MAX_AUTHOR_LENGTH = 100;
/** Most changes one deployment may bring: a longer list is a CLI computing the range wrong. */
export const MAX_CHANGES = 1000;
/** Longest link: browsers and proxies stop at a few thousand characters anyway. */
const MAX_LINK_LENGTH = 4096;
/** A hex SHA: abbreviated (7) up to SHA-256 (64). */
const COMMIT = /^[0-9a-f]{7,64}$/i;
const ISO_DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:[.,]\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/i;

/** The detail fields as they arrive (JSON or form), before any checks. */
export interface DetailsInput {
  commit?: unknown;
  ref?: unknown;
  repository?: unknown;
  deployer?: unknown;
  logURL?: unknown;
  environmentURL?: unknown;
  description?: unknown;
  changes?: unknown;
}

/**
 * The checked details of a create; `tokenName` is the deployer when none is sent. Undefined when nothing
 * was sent (the deployment then stores no details row).
 */
export function detailsOf(input: DetailsInput, tokenName?: string): NewDetails | undefined {
  const details: NewDetails = {
    commit: optional(input.commit, 'commit', commitSha),
    ref: optional(input.ref, 'ref', (value, field) => text(value, field, MAX_REF_LENGTH)),
    repository: optional(input.repository, 'repository', link),
    deployer: optional(input.deployer, 'deployer', (value, field) => text(value, field, MAX_DEPLOYER_LENGTH)),
    logURL: optional(input.logURL, 'logURL', link),
    environmentURL: optional(input.environmentURL, 'environmentURL', link),
    description: optional(input.description, 'description', (value, field) =>
      text(value, field, MAX_DESCRIPTION_LENGTH),
    ),
    changes: changes(input.changes),
  };
  details.deployer ??= tokenName;
  const empty =
    details.changes.length === 0 &&
    Object.entries(details).every(([field, value]) => field === 'changes' || value === undefined);
  return empty ? undefined : details;
}

/** The checked note of a status update: its description and log link, and who set it. */
export function statusNoteOf(
  input: { description?: unknown; logURL?: unknown },
  tokenName?: string,
): StatusNote {
  return {
    setBy: tokenName,
    description: optional(input.description, 'description', (value, field) =>
      text(value, field, MAX_DESCRIPTION_LENGTH),
    ),
    logURL: optional(input.logURL, 'logURL', link),
  };
}

function isBlank(value: unknown): boolean {
  return value === undefined || value === null || (typeof value === 'string' && value.trim() === '');
}

/** A field that may be left out (or blank, as forms send it): undefined then, else checked. */
function optional<T>(value: unknown, field: string, check: (value: unknown, field: string) => T) {
  return isBlank(value) ? undefined : check(value, field);
}

function text(value: unknown, field: string, max: number): string {
  if (typeof value !== 'string') throw badRequest(`${field} must be a string`);
  const trimmed = value.trim();
  checkNoNul(trimmed, field);
  if ([...trimmed].length > max) throw badRequest(`${field} must be at most ${max} characters`);
  return trimmed;
}

/** A hex SHA of 7 to 64 characters, stored lower-cased so that one commit has one spelling. */
function commitSha(value: unknown, field: string): string {
  if (typeof value !== 'string' || !COMMIT.test(value.trim())) {
    throw badRequest(`${field} must be a hex commit SHA of 7 to 64 characters`);
  }
  return value.trim().toLowerCase();
}

/** An absolute http or https URL: the UI turns it into a link, so no other scheme is stored. */
function link(value: unknown, field: string): string {
  const trimmed = text(value, field, MAX_LINK_LENGTH);
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    throw badRequest(`${field} must be an http or https URL`);
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.hostname === '') {
    throw badRequest(`${field} must be an http or https URL`);
  }
  return trimmed;
}

function isoDate(value: unknown, field: string): Date {
  if (typeof value !== 'string' || !ISO_DATE_TIME.test(value.trim())) {
    throw badRequest(
      `${field} must be an ISO 8601 date and time with a time zone, e.g. 2024-05-01T12:30:00Z`,
    );
  }
  const date = new Date(
    value
      .trim()
      .replace(',', '.')
      .replace(/([+-]\d{2})(\d{2})$/, '$1:$2'),
  );
  if (Number.isNaN(date.getTime()) || date.getUTCFullYear() < 1970) {
    throw badRequest(`${field} is not a valid date after 1970`);
  }
  return date;
}

/** The commits a create brings: a JSON array (forms cannot carry it) of distinct commits. */
function changes(value: unknown): NewChange[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) {
    throw badRequest(
      'changes must be a JSON array of {commit, committedAt, title?, author?} (JSON bodies only)',
    );
  }
  if (value.length > MAX_CHANGES) throw badRequest(`changes must hold at most ${MAX_CHANGES} commits`);
  const seen = new Set<string>();
  return value.map((item: unknown, index) => {
    // Named as the body validator names them (changes.0.commit), so both kinds of error read alike.
    const field = `changes.${index}`;
    if (typeof item !== 'object' || item === null || Array.isArray(item)) {
      throw badRequest(`${field} must be an object {commit, committedAt, title?, author?}`);
    }
    const entry = item as Record<string, unknown>;
    const unknown = Object.keys(entry).find(
      (key) => !['commit', 'committedAt', 'title', 'author'].includes(key),
    );
    if (unknown !== undefined) throw badRequest(`${field}.${unknown} is not a field of a change`);
    if (isBlank(entry.commit)) throw badRequest(`${field}.commit is required`);
    if (isBlank(entry.committedAt)) throw badRequest(`${field}.committedAt is required`);
    const commit = commitSha(entry.commit, `${field}.commit`);
    if (seen.has(commit)) throw badRequest(`${field}.commit repeats commit ${commit}`);
    seen.add(commit);
    return {
      commit,
      committedAt: isoDate(entry.committedAt, `${field}.committedAt`),
      title: optional(entry.title, `${field}.title`, (title, name) => text(title, name, MAX_TITLE_LENGTH)),
      author: optional(entry.author, `${field}.author`, (author, name) =>
        text(author, name, MAX_AUTHOR_LENGTH),
      ),
    };
  });
}
