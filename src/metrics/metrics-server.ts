// The Prometheus endpoint lives on its own port (APP_METRICS_PORT), as in the original: it can be kept off
// the public network, and scrapes never queue behind API traffic or count as API requests.
import { createServer, type Server } from 'node:http';
import type { Logger } from 'pino';
import { listeningPort, listenFallingBackToIpv4, reachableUrl } from '../http/listen.js';
import type { Metrics } from './metrics.js';

export interface MetricsServer {
  /** e.g. http://localhost:9101/metrics */
  url: string;
  port: number;
  close(): Promise<void>;
}

/** Serves GET/HEAD /metrics on `port` (0: any free port); every other path is a 404. */
export async function startMetricsServer(
  metrics: Metrics,
  options: { host: string; port: number; logger: Logger },
): Promise<MetricsServer> {
  const server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0]?.replace(/\/$/, '');
    if (path !== '/metrics' || (request.method !== 'GET' && request.method !== 'HEAD')) {
      response
        .writeHead(404, { 'content-type': 'text/plain; charset=utf-8' })
        .end('not found: try /metrics\n');
      return;
    }
    metrics.scrape().then(
      (text) => {
        response.writeHead(200, { 'content-type': metrics.contentType });
        response.end(request.method === 'HEAD' ? undefined : text);
      },
      (error: unknown) => {
        options.logger.error({ err: error }, 'metrics: scrape failed');
        response.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end('scrape failed\n');
      },
    );
  });
  const host = await listenFallingBackToIpv4(options.host, (on) => listen(server, on, options.port));
  const port = listeningPort(server.address(), options.port);
  return {
    url: reachableUrl(host, port, '/metrics'),
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Prometheus keeps its connection open between scrapes; do not wait for it at shutdown.
        server.closeAllConnections();
      }),
  };
}

function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port }, () => {
      server.off('error', reject);
      resolve();
    });
  });
}
