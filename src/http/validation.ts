import { Ajv, type ErrorObject } from 'ajv';
import type { FastifyInstance, FastifySchema } from 'fastify';
import { TRIMMED } from '../validation/names.js';

/**
 * Bodies are checked strictly (a number where a string belongs is a 400), while query strings, which are
 * text by nature, are coerced ("2" becomes the integer 2). Fastify's default compiler coerces both.
 * Fields marked `x-trimmed` (names) are trimmed first, so that `maxLength` counts what is stored.
 */
export function installValidators(app: FastifyInstance): void {
  const options = { useDefaults: true, strict: false, verbose: true, allErrors: false } as const;
  const strict = new Ajv({ ...options, coerceTypes: false });
  const coercing = new Ajv({ ...options, coerceTypes: true });
  app.setValidatorCompiler(({ schema, httpPart }) => {
    const validate = (httpPart === 'body' ? strict : coercing).compile(schema as FastifySchema & object);
    const trimmed = trimmedFields(schema);
    if (trimmed.length === 0) return validate;
    // Ajv itself has no keyword that changes a value before `maxLength` sees it (ajv-keywords, which has
    // one, is not a dependency): the fields are trimmed in place, as Ajv's defaults and coercion change the
    // request's object in place.
    // Fastify reads the errors off the function it was given, as Ajv leaves them on its own.
    const trimming = (data: unknown) => {
      if (data !== null && typeof data === 'object' && !Array.isArray(data)) {
        const fields = data as Record<string, unknown>;
        for (const field of trimmed) {
          const value = fields[field];
          if (typeof value === 'string') fields[field] = value.trim();
        }
      }
      const valid = validate(data);
      trimming.errors = validate.errors;
      return valid;
    };
    trimming.errors = validate.errors;
    return trimming;
  });
}

/** The top-level properties of an object schema marked `x-trimmed`. */
function trimmedFields(schema: unknown): string[] {
  const properties = (schema as { properties?: Record<string, Record<string, unknown>> }).properties;
  if (!properties) return [];
  return Object.entries(properties)
    .filter(([, property]) => property[TRIMMED] === true)
    .map(([field]) => field);
}

/** One sentence naming the field, from Ajv's errors. */
export function describeValidationErrors(errors: ErrorObject[], part: string | undefined): string {
  const error = errors.find((candidate) => candidate.keyword === 'anyOf') ?? errors[0];
  if (!error) return 'the request is not valid';
  const field =
    error.keyword === 'required'
      ? String((error.params as { missingProperty: string }).missingProperty)
      : error.instancePath.replace(/^\//, '').replace(/\//g, '.');
  if (!field) {
    const where = part === 'body' ? 'the body' : part === 'querystring' ? 'the query string' : 'the request';
    return `${where} must be a JSON object or a form`;
  }
  const params = error.params as Record<string, unknown>;
  const custom = (error.parentSchema as Record<string, unknown> | undefined)?.['x-error'];
  switch (error.keyword) {
    case 'required':
      return `${field} is required`;
    case 'type':
      return `${field} must be ${withArticle(String(params.type))}`;
    case 'minimum':
      return `${field} must be at least ${String(params.limit)}`;
    case 'maximum':
      return `${field} must be at most ${String(params.limit)}`;
    case 'maxLength':
      return `${field} must be at most ${String(params.limit)} characters`;
    case 'anyOf':
      return `${field} ${typeof custom === 'string' ? custom : 'has the wrong type'}`;
    default:
      return `${field} ${error.message ?? 'is not valid'}`;
  }
}

function withArticle(type: string): string {
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}
