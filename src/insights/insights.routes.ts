import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { VersionIdQuerySchema, withErrors } from '../deployments/deployments.schemas.js';
import {
  DoraAnswerSchema,
  DoraQuerySchema,
  HistorySchema,
  MatrixQuerySchema,
  MatrixSchema,
} from './insights.schemas.js';
import type { InsightsService } from './insights.service.js';

/** History, matrix and DORA figures, registered under /api/v1. */
export async function insightsRoutes(app: FastifyInstance, opts: { service: InsightsService }) {
  const { service } = opts;
  const routes = app.withTypeProvider<TypeBoxTypeProvider>();

  routes.get(
    '/read/history',
    {
      schema: {
        tags: ['deployments'],
        summary: 'Every status of one deployment with its time, oldest first, creation first',
        querystring: VersionIdQuerySchema,
        response: withErrors({ 200: HistorySchema }),
      },
    },
    (request) => service.history(request.query.versionId),
  );

  routes.get(
    '/read/matrix',
    {
      schema: {
        tags: ['deployments'],
        summary:
          'What is deployed where: per environment the current and the latest deployment (204 when none)',
        querystring: MatrixQuerySchema,
        response: withErrors({ 200: MatrixSchema, 204: Type.Null() }),
      },
    },
    async (request, reply) => {
      const entries = await service.matrix(request.query.workload);
      return entries.length === 0 ? reply.code(204).send(null) : entries;
    },
  );

  routes.get(
    '/stats/dora',
    {
      schema: {
        tags: ['statistics'],
        summary: 'DORA figures over the last days: frequency, change failure rate, time to restore, duration',
        querystring: DoraQuerySchema,
        response: withErrors({ 200: DoraAnswerSchema }),
      },
    },
    (request) => service.dora(request.query),
  );
}
