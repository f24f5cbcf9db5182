import { LogController, type FastifyReply, type FastifyRequest } from 'fastify';
import { HEALTH_PATHS } from '../health/health.js';

/**
 * One JSON line per request, when it completes (not two, as Fastify's default does); requests to the
 * health paths are not logged unless APP_SKIP_PATH_DISABLED asks for them. Headers are never logged.
 */
export class RequestLog extends LogController {
  constructor(logHealthRequests: boolean) {
    super({
      disableRequestLogging: (request) =>
        !logHealthRequests && HEALTH_PATHS.includes(request.url.split('?')[0]?.replace(/\/$/, '') ?? ''),
    });
  }

  override incomingRequest(): void {}

  override requestCompleted(
    error: Error | null | undefined,
    request: FastifyRequest,
    reply: FastifyReply,
  ): void {
    if (this.isLogDisabled(request)) return;
    const line = {
      method: request.method,
      url: request.url,
      route: request.routeOptions.url,
      statusCode: reply.statusCode,
      ms: Math.round(reply.elapsedTime * 10) / 10,
    };
    if (error) reply.log.error({ ...line, err: error }, 'request errored');
    else reply.log.info(line, 'request');
  }
}
