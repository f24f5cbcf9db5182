// How request fields bind to an endpoint's fields, as they did in the Go original (Gin 1.6 over Go's net/http
// and encoding/json), so that every client built against it keeps working. docs/compatibility.md lists
// every difference that remains, with its reason.
import multipart from '@fastify/multipart';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError } from '../errors.js';

/**
 * Parses a query string or a form body (`a=1&b=2`) keeping the first value of a repeated field, as the Go
 * original did: Gin binds `form.Get(name)`, so `platform=a&platform=c` means platform `a`. Pipelines that append
 * fields in a loop send such bodies. Used for both query strings and forms, so every endpoint agrees; JSON bodies
 * never come here, and a JSON array where a string belongs stays a 400.
 */
export function parseFirstValues(text: string): Record<string, string> {
  // The platform's URLSearchParams decodes as browsers and Go's url.ParseQuery do ('+' is a space); a
  // prototype-less object keeps a field named __proto__ an ordinary field.
  const fields: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const [name, value] of new URLSearchParams(text)) {
    if (!(name in fields)) fields[name] = value;
  }
  return fields;
}

/**
 * Before validation, a POST's body is completed the way Gin bound it:
 * - a form, or a POST without a body, also takes its fields from the query string (Gin's form binding reads
 *   Go's `Request.Form`: the body's fields first, then the query string's), so that
 *   `curl -XPOST '.../update/status?versionId=14&status=deployed'` keeps working;
 * - a multipart form (`curl -F workload=teamX ...`) binds its fields, the first of a repeated one, and
 *   ignores its files and the query string, as Gin's multipart binding did;
 * - a JSON object's keys match the fields whatever their case (`Workload`, `changelogurl`), as Go's
 *   encoding/json matched them: an exact match first, else one that differs only in case, a later key
 *   overwriting an earlier one. A JSON body takes nothing from the query string, as Gin's JSON binding took nothing.
 */
export async function installRequestBinding(app: FastifyInstance, bodyLimit: number): Promise<void> {
  // The multipart plugin only parses what a handler asks for (request.parts() below); its limits bound each
  // field by the body limit and the number of parts, and files are drained unread.
  await app.register(multipart, {
    limits: {
      fieldSize: bodyLimit,
      fileSize: bodyLimit,
      fields: MAX_MULTIPART_FIELDS,
      parts: MAX_MULTIPART_FIELDS,
    },
  });
  app.addHook('preValidation', async (request) => {
    if (request.method !== 'POST') return;
    const fields = bodyFields(request);
    if (!fields) return;
    if (request.isMultipart()) {
      request.body = await multipartFields(request, bodyLimit);
      return;
    }
    const query = request.query as Record<string, string> | undefined;
    const hasQuery = query !== undefined && Object.keys(query).length > 0;
    if (request.body === undefined) {
      if (hasQuery) request.body = { ...query };
    } else if (isForm(request)) {
      if (hasQuery) request.body = { ...query, ...(request.body as Record<string, string>) };
    } else if (isPlainObject(request.body)) {
      request.body = withFieldNames(request.body, fields);
    }
  });
}

/** Parts of a multipart body beyond this are refused (413): no endpoint has a tenth as many fields. */
const MAX_MULTIPART_FIELDS = 100;

/** A multipart body's fields, the first value of each, at most `bodyLimit` bytes in all; files are drained. */
async function multipartFields(request: FastifyRequest, bodyLimit: number): Promise<Record<string, string>> {
  const fields: Record<string, string> = Object.create(null) as Record<string, string>;
  let size = 0;
  for await (const part of request.parts()) {
    if (part.type === 'file') {
      // Gin bound no file to a string field; the upload is read to its end and thrown away.
      part.file.resume();
      continue;
    }
    const value = typeof part.value === 'string' ? part.value : JSON.stringify(part.value);
    size += Buffer.byteLength(value) + Buffer.byteLength(part.fieldname);
    if (part.valueTruncated || size > bodyLimit) {
      throw new AppError(
        413,
        `the body is larger than ${bodyLimit} bytes (APP_BODY_LIMIT); send a smaller raw payload`,
      );
    }
    if (!(part.fieldname in fields)) fields[part.fieldname] = value;
  }
  return fields;
}

/** The names of the fields the route's body schema declares; undefined when it declares none. */
function bodyFields(request: FastifyRequest): Map<string, string> | undefined {
  const schema = request.routeOptions.schema?.body as { properties?: Record<string, unknown> } | undefined;
  if (!schema?.properties) return schema ? new Map() : undefined;
  return new Map(Object.keys(schema.properties).map((name) => [name.toLowerCase(), name]));
}

function isForm(request: FastifyRequest): boolean {
  return /^application\/x-www-form-urlencoded\b/i.test(request.headers['content-type'] ?? '');
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The object with each key renamed to the field it matches case-insensitively, when it matches none exactly. */
function withFieldNames(body: Record<string, unknown>, fields: Map<string, string>): Record<string, unknown> {
  const names = new Set(fields.values());
  let renamed: Record<string, unknown> | undefined;
  for (const key of Object.keys(body)) {
    if (names.has(key) || !fields.has(key.toLowerCase())) continue;
    renamed = {};
    break;
  }
  if (!renamed) return body;
  for (const [key, value] of Object.entries(body)) {
    const field = names.has(key) ? key : (fields.get(key.toLowerCase()) ?? key);
    renamed[field] = value;
  }
  return renamed;
}
