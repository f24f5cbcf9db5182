import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';

/** Something /healthz checks: the database, Redis... */
export interface HealthCheck {
  /** The key in the answer, e.g. postgresql, mysql, sqlite, redis. */
  name: string;
  /** Resolves when healthy. */
  check(): Promise<void>;
  /**
   * false for an accelerator (Redis): reported NOT OK but answered 200, so that a readiness probe does not
   * take every replica out while they serve fine from the database. Required by default.
   */
  required?: boolean;
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
        summary: 'The database (and Redis, when enabled) answer; 500 when the database does not',
        response: {
          200: Type.Object({ status: Type.Record(Type.String(), Type.String()) }),
          500: Type.Object({ status: Type.Record(Type.String(), Type.String()) }),
        },
      },
    },
    async (_request, reply) => {
      const results = await Promise.all(opts.checks.map(async ({ check }) => passes(check)));
      const status = Object.fromEntries(
        opts.checks.map(({ name }, i) => [name, results[i] ? 'OK' : 'NOT OK']),
      );
      const healthy = opts.checks.every(({ required = true }, i) => !required || results[i]);
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
