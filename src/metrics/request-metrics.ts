import type { FastifyInstance } from 'fastify';
import type { Metrics } from './metrics.js';

/** Label of requests no route matched (404s): one value, so that scanners cannot create series at will. */
export const UNMATCHED_ROUTE = 'unmatched';

/**
 * Counts and times every answered request on the root instance (so every route, in every plugin, is seen),
 * labelled by its route pattern such as `/api/v1/read/raw/id`, never by the URL with its ids and query.
 */
export function installRequestMetrics(app: FastifyInstance, metrics: Metrics): void {
  app.addHook('onResponse', async (request, reply) => {
    metrics.observeRequest(
      {
        method: request.method,
        route: request.routeOptions.url ?? UNMATCHED_ROUTE,
        statusCode: reply.statusCode,
      },
      reply.elapsedTime / 1000,
    );
  });
}
