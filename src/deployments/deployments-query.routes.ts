import { Readable, pipeline } from 'node:stream';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { stringify } from 'csv-stringify';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { actorOf } from '../audit/actor.js';
import {
  AuditPageSchema,
  AuditQuerySchema,
  DeploymentListSchema,
  DeploymentsQuerySchema,
  ExportedDeploymentSchema,
  VersionIdParamsSchema,
} from './deployments-query.schemas.js';
import type { DeploymentsQueryService, ExportRequest } from './deployments-query.service.js';
import { DeploymentSchema, withErrors } from './deployments.schemas.js';
import type { AuditService } from '../audit/audit.service.js';

type ExportFormat = 'json' | 'csv' | 'ndjson';

const CSV_COLUMNS = [
  'versions_id',
  'workload',
  'platform',
  'environment',
  'version',
  'changelog_url',
  'status',
  'date',
  'commit',
  'ref',
  'repository',
  'deployer',
  'logURL',
  'environmentURL',
  'description',
];

/** GET /deployments (pages, CSV and NDJSON exports), DELETE /deployments/{versionId} and GET /audit. */
export async function deploymentsQueryRoutes(
  app: FastifyInstance,
  opts: { service: DeploymentsQueryService; audit: AuditService },
) {
  const { service, audit } = opts;
  const routes = app.withTypeProvider<TypeBoxTypeProvider>();

  routes.get(
    '/deployments',
    {
      schema: {
        tags: ['deployments'],
        summary:
          'Deployments matching filters, newest first: a page by cursor, or every one as CSV or NDJSON',
        querystring: DeploymentsQuerySchema,
        response: {
          ...withErrors({}),
          200: {
            description:
              'A page (JSON), or with format=csv / format=ndjson every matching deployment, streamed.',
            content: {
              'application/json': { schema: DeploymentListSchema },
              'text/csv': { schema: { type: 'string' } },
              'application/x-ndjson': { schema: ExportedDeploymentSchema },
            },
          },
        },
      },
    },
    async (request, reply) => {
      const format = exportFormat(request.query.format, request.headers.accept);
      if (format === 'json') {
        const page = await service.list(request.query);
        if (page.nextCursor) reply.header('link', `<${withCursor(request, page.nextCursor)}>; rel="next"`);
        return page;
      }
      // Checked before the first byte: a bad filter is still a 400, not a broken download.
      const exported = service.exportRequest(request.query);
      reply.header('cache-control', 'no-store');
      if (format === 'csv') {
        reply
          .type('text/csv; charset=utf-8')
          .header('content-disposition', 'attachment; filename="deployments.csv"');
      } else {
        reply.type('application/x-ndjson; charset=utf-8');
      }
      if (request.method === 'HEAD') return reply.send();
      return reply.send(exportStream(service, exported, format, request));
    },
  );

  routes.delete(
    '/deployments/:versionId',
    {
      schema: {
        tags: ['deployments'],
        summary:
          'Delete a mistaken deployment: gone from every read, count, the matrix and DORA; kept in the audit log',
        params: VersionIdParamsSchema,
        response: withErrors({ 200: DeploymentSchema }),
      },
    },
    (request) => service.remove(request.params.versionId, actorOf(request)),
  );

  routes.get(
    '/audit',
    {
      schema: {
        tags: ['deployments'],
        summary: 'Every write (created, status, deleted) with its time, token name and address, newest first',
        querystring: AuditQuerySchema,
        response: withErrors({ 200: AuditPageSchema }),
      },
    },
    async (request, reply) => {
      const page = await audit.page(request.query);
      if (page.nextCursor) reply.header('link', `<${withCursor(request, page.nextCursor)}>; rel="next"`);
      return page;
    },
  );
}

/** `format` when given; else what Accept asks for first among CSV and NDJSON; else a JSON page. */
function exportFormat(format: ExportFormat | undefined, accept: string | undefined): ExportFormat {
  if (format) return format;
  const wanted = (accept ?? '').toLowerCase();
  if (wanted.includes('text/csv')) return 'csv';
  if (wanted.includes('application/x-ndjson') || wanted.includes('application/ndjson')) return 'ndjson';
  return 'json';
}

/** The address of the same request from `cursor` on: what the Link header points to. */
function withCursor(request: FastifyRequest, cursor: string): string {
  const url = new URL(request.url, 'http://localhost');
  url.searchParams.set('cursor', cursor);
  return `${url.pathname}${url.search}`;
}

/**
 * Every matching row as CSV (csv-stringify: RFC 4180 quoting, and its escape_formulas prefixes a quote to
 * cells starting with = + - @ tab or CR) or NDJSON. Rows are pulled from the database only as fast as the
 * client reads (stream back-pressure), a bounded batch at a time.
 */
function exportStream(
  service: DeploymentsQueryService,
  exported: ExportRequest,
  format: 'csv' | 'ndjson',
  request: FastifyRequest,
): Readable {
  if (format === 'csv') {
    const rows = Readable.from(service.rows(exported));
    const done = (error: Error | null) => {
      if (error) request.log.warn({ err: error.message }, 'deployments export ended early');
    };
    const columns = exported.includeRaw ? [...CSV_COLUMNS, 'raw'] : CSV_COLUMNS;
    return pipeline(
      rows,
      stringify({ header: true, columns, escape_formulas: true, record_delimiter: '\r\n' }),
      done,
    );
  }
  const lines = async function* () {
    for await (const row of service.rows(exported)) yield `${JSON.stringify(row)}\n`;
  };
  return Readable.from(lines());
}
