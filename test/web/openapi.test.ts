// The API page's reading of an OpenAPI document: groups, types in words, fields, and a working curl line.
import { describe, expect, it } from 'vitest';
import {
  curlCommand,
  describeType,
  readApiDocument,
  schemaFields,
  shellQuote,
  splitInlineCode,
  type OpenApiDocument,
} from '../../web/src/model/openapi.js';

const document: OpenApiDocument = {
  openapi: '3.1.0',
  info: { title: 'versions', version: '2.0.0', description: 'Errors are `{"error": "..."}`.' },
  tags: [
    { name: 'deployments', description: 'Record and read' },
    { name: 'unused', description: 'No operation' },
  ],
  components: {
    schemas: { Error: { type: 'object', properties: { error: { type: 'string' } }, required: ['error'] } },
  },
  paths: {
    '/api/v1/create': {
      post: {
        tags: ['deployments'],
        summary: 'Record a deployment',
        security: [{ bearerAuth: [] }],
        requestBody: {
          required: true,
          content: {
            'application/json': {
              schema: {
                type: 'object',
                required: ['workload', 'version'],
                properties: {
                  workload: { type: 'string', examples: ["team's X"] },
                  version: { type: 'string', description: 'The version.' },
                  date: { type: 'string', examples: ['2024-05-01T12:30:00Z'] },
                },
              },
            },
            'application/x-www-form-urlencoded': { schema: { type: 'object' } },
          },
        },
        responses: {
          '400': {
            description: 'Bad',
            content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
          },
          '201': {
            description: 'Default Response',
            content: {
              'application/json': {
                schema: { type: 'object', properties: { versionId: { type: 'integer' } } },
              },
            },
          },
        },
      },
    },
    '/api/v1/read/matrix': {
      get: {
        tags: ['deployments'],
        summary: 'What runs where',
        parameters: [
          { name: 'workload', in: 'query', required: false, schema: { type: 'string' }, example: 'teamX' },
          {
            name: 'days',
            in: 'query',
            required: true,
            schema: { type: 'integer', minimum: 1, maximum: 3650, default: 30 },
          },
        ],
        responses: {
          '200': {
            description: 'One entry per environment',
            content: {
              'application/json': {
                schema: {
                  type: 'array',
                  items: {
                    type: 'object',
                    required: ['current'],
                    properties: {
                      current: {
                        anyOf: [
                          { type: 'object', properties: { version: { type: 'string' } } },
                          { type: 'null' },
                        ],
                      },
                    },
                  },
                },
              },
            },
          },
        },
      },
      parameters: [],
    },
    '/api/v1/events': {
      get: {
        responses: {
          '200': {
            description: 'A stream',
            content: { 'text/event-stream': { schema: { type: 'string' } } },
          },
        },
      },
    },
  },
};

describe('readApiDocument', () => {
  const reference = readApiDocument(document);

  it('groups operations by their first tag, in the document’s order, leaving out empty tags', () => {
    expect(
      reference.groups.map((group) => [group.tag, group.operations.map((op) => `${op.method} ${op.path}`)]),
    ).toEqual([
      ['deployments', ['POST /api/v1/create', 'GET /api/v1/read/matrix']],
      ['other', ['GET /api/v1/events']],
    ]);
    expect(reference.groups[0]!.operations[0]!.id).toBe('post-api-v1-create');
  });

  it('reads parameters, body fields, responses and the need for a token', () => {
    const [create, matrix] = reference.groups[0]!.operations;
    expect(create!.needsToken).toBe(true);
    expect(matrix!.needsToken).toBe(false);
    expect(create!.body?.contentTypes).toEqual(['application/json', 'application/x-www-form-urlencoded']);
    expect(create!.body?.fields.map((field) => [field.name, field.required, field.example])).toEqual([
      ['workload', true, '"team\'s X"'],
      ['version', true, ''],
      ['date', false, '"2024-05-01T12:30:00Z"'],
    ]);
    expect(
      create!.responses.map((response) => [response.status, response.description, response.type]),
    ).toEqual([
      ['201', '', 'object'],
      ['400', 'Bad', 'object'],
    ]);
    expect(create!.responses[0]!.fields.map((field) => field.name)).toEqual(['versionId']);
    expect(
      matrix!.parameters.map((parameter) => [parameter.name, parameter.type, parameter.example]),
    ).toEqual([
      ['workload', 'string', '"teamX"'],
      ['days', 'integer, 1 to 3650', '30'],
    ]);
    expect(matrix!.responses[0]!.fields.map((field) => [field.name, field.type])).toEqual([
      ['current', 'object or null'],
      ['current.version', 'string'],
    ]);
  });
});

describe('describeType and schemaFields', () => {
  it('puts types in words', () => {
    expect(describeType(document, { type: 'string', format: 'date-time' })).toBe('string (date-time)');
    expect(describeType(document, { anyOf: [{ type: 'integer' }, { type: 'string' }] })).toBe(
      'integer or string',
    );
    expect(describeType(document, { type: 'array', items: { $ref: '#/components/schemas/Error' } })).toBe(
      'array of object',
    );
    expect(describeType(document, { type: 'string', enum: ['OK'] })).toBe('one of "OK"');
    expect(describeType(document, {})).toBe('any');
  });

  it('follows references to the components', () => {
    expect(schemaFields(document, { $ref: '#/components/schemas/Error' })).toEqual([
      { name: 'error', type: 'string', required: true, description: '', example: '' },
    ]);
  });
});

describe('curlCommand', () => {
  const reference = readApiDocument(document);
  const [create, matrix] = reference.groups[0]!.operations;

  it('calls a GET with its required parameters’ examples', () => {
    expect(curlCommand(matrix!, 'http://versions.example:8080')).toBe(
      "curl -sS 'http://versions.example:8080/api/v1/read/matrix?days=30'",
    );
  });

  it('posts the required body fields as JSON, quoted for the shell, with the token when needed', () => {
    expect(curlCommand(create!, 'http://h')).toBe(
      `curl -sS -X POST 'http://h/api/v1/create' -H "Authorization: Bearer $VERSIONS_TOKEN" ` +
        `-H 'Content-Type: application/json' -d '{"workload":"team'\\''s X","version":"version"}'`,
    );
  });

  it('keeps a stream open', () => {
    expect(curlCommand(reference.groups[1]!.operations[0]!, 'http://h')).toBe(
      "curl -sSN 'http://h/api/v1/events'",
    );
  });

  it('quotes any text for a POSIX shell', () => {
    expect(shellQuote("it's $HOME")).toBe(`'it'\\''s $HOME'`);
  });
});

describe('splitInlineCode', () => {
  it('splits `code` spans from text', () => {
    expect(splitInlineCode('Errors are `{"error": "..."}`, see `x`.')).toEqual([
      { code: false, text: 'Errors are ' },
      { code: true, text: '{"error": "..."}' },
      { code: false, text: ', see ' },
      { code: true, text: 'x' },
      { code: false, text: '.' },
    ]);
    expect(splitInlineCode('no code')).toEqual([{ code: false, text: 'no code' }]);
  });
});
