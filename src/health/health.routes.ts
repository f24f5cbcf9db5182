import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { checkAll, type HealthCheck } from './health.js';

/** /health (the process answers) and /healthz (every dependency answers), GET and HEAD. */
export async function healthRoutes(app: FastifyInstance, opts: { checks: HealthCheck[] }) {
  app.get(
    '/health',
    {
      schema: {
        tags: ['health'],
        summary: 'The process is up',
        response: { 200: Type.Object({ health: Type.Literal('OK') }) },
      },
    },
    async () => ({ health: 'OK' as const }),
  );

  app.get(
    '/healthz',
    {
      schema: {
        tags: ['health'],
        summary: 'The database (and Redis, when enabled) answer; 500 when the database does not',
        response: {
          200: Type.Object({ status: Type.Record(Type.String(), Type.String()) }),
          500: Type.Object({ status: Type.Record(Type.String(), Type.String()) }),
        },
      },
    },
    async (_request, reply) => {
      const { healthy, status } = await checkAll(opts.checks);
      return reply.code(healthy ? 200 : 500).send({ status });
    },
  );
}
