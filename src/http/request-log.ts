import { LogController, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { HEALTH_PATHS } from '../health/health.js';

/**
 * One JSON line per request, when it completes (not two, as Fastify's default does); requests to the
 * health paths are not logged unless APP_SKIP_PATH_DISABLED asks for them. Headers are never logged.
 */
export class RequestLog extends LogController {
  /**
   * Where a completed request's line goes: the service's logger without its redaction. The line holds
   * only the fields written below, none of them a secret, and redaction walked every line: 23,000 of the
   * 84,000 instructions a line cost (callgrind, pino 10). The lines of failed requests carry the error
   * and keep the request's own, redacting logger.
   */
  private readonly lines: Logger;

  constructor(logHealthRequests: boolean, logger: Logger) {
    super({
      disableRequestLogging: (request) =>
        !logHealthRequests && HEALTH_PATHS.includes(request.url.split('?')[0]?.replace(/\/$/, '') ?? ''),
    });
    this.lines = logger.child({}, { redact: [] });
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
    else this.lines.info({ reqId: request.id, ...line }, 'request');
  }
}
