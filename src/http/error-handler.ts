import type { ErrorObject } from 'ajv';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, DatabaseUnavailableError } from '../errors.js';
import { SECURITY_HEADERS } from './security-headers.js';
import { describeValidationErrors } from './validation.js';

/**
 * Every error becomes `{"error": "..."}` with the right status: the client's mistakes are 4xx naming what
 * is wrong, the database's absence is 503, and anything else a 500 whose details stay in the log.
 */
export function installErrorHandler(app: FastifyInstance, bodyLimit: number): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof DatabaseUnavailableError) {
      request.log.warn({ err: error.reason }, 'database unavailable');
      return reply.code(503).header('retry-after', '5').send({ error: error.message });
    }
    if (error instanceof AppError) return reply.code(error.statusCode).send({ error: error.message });
    if (error.validation) {
      const message = describeValidationErrors(error.validation as ErrorObject[], error.validationContext);
      return reply.code(400).send({ error: message });
    }
    switch (error.code) {
      case 'FST_ERR_CTP_BODY_TOO_LARGE':
        return reply.code(413).send({
          error: `the body is larger than ${bodyLimit} bytes (APP_BODY_LIMIT); send a smaller raw payload`,
        });
      case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
        return reply.code(415).send({
          error: `unsupported Content-Type ${JSON.stringify(request.headers['content-type'] ?? '')}; send application/json or application/x-www-form-urlencoded`,
        });
      case 'FST_ERR_CTP_EMPTY_JSON_BODY':
        return reply.code(400).send({ error: 'the body is empty; send a JSON object' });
      case 'FST_ERR_CTP_INVALID_JSON_BODY':
        return reply.code(400).send({ error: `the body is not valid JSON: ${error.message}` });
    }
    const status = error.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      return reply.code(status).send({ error: error.message });
    }
    request.log.error({ err: error }, 'request failed');
    return reply.code(500).send({ error: 'internal error; the server log has the details' });
  });

  app.setNotFoundHandler((request, reply) => {
    reply.code(404).send({ error: `no such endpoint: ${request.method} ${request.url.split('?')[0]}` });
  });
}

/**
 * Fastify's `frameworkErrors`: what it finds wrong before any route runs (an address whose percent-encoding
 * does not decode) gets the usual `{"error"}` body and security headers instead of Fastify's raw answer.
 */
export function answerFrameworkError(
  error: FastifyError,
  _request: FastifyRequest,
  reply: FastifyReply,
): void {
  const status =
    error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 400;
  // The hooks of the app may not run for an address that matched no route: the headers are set here too.
  // Fastify expects nothing back; the reply is sent, not awaited.
  void reply
    .code(status)
    .headers(SECURITY_HEADERS)
    .send({
      error:
        error.code === 'FST_ERR_BAD_URL'
          ? 'the address is not valid: a percent sign (%) must start a valid %XX UTF-8 escape'
          : error.message,
    });
}
