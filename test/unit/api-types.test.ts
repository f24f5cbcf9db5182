// The UI's API types and constants are generated from the server's OpenAPI document and checked in
// (npm run generate:api-types): this fails when a server change was not carried over to them.
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  CONSTANTS_FILE,
  generateApiFiles,
  serverOpenApiDocument,
  TYPES_FILE,
  type OpenApiDocument,
} from '../../scripts/api-types.js';

describe('the UI’s generated API files', () => {
  let document: OpenApiDocument;
  let generated: Record<string, string>;
  beforeAll(async () => {
    document = await serverOpenApiDocument();
    generated = await generateApiFiles(document);
  });

  it.each([TYPES_FILE, CONSTANTS_FILE])('%s matches the server’s current document', (file) => {
    const checkedIn = readFileSync(file, 'utf8');
    expect(
      checkedIn === generated[file],
      `${relative(process.cwd(), file)} is stale: run npm run generate:api-types and commit the result`,
    ).toBe(true);
  });

  it('takes the UI’s figures from the document, so that a server change reaches the UI', async () => {
    const changed = structuredClone(document);
    const rangeLimit = changed.paths['/api/v1/read/environment']?.get?.parameters?.find(
      (parameter) => parameter.name === 'rangeLimit',
    );
    expect(rangeLimit?.schema?.default).toBe(25);
    rangeLimit!.schema!.default = 30;
    const constants = (await generateApiFiles(changed))[CONSTANTS_FILE];
    expect(constants).toContain('export const PAGE_SIZE = 30;');
    expect(constants).toContain("export const API_ROOT = '/api/v1';");
    expect(constants).toContain('export const MAX_VERSION_ID = 2147483647;');
  });

  it('refuses a document without a figure the UI needs, rather than guessing it', async () => {
    const changed = structuredClone(document);
    const rangeLimit = changed.paths['/api/v1/read/environment']?.get?.parameters?.find(
      (parameter) => parameter.name === 'rangeLimit',
    );
    delete rangeLimit!.schema!.default;
    await expect(generateApiFiles(changed)).rejects.toThrow(/default rangeLimit/);
  });
});
