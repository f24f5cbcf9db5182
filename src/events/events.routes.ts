import { PassThrough } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { AppError } from '../errors.js';
import type { DeploymentEvent, DeploymentEvents } from './deployment-events.js';

export interface EventsRoutesOptions {
  events: DeploymentEvents;
  /** A comment line this often keeps proxies from closing an idle stream. */
  heartbeatMs?: number;
  /** How long a browser waits before reconnecting (the `retry:` hint). */
  retryMs?: number;
  /** Most streams open at once (APP_EVENTS_MAX_CLIENTS); one more is answered 503 with Retry-After. */
  maxClients?: number;
  /** A client with this many bytes waiting that it has not read is dropped (APP_EVENTS_MAX_QUEUED_BYTES). */
  maxQueuedBytes?: number;
}

const HEARTBEAT_MS = 15_000;
const RETRY_MS = 3_000;
const MAX_CLIENTS = 200;
const MAX_QUEUED_BYTES = 1024 * 1024;
/** Seconds a client refused for lack of room is asked to wait. */
const FULL_RETRY_AFTER_SECONDS = 30;
const HEARTBEAT = Buffer.from(': heartbeat\n\n');

/**
 * GET /events: server-sent events, one per create (`created`) and status change (`status`), each with the
 * whole row as JSON. Streams end when the client goes or the server closes, and take their listener along.
 *
 * Memory stays bounded whatever the clients do: at most `maxClients` streams, every event encoded once into
 * a Buffer that all streams share (a 1 MB row held once, not once per client), and a client that already has
 * data waiting is dropped (it reconnects) when the next event would take it past `maxQueuedBytes`.
 */
export async function eventsRoutes(app: FastifyInstance, opts: EventsRoutesOptions) {
  const heartbeatMs = opts.heartbeatMs ?? HEARTBEAT_MS;
  const retryMs = opts.retryMs ?? RETRY_MS;
  const maxClients = opts.maxClients ?? MAX_CLIENTS;
  const maxQueuedBytes = opts.maxQueuedBytes ?? MAX_QUEUED_BYTES;
  const open = new Set<PassThrough>();
  // The bus hands every listener the same event object: encode it on the first call, reuse it for the rest.
  const encoded = new WeakMap<DeploymentEvent, Buffer>();
  const encode = (event: DeploymentEvent) => {
    let bytes = encoded.get(event);
    if (!bytes) {
      bytes = Buffer.from(formatEvent(event));
      encoded.set(event, bytes);
    }
    return bytes;
  };

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
          503: {
            description: 'Too many streams open (APP_EVENTS_MAX_CLIENTS): retry after `Retry-After` seconds.',
            type: 'object',
            properties: { error: { type: 'string' } },
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
      if (open.size >= maxClients) {
        reply.header('retry-after', String(FULL_RETRY_AFTER_SECONDS));
        throw new AppError(
          503,
          `this server already streams events to ${maxClients} clients (APP_EVENTS_MAX_CLIENTS); retry later`,
        );
      }
      const stream = new PassThrough();
      open.add(stream);
      const write = (bytes: Buffer) => {
        // Waiting in this stream, in the response and in its socket: all that the client has not taken yet.
        const queued = stream.writableLength + stream.readableLength + reply.raw.writableLength;
        if (queued > 0 && queued + bytes.length > maxQueuedBytes) {
          request.log.warn(
            { queued },
            'event stream client reads too slowly; dropping it (it will reconnect)',
          );
          stream.destroy();
          return;
        }
        stream.write(bytes);
      };
      const unsubscribe = opts.events.subscribe((event) => write(encode(event)));
      const heartbeat = setInterval(() => write(HEARTBEAT), heartbeatMs);
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
