import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';

/** Something /healthz checks: the database, Redis... */
export interface HealthCheck {
  /** The key in the answer, e.g. postgresql, mysql, sqlite, redis. */
  name: string;
  /** Resolves when healthy. */
  check(): Promise<void>;
}

const CHECK_TIMEOUT_MS = 2000;

export const HEALTH_PATHS = ['/api/v1/health', '/api/v1/healthz'];

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
        summary: 'The database (and Redis, when enabled) answer; 500 when one does not',
        response: {
          200: Type.Object({ status: Type.Record(Type.String(), Type.String()) }),
          500: Type.Object({ status: Type.Record(Type.String(), Type.String()) }),
        },
      },
    },
    async (_request, reply) => {
      const results = await Promise.all(
        opts.checks.map(async ({ name, check }) => [name, (await passes(check)) ? 'OK' : 'NOT OK'] as const),
      );
      const status = Object.fromEntries(results);
      const healthy = results.every(([, result]) => result === 'OK');
      return reply.code(healthy ? 200 : 500).send({ status });
    },
  );
}

async function passes(check: () => Promise<void>): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), CHECK_TIMEOUT_MS);
  });
  try {
    return await Promise.race([check().then(() => true as const), timeout]);
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}
