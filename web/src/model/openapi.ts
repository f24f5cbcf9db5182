// Reads the server's OpenAPI 3.1 document (GET /api/v1/openapi.json) into what the API page shows: the
// operations grouped by tag, their parameters, body fields and answers in plain words, and a curl line for
// each. Only what the generated document uses is understood; anything else is shown by its type name.

/** The parts of a JSON Schema the page reads. */
export interface JsonSchema {
  $ref?: string;
  type?: string | string[];
  format?: string;
  description?: string;
  examples?: unknown[];
  example?: unknown;
  default?: unknown;
  enum?: unknown[];
  const?: unknown;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  additionalProperties?: boolean | JsonSchema;
  nullable?: boolean;
}

export interface OpenApiParameter {
  name: string;
  in: string;
  required?: boolean;
  description?: string;
  schema?: JsonSchema;
  example?: unknown;
}

interface OpenApiContent {
  schema?: JsonSchema;
}

export interface OpenApiOperation {
  summary?: string;
  description?: string;
  tags?: string[];
  deprecated?: boolean;
  parameters?: OpenApiParameter[];
  requestBody?: { required?: boolean; description?: string; content?: Record<string, OpenApiContent> };
  responses?: Record<string, { description?: string; content?: Record<string, OpenApiContent> }>;
  security?: Array<Record<string, string[]>>;
}

export interface OpenApiDocument {
  openapi?: string;
  info?: { title?: string; version?: string; description?: string };
  tags?: Array<{ name: string; description?: string }>;
  paths?: Record<string, Record<string, OpenApiOperation | unknown>>;
  components?: { schemas?: Record<string, JsonSchema> };
  security?: Array<Record<string, string[]>>;
}

export interface FieldRow {
  /** `version`, or `current.version` for a field of a nested object. */
  name: string;
  type: string;
  required: boolean;
  description: string;
  /** The first example (or the default) as JSON text; '' when there is none. */
  example: string;
}

export interface ParameterRow extends FieldRow {
  /** Where it goes: query, path, header. */
  in: string;
}

export interface ResponseRow {
  status: string;
  description: string;
  contentType: string;
  /** What the body is, in words: `object`, `array of object`; '' when there is no body. */
  type: string;
  /** The fields of a successful answer's body, one level of nesting deep. */
  fields: FieldRow[];
}

export interface ApiOperation {
  /** A unique, simple element id: `get-api-v1-read-matrix`. */
  id: string;
  method: string;
  path: string;
  summary: string;
  description: string;
  deprecated: boolean;
  /** The server asks for a bearer token here. */
  needsToken: boolean;
  parameters: ParameterRow[];
  body: { required: boolean; contentTypes: string[]; type: string; fields: FieldRow[] } | null;
  responses: ResponseRow[];
  /** The answer is a stream of server-sent events. */
  streams: boolean;
}

export interface ApiGroup {
  tag: string;
  description: string;
  operations: ApiOperation[];
}

export interface ApiReference {
  title: string;
  version: string;
  openapi: string;
  description: string;
  groups: ApiGroup[];
}

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

/** Follows a `#/components/schemas/…` reference (a few levels at most); other schemas are returned as they are. */
function resolve(document: OpenApiDocument, schema: JsonSchema | undefined, depth = 0): JsonSchema {
  if (!schema) return {};
  if (!schema.$ref || depth > 8) return schema;
  const name = /^#\/components\/schemas\/(.+)$/.exec(schema.$ref)?.[1];
  const target = name === undefined ? undefined : document.components?.schemas?.[decodeURIComponent(name)];
  return target ? resolve(document, target, depth + 1) : schema;
}

/** The alternatives of a union, or the schema alone. */
function alternatives(document: OpenApiDocument, schema: JsonSchema): JsonSchema[] {
  const union = schema.anyOf ?? schema.oneOf;
  return union ? union.map((part) => resolve(document, part)) : [schema];
}

/** A schema's type in words: `string (date-time)`, `integer, 1 to 1000`, `object or null`, `array of object`. */
export function describeType(document: OpenApiDocument, input: JsonSchema | undefined): string {
  const schema = resolve(document, input);
  const union = schema.anyOf ?? schema.oneOf;
  if (union) {
    const names = [...new Set(union.map((part) => describeType(document, part)))];
    return names.join(' or ');
  }
  if (schema.allOf && schema.allOf.length === 1) return describeType(document, schema.allOf[0]);
  if (schema.const !== undefined) return JSON.stringify(schema.const);
  if (schema.enum) return `one of ${schema.enum.map((value) => JSON.stringify(value)).join(', ')}`;
  const types = Array.isArray(schema.type) ? schema.type : schema.type ? [schema.type] : [];
  if (types.length === 0) return schema.properties ? 'object' : 'any';
  const described = types.map((type) => {
    if (type === 'array') return `array of ${describeType(document, schema.items)}`;
    let text = type;
    if (schema.format) text += ` (${schema.format})`;
    if (schema.minimum !== undefined && schema.maximum !== undefined) {
      text += `, ${schema.minimum} to ${schema.maximum}`;
    } else if (schema.minimum !== undefined) text += `, at least ${schema.minimum}`;
    else if (schema.maximum !== undefined) text += `, at most ${schema.maximum}`;
    return text;
  });
  if (schema.nullable) described.push('null');
  return described.join(' or ');
}

/** The first example a schema gives (or its default); undefined when none. */
export function exampleOf(document: OpenApiDocument, input: JsonSchema | undefined): unknown {
  const schema = resolve(document, input);
  if (schema.examples && schema.examples.length > 0) return schema.examples[0];
  if (schema.example !== undefined) return schema.example;
  if (schema.default !== undefined) return schema.default;
  if (schema.const !== undefined) return schema.const;
  if (schema.enum && schema.enum.length > 0) return schema.enum[0];
  for (const part of schema.anyOf ?? schema.oneOf ?? []) {
    const example = exampleOf(document, part);
    if (example !== undefined) return example;
  }
  return undefined;
}

const exampleText = (value: unknown) => (value === undefined ? '' : JSON.stringify(value));

/** The object a schema describes, looking through `array of` and `… or null`; null when it is not one. */
function objectOf(document: OpenApiDocument, input: JsonSchema | undefined): JsonSchema | null {
  const schema = resolve(document, input);
  if (schema.properties) return schema;
  if (schema.type === 'array' && schema.items) return objectOf(document, schema.items);
  const objects = alternatives(document, schema).filter((part) => part.properties);
  return objects.length === 1 ? (objects[0] ?? null) : null;
}

/** The fields of an object schema (or of the objects of an array), nested objects' fields as `a.b`. */
export function schemaFields(
  document: OpenApiDocument,
  input: JsonSchema | undefined,
  prefix = '',
  depth = 0,
): FieldRow[] {
  const object = objectOf(document, input);
  if (!object?.properties) return [];
  const required = new Set(object.required ?? []);
  return Object.entries(object.properties).flatMap(([name, raw]) => {
    const schema = resolve(document, raw);
    const row: FieldRow = {
      name: `${prefix}${name}`,
      type: describeType(document, schema),
      required: required.has(name),
      description: schema.description ?? '',
      example: exampleText(exampleOf(document, schema)),
    };
    const nested = depth < 1 ? schemaFields(document, schema, `${prefix}${name}.`, depth + 1) : [];
    return [row, ...nested];
  });
}

function operationId(method: string, path: string): string {
  const slug = `${method}-${path}`
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
  return slug || 'operation';
}

function readOperation(
  document: OpenApiDocument,
  method: string,
  path: string,
  operation: OpenApiOperation,
): ApiOperation {
  const parameters: ParameterRow[] = (operation.parameters ?? []).map((parameter) => ({
    name: parameter.name,
    in: parameter.in,
    type: describeType(document, parameter.schema),
    required: parameter.required === true,
    description: parameter.description ?? parameter.schema?.description ?? '',
    example: exampleText(parameter.example ?? exampleOf(document, parameter.schema)),
  }));

  const bodyContent = operation.requestBody?.content ?? {};
  const contentTypes = Object.keys(bodyContent);
  const bodySchema = (bodyContent['application/json'] ?? Object.values(bodyContent)[0])?.schema;
  const body = operation.requestBody
    ? {
        required: operation.requestBody.required === true,
        contentTypes,
        type: describeType(document, bodySchema),
        fields: schemaFields(document, bodySchema),
      }
    : null;

  const responses = Object.entries(operation.responses ?? {})
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([status, response]) => {
      const [contentType, content] = Object.entries(response.content ?? {})[0] ?? ['', undefined];
      const schema = content?.schema;
      return {
        status,
        // @fastify/swagger's placeholder for an answer its route did not describe says nothing.
        description: response.description === 'Default Response' ? '' : (response.description ?? ''),
        contentType,
        type: schema ? describeType(document, schema) : '',
        fields: status.startsWith('2') && schema ? schemaFields(document, schema) : [],
      };
    });

  const security = operation.security ?? document.security ?? [];
  return {
    id: operationId(method, path),
    method: method.toUpperCase(),
    path,
    summary: operation.summary ?? '',
    description: operation.description ?? '',
    deprecated: operation.deprecated === true,
    needsToken: security.some((requirement) => Object.keys(requirement).length > 0),
    parameters,
    body,
    responses,
    streams: responses.some((response) => response.contentType === 'text/event-stream'),
  };
}

/** The document as the page shows it: operations grouped by tag, in the document's tag order. */
export function readApiDocument(document: OpenApiDocument): ApiReference {
  const groups = new Map<string, ApiGroup>();
  for (const tag of document.tags ?? []) {
    groups.set(tag.name, { tag: tag.name, description: tag.description ?? '', operations: [] });
  }
  for (const [path, item] of Object.entries(document.paths ?? {})) {
    for (const [method, operation] of Object.entries(item ?? {})) {
      if (!METHODS.includes(method) || !operation || typeof operation !== 'object') continue;
      const read = readOperation(document, method, path, operation as OpenApiOperation);
      const tag = (operation as OpenApiOperation).tags?.[0] ?? 'other';
      let group = groups.get(tag);
      if (!group) groups.set(tag, (group = { tag, description: '', operations: [] }));
      group.operations.push(read);
    }
  }
  return {
    title: document.info?.title ?? 'API',
    version: document.info?.version ?? '',
    openapi: document.openapi ?? '',
    description: document.info?.description ?? '',
    groups: [...groups.values()].filter((group) => group.operations.length > 0),
  };
}

/** A word in single quotes for a POSIX shell: `it's` → `'it'\''s'`. */
export function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/** What a required field or parameter without an example is sent as in the curl line. */
function placeholder(row: FieldRow): unknown {
  if (row.type.startsWith('integer') || row.type.startsWith('number')) return 1;
  if (row.type.startsWith('boolean')) return true;
  return row.name;
}

function exampleValue(row: FieldRow): unknown {
  return row.example === '' ? placeholder(row) : (JSON.parse(row.example) as unknown);
}

/**
 * A curl line that calls the operation on `origin` with the examples of its required parameters and body
 * fields; the token is read from $VERSIONS_TOKEN (as the CLI does) where the server asks for one.
 */
export function curlCommand(operation: ApiOperation, origin: string): string {
  let path = operation.path;
  const query = new URLSearchParams();
  for (const parameter of operation.parameters) {
    if (!parameter.required) continue;
    const raw = exampleValue(parameter);
    const value = typeof raw === 'string' ? raw : JSON.stringify(raw);
    if (parameter.in === 'path') path = path.replace(`{${parameter.name}}`, encodeURIComponent(value));
    else if (parameter.in === 'query') query.set(parameter.name, value);
  }
  const url = `${origin}${path}${query.toString() ? `?${query}` : ''}`;
  const parts = ['curl', operation.streams ? '-sSN' : '-sS'];
  if (operation.method !== 'GET') parts.push('-X', operation.method);
  parts.push(shellQuote(url));
  if (operation.needsToken) parts.push('-H', '"Authorization: Bearer $VERSIONS_TOKEN"');
  if (operation.body) {
    const body: Record<string, unknown> = {};
    for (const field of operation.body.fields) {
      if (field.required && !field.name.includes('.')) body[field.name] = exampleValue(field);
    }
    parts.push('-H', shellQuote('Content-Type: application/json'), '-d', shellQuote(JSON.stringify(body)));
  }
  return parts.join(' ');
}

/** Text with `inline code` spans, split for rendering as text and <code> elements (never as HTML). */
export function splitInlineCode(text: string): Array<{ code: boolean; text: string }> {
  return text
    .split(/(`[^`\n]+`)/)
    .filter((part) => part !== '')
    .map((part) =>
      part.length > 2 && part.startsWith('`') && part.endsWith('`')
        ? { code: true, text: part.slice(1, -1) }
        : { code: false, text: part },
    );
}
