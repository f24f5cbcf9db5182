// Guards against peers that connect and then say nothing, or too little too slowly (slow-loris): each phase
// of a request has a deadline, and the number of sockets is capped, so that neither sockets nor memory
// can be held by clients that never finish.
import type { Server } from 'node:http';
import type { FastifyHttpOptions, FastifyInstance } from 'fastify';
import type { Config } from '../config.js';

/**
 * How often Node looks for requests past their deadline. Its default, 30 s, would let a request live up to
 * twice APP_REQUEST_TIMEOUT_SECONDS; one walk over the open connections a second costs nothing.
 */
const DEADLINE_CHECK_MS = 1000;

/** Fastify's default keep-alive timeout. */
const KEEP_ALIVE_MS = 72_000;

/**
 * Fastify's timeouts from the configuration: a request's headers must arrive within `headersMs` of the
 * connection (or of the previous request), the whole request, body included, within `requestMs` (answered
 * 408 and closed otherwise), and a socket silent both ways for `idleMs` is closed. A response being
 * streamed (/events, a large answer) is not a request still arriving: only the idle deadline applies to
 * it, and every write resets that.
 */
export function timeoutOptions(timeouts: Config['timeouts']): FastifyHttpOptions<Server> {
  return {
    connectionTimeout: timeouts.idleMs,
    // Between two requests of a kept-alive connection Node uses this instead of the idle deadline. Fastify's
    // 72 s outlasts the 60 s idle timeout of common load balancers, which must close first; never longer
    // than the idle deadline, though.
    keepAliveTimeout: Math.min(KEEP_ALIVE_MS, timeouts.idleMs),
    requestTimeout: timeouts.requestMs,
    http: {
      headersTimeout: timeouts.headersMs,
      requestTimeout: timeouts.requestMs,
      connectionsCheckingInterval: DEADLINE_CHECK_MS,
    },
  };
}

/** Past `max` open sockets, Node closes new connections at once, before reading a byte of them. */
export function capConnections(app: FastifyInstance, max: number): void {
  app.server.maxConnections = max;
}
