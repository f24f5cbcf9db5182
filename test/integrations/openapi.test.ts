// /api/v1/openapi.json: valid OpenAPI 3 (checked by a validator library), generated from the routes, complete.
import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/test-app.js';

type Operation = {
  summary?: string;
  tags?: string[];
  security?: unknown[];
  parameters?: Array<{ name: string; in: string }>;
  requestBody?: { content: Record<string, unknown> };
  responses: Record<string, unknown>;
};
type OpenApiDocument = {
  openapi: string;
  info: { version: string };
  paths: Record<string, Record<string, Operation>>;
};

/** Every method and path the app routes under /api/, read from Fastify's own route tree. */
function apiRoutes(t: TestApp): Array<[string, string]> {
  const routes: Array<[string, string]> = [];
  // Each line is a node: its indentation (4 characters a level) says under which path its segment goes.
  const stack: string[] = [];
  for (const line of t.app.printRoutes({ commonPrefix: false }).split('\n')) {
    const match = /^([│ ]*)[├└]── (.*?)(?: \(([A-Z, ]+)\))?$/.exec(line);
    if (!match) continue;
    const [, indent = '', segment = '', methods = ''] = match;
    const depth = indent.length / 4;
    const route = (depth > 0 ? (stack[depth - 1] ?? '') : '') + segment;
    stack[depth] = route;
    stack.length = depth + 1;
    if (!route.startsWith('/api/')) continue;
    // Fastify's `/deployments/:id` is OpenAPI's `/deployments/{id}`.
    const path = route.replace(/:(\w+)/g, '{$1}');
    for (const method of methods ? methods.split(', ') : []) {
      if (method !== 'HEAD' && method !== 'OPTIONS') routes.push([method.toLowerCase(), path]);
    }
  }
  return routes;
}

async function fetchDocument(t: TestApp, headers: Record<string, string> = {}): Promise<OpenApiDocument> {
  const response = await t.app.inject({ method: 'GET', url: '/api/v1/openapi.json', headers });
  expect(response.statusCode).toBe(200);
  expect(response.headers['content-type']).toMatch(/^application\/json/);
  return response.json();
}

describe('the OpenAPI document', () => {
  let t: TestApp;
  let document: OpenApiDocument;
  beforeAll(async () => {
    t = await createTestApp('sqlite');
    document = await fetchDocument(t);
  });
  afterAll(() => t?.close());

  it('is valid OpenAPI 3.1', async () => {
    const validator = new Validator();
    const result = await validator.validate(structuredClone(document));
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
    expect(document.info.version).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('describes every API route the app has, and nothing else', () => {
    const routes = apiRoutes(t);
    expect(routes.length).toBeGreaterThanOrEqual(12);
    for (const [method, path] of routes) {
      expect(document.paths[path]?.[method], `${method.toUpperCase()} ${path}`).toBeDefined();
    }
    const described = Object.entries(document.paths).flatMap(([path, operations]) =>
      Object.keys(operations).map((method) => `${method} ${path}`),
    );
    expect(described.sort()).toEqual(routes.map(([method, path]) => `${method} ${path}`).sort());
    expect(Object.keys(document.paths).every((path) => path.startsWith('/api/v1/'))).toBe(true);
  });

  it("names the contract's endpoints, each with a summary and a tag", () => {
    const expected = [
      'get /api/v1/health',
      'get /api/v1/healthz',
      'post /api/v1/create',
      'post /api/v1/update/status',
      'get /api/v1/read/environment',
      'get /api/v1/read/platform',
      'get /api/v1/read/home',
      'get /api/v1/read/distinct/workloads',
      'get /api/v1/read/raw',
      'get /api/v1/read/raw/id',
      'get /api/v1/read/environment/latest',
      'get /api/v1/read/environment/latest/whatever',
      'get /api/v1/stats/latest',
      'get /api/v1/openapi.json',
    ];
    for (const name of expected) {
      const [method = '', path = ''] = name.split(' ');
      expect(document.paths[path]?.[method], name).toBeDefined();
    }
    for (const [path, operations] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        expect(operation.summary, `${method} ${path} has a summary`).toBeTruthy();
        expect(operation.tags?.length, `${method} ${path} has a tag`).toBeGreaterThan(0);
      }
    }
  });

  it('carries the shapes and examples of the route schemas, JSON and form bodies alike', () => {
    const create = document.paths['/api/v1/create']?.post;
    expect(Object.keys(create?.requestBody?.content ?? {})).toEqual([
      'application/json',
      'application/x-www-form-urlencoded',
    ]);
    expect(JSON.stringify(create?.requestBody)).toContain('"examples":["teamX"]');
    expect(JSON.stringify(create?.responses['201'])).toContain('"versionId"');
    expect(Object.keys(create?.responses ?? {})).toEqual(expect.arrayContaining(['201', '400']));
    const page = document.paths['/api/v1/read/environment']?.get;
    expect(page?.parameters?.map((parameter) => parameter.name)).toEqual(
      expect.arrayContaining(['workload', 'platform', 'environment', 'page', 'rangeLimit']),
    );
    const row = JSON.stringify(document.paths['/api/v1/read/raw/id']?.get?.responses['200']);
    for (const column of ['versions_id', 'changelog_url', 'raw', 'status', 'date'])
      expect(row).toContain(column);
  });

  it('publishes the name limit as maxLength, in bodies and query strings alike', () => {
    type Schema = { properties?: Record<string, { maxLength?: number }> };
    const body = (
      document.paths['/api/v1/create']?.post?.requestBody?.content['application/json'] as {
        schema: Schema;
      }
    )?.schema;
    for (const field of ['workload', 'platform', 'environment', 'version', 'status'])
      expect(body?.properties?.[field]?.maxLength, field).toBe(100);
    const query = document.paths['/api/v1/stats/dora']?.get?.parameters as
      Array<{ name: string; schema?: { maxLength?: number } }> | undefined;
    expect(query?.find((parameter) => parameter.name === 'workload')?.schema?.maxLength).toBe(100);
  });

  it('asks for no token when none is configured', () => {
    for (const operations of Object.values(document.paths)) {
      for (const operation of Object.values(operations)) expect(operation.security).toBeUndefined();
    }
  });
});

describe('the OpenAPI document of a server with tokens', () => {
  let t: TestApp;
  afterAll(() => t?.close());

  it('marks the guarded operations with the bearer scheme and a 401, the health probes without, and stays valid', async () => {
    t = await createTestApp('sqlite', {
      env: { APP_API_TOKENS: 'writer-secret', APP_READ_TOKENS: 'reader-secret' },
    });
    const document = await fetchDocument(t, { authorization: 'Bearer reader-secret' });
    expect(JSON.stringify(document)).not.toMatch(/writer-secret|reader-secret/);
    const result = await new Validator().validate(structuredClone(document));
    expect(result.errors ?? []).toEqual([]);

    const create = document.paths['/api/v1/create']?.post;
    expect(create?.security).toEqual([{ bearerAuth: [] }]);
    expect(create?.responses['401']).toBeDefined();
    expect(document.paths['/api/v1/read/home']?.get?.security).toEqual([{ bearerAuth: [] }]);
    expect(document.paths['/api/v1/health']?.get?.security).toBeUndefined();
    expect(document.paths['/api/v1/healthz']?.get?.security).toBeUndefined();
  });
});
