import { Readable } from 'node:stream';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { actorOf } from '../audit/actor.js';
import { csvHeader, csvRecords } from './csv.js';
import {
  AuditPageSchema,
  AuditQuerySchema,
  DeploymentListSchema,
  DeploymentsQuerySchema,
  ExportedDeploymentSchema,
  VersionIdParamsSchema,
} from './deployments-query.schemas.js';
import type { DeploymentsQueryService, ExportRequest } from './deployments-query.service.js';
import type { ExportedDeployment } from '../store/deployments-query.store.js';
import { DeploymentSchema, withErrors } from './deployments.schemas.js';
import type { AuditService } from '../audit/audit.service.js';

type ExportFormat = 'json' | 'csv' | 'ndjson';

const CSV_COLUMNS: Array<keyof ExportedDeployment> = [
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
 * Every matching row as CSV (csv.ts: RFC 4180 quoting, cells a spreadsheet would run as a formula
 * neutralised) or NDJSON. Rows are read a batch at a time (DeploymentsQueryService.batches), and each batch
 * becomes one chunk of bytes at once, so its row objects die young (see docs/API.md, "Exports and memory").
 * The stream is a byte stream: its buffer is counted in bytes (16 KiB), so the next batch is read only once
 * the previous chunk went to the socket, and a slow client holds at most about one batch's text.
 */
function exportStream(
  service: DeploymentsQueryService,
  exported: ExportRequest,
  format: 'csv' | 'ndjson',
  request: FastifyRequest,
): Readable {
  const columns: Array<keyof ExportedDeployment> = exported.includeRaw
    ? [...CSV_COLUMNS, 'raw']
    : CSV_COLUMNS;
  const chunks = async function* () {
    if (format === 'csv') yield Buffer.from(csvHeader(columns));
    for await (const batch of service.batches(exported)) {
      const text =
        format === 'csv'
          ? csvRecords(batch, columns)
          : batch.map((row) => `${JSON.stringify(row)}\n`).join('');
      yield Buffer.from(text);
    }
  };
  const stream = Readable.from(chunks(), { objectMode: false });
  stream.on('error', (error) => request.log.warn({ err: error.message }, 'deployments export ended early'));
  return stream;
}
