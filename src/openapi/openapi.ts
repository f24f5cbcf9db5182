// The OpenAPI 3.1 document of the API, generated from the routes' own TypeBox schemas: what validates a
// request is what the document says, so the two cannot drift apart.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import swagger from '@fastify/swagger';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifySchema } from 'fastify';
import { accessFor, isProtected, type BearerAuthOptions } from '../auth/bearer-auth.js';

/** Where the document is served, under the API prefix. */
export const OPENAPI_PATH = '/api/v1/openapi.json';

const DESCRIPTION = `A self-hosted history of every deployment: which version of which workload went where, when,
and whether it worked.

Request bodies may be JSON or forms (application/x-www-form-urlencoded). Errors are \`{"error": "..."}\`.
Operations marked with the bearer scheme need \`Authorization: Bearer <token>\` on this server (APP_API_TOKENS
for writes, APP_READ_TOKENS or a write token for reads); the health probes never do.`;

const UnauthorizedSchema = Type.Object(
  {
    error: Type.String({
      examples: ['authentication required: send the header "Authorization: Bearer <token>"'],
    }),
  },
  { description: 'No token, or not one allowed here; the answer carries `WWW-Authenticate: Bearer`.' },
);

/** Every POST takes JSON or a form (@fastify/formbody), with the same fields. */
const BODY_TYPES = ['application/json', 'application/x-www-form-urlencoded'];

/**
 * Registers the generator. It must come before every route: it learns routes as they are added, so a route
 * registered earlier would be missing from the document.
 */
export async function registerOpenApi(app: FastifyInstance, auth: BearerAuthOptions): Promise<void> {
  await app.register(swagger, {
    openapi: {
      // 3.1 speaks JSON Schema 2020-12, as TypeBox does: `examples`, `type: "null"` are valid as they are.
      openapi: '3.1.0',
      info: { title: 'versions', version: packageVersion(), description: DESCRIPTION },
      components: {
        securitySchemes: {
          bearerAuth: { type: 'http', scheme: 'bearer', description: 'One of the tokens.' },
        },
      },
      tags: [
        { name: 'deployments', description: 'Record deployments and read them back' },
        { name: 'statistics', description: 'Counts over recent deployments' },
        { name: 'environments', description: 'Environments and their tiers (production, staging...)' },
        { name: 'health', description: 'Probes for load balancers and orchestrators; never need a token' },
        { name: 'meta', description: 'This document' },
      ],
    },
    transform: ({ schema, url, route }) => {
      // The UI's pages and the CORS preflight route are not part of the API.
      if (!url.startsWith('/api/')) return { schema: { ...schema, hide: true }, url };
      const described: FastifySchema = { ...schema };
      if (schema.body && !schema.consumes) described.consumes = BODY_TYPES;
      // The document tells what this server asks for, as configured: a token only where one is needed.
      const methods = ([] as string[]).concat(route.method);
      if (methods.some((method) => isProtected(accessFor(method, url), auth))) {
        described.security = [{ bearerAuth: [] }];
        described.response = { ...(schema.response as object | undefined), 401: UnauthorizedSchema };
      }
      return { schema: described, url };
    },
  });
}

/** GET /openapi.json, to register under /api/v1. */
export async function openApiRoutes(app: FastifyInstance): Promise<void> {
  app.get(
    '/openapi.json',
    { schema: { tags: ['meta'], summary: 'This OpenAPI 3.1 document' } },
    async (_request, reply) => reply.header('cache-control', 'no-cache').send(app.swagger()),
  );
}

/** The version of the package, found by walking up from this file (src/ in development, dist/src/ built). */
function packageVersion(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'versions' && pkg.version) return pkg.version;
    }
    const parent = dirname(dir);
    if (parent === dir) return '0.0.0';
    dir = parent;
  }
}
