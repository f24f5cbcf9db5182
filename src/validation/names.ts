// The rules of names (workload, platform, environment, version, status) in one place. What JSON Schema can say
// is in the schemas built here (a string, at most 100 characters once trimmed: `maxLength`, with the value
// trimmed before validation, see src/http/validation.ts); what it cannot say stays in the functions below,
// which every service calls on the typed values the schemas let through: trimming for the service's own use,
// "not blank", "no NUL", lower-cased statuses, and deployment ids sent as numbers or numeric strings.
import { Type, type StringOptions } from '@sinclair/typebox';
import { badRequest } from '../errors.js';

/** Longest workload, platform, environment, version and status (the columns are varchar(100)). */
export const MAX_NAME_LENGTH = 100;
/** Longest changelog URL: browsers and proxies stop at a few thousand characters anyway. */
export const MAX_URL_LENGTH = 4096;
/** The largest deployment id: the column is a 32-bit integer in every database the original created. */
export const MAX_VERSION_ID = 2_147_483_647;

/**
 * Schema annotation: the string is trimmed before validation, so that `maxLength` counts the characters
 * that are stored ("at most 100 characters after trimming white space", as the original had it).
 */
export const TRIMMED = 'x-trimmed';

/** A name in a schema: a string of at most 100 characters after trimming white space. */
export function NameSchema(options: StringOptions = {}) {
  return Type.String({
    description: `At most ${MAX_NAME_LENGTH} characters after trimming white space.`,
    ...options,
    maxLength: MAX_NAME_LENGTH,
    [TRIMMED]: true,
  });
}

/** A required name: trimmed, not blank, no NUL (its type and length were checked by the schema). */
export function name(value: string, field: string): string {
  const trimmed = value.trim();
  if (trimmed === '') throw badRequest(`${field} must not be blank`);
  checkNoNul(trimmed, field);
  return trimmed;
}

/**
 * A name cut out of a larger value (`from=staging/eu-west-1`, a path segment), whose length no schema sees:
 * a name with the length checked here.
 */
export function namePart(value: string, field: string): string {
  const trimmed = name(value, field);
  if ([...trimmed].length > MAX_NAME_LENGTH) {
    throw badRequest(`${field} must be at most ${MAX_NAME_LENGTH} characters`);
  }
  return trimmed;
}

/** An optional name, e.g. a filter: absent or blank means none; otherwise trimmed, no NUL. */
export function optionalName(value: string | undefined, field: string): string | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  if (trimmed === '') return undefined;
  checkNoNul(trimmed, field);
  return trimmed;
}

/** Statuses are free text, stored lower-cased. */
export function statusName(value: string): string {
  return name(value, 'status').toLowerCase();
}

/** PostgreSQL refuses NUL in text, and no name or URL means one: a 400 naming the field on every database. */
export function checkNoNul(value: string, field: string): void {
  if (value.includes('\u0000')) throw badRequest(`${field} must not contain NUL (\\u0000) characters`);
}

/** A deployment id: a positive integer, as a number or a numeric string (400 otherwise). */
export function versionId(value: number | string | undefined): number {
  if (value === undefined || value === '') throw badRequest('versionId is required');
  const text = typeof value === 'number' ? String(value) : value.trim();
  // A leading + is taken, as Go's strconv.ParseInt took it in the original's forms.
  if (!/^\+?\d+$/.test(text) || Number(text) < 1 || Number(text) > MAX_VERSION_ID) {
    throw badRequest('versionId must be a positive integer (a number or a numeric string, e.g. 14 or "14")');
  }
  return Number(text);
}
