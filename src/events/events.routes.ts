import { PassThrough } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import type { DeploymentEvent, DeploymentEvents } from './deployment-events.js';

export interface EventsRoutesOptions {
  events: DeploymentEvents;
  /** A comment line this often keeps proxies from closing an idle stream. */
  heartbeatMs?: number;
  /** How long a browser waits before reconnecting (the `retry:` hint). */
  retryMs?: number;
}

const HEARTBEAT_MS = 15_000;
const RETRY_MS = 3_000;
/** A client that leaves this much unread is dropped (it reconnects) rather than buffered without end. */
const MAX_UNREAD_BYTES = 1024 * 1024;

/**
 * GET /events: server-sent events, one per create (`created`) and status change (`status`), each with the
 * whole row as JSON. Streams end when the client goes or the server closes, and take their listener along.
 */
export async function eventsRoutes(app: FastifyInstance, opts: EventsRoutesOptions) {
  const heartbeatMs = opts.heartbeatMs ?? HEARTBEAT_MS;
  const retryMs = opts.retryMs ?? RETRY_MS;
  const open = new Set<PassThrough>();

  // A stream never ends by itself: ending them all lets server.close() finish instead of waiting forever.
  app.addHook('preClose', async () => {
    for (const stream of open) stream.end();
  });

  app.get(
    '/events',
    {
      schema: {
        tags: ['deployments'],
        summary: 'Live updates: server-sent events `created` and `status`, each with the whole row as JSON',
        response: {
          200: {
            description:
              'A text/event-stream that stays open: `retry:` first, then `event: created|status` with `data:` ' +
              'the deployment row as JSON, and a comment line every 15 s as a heartbeat.',
            content: { 'text/event-stream': { schema: { type: 'string' } } },
          },
        },
      },
    },
    (request, reply) => {
      reply
        .header('content-type', 'text/event-stream; charset=utf-8')
        .header('cache-control', 'no-cache, no-transform')
        // nginx buffers responses unless told not to; events would arrive in bursts.
        .header('x-accel-buffering', 'no');
      // HEAD (Fastify adds it to every GET) gets the headers only: a stream would never be read or ended.
      if (request.method === 'HEAD') return reply.send();
      const stream = new PassThrough();
      open.add(stream);
      const write = (text: string) => {
        if (stream.writableLength > MAX_UNREAD_BYTES) {
          request.log.warn('event stream client reads too slowly; dropping it (it will reconnect)');
          stream.destroy();
          return;
        }
        stream.write(text);
      };
      const unsubscribe = opts.events.subscribe((event) => write(formatEvent(event)));
      const heartbeat = setInterval(() => write(': heartbeat\n\n'), heartbeatMs);
      // 'close' follows both an end (server closing) and a destroy (Fastify's, when the client goes away).
      stream.once('close', () => {
        clearInterval(heartbeat);
        unsubscribe();
        open.delete(stream);
      });
      stream.write(`retry: ${retryMs}\n: connected\n\n`);
      return reply.send(stream);
    },
  );
}

/** One event in the text/event-stream format; JSON.stringify never emits a newline, so `data` is one line. */
export function formatEvent(event: DeploymentEvent): string {
  return `event: ${event.event}\ndata: ${JSON.stringify(event.deployment)}\n\n`;
}
