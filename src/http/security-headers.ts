// Headers that make browsers treat every answer of this server defensively: the UI runs only the
// scripts it was built with, JSON is never sniffed into HTML, and no other site may frame the pages.
import cors from '@fastify/cors';
import type { FastifyInstance } from 'fastify';

/**
 * Scripts, styles, images and API calls from this server only; no inline script, no plugins, no framing.
 * Vue applies `:style` bindings through the CSSOM, which a CSP does not restrict, so inline styles need no
 * exception either.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  // For browsers older than CSP's frame-ancestors.
  'x-frame-options': 'DENY',
  // Addresses in this UI name workloads and environments; other sites need not learn them.
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
};

/**
 * Sends SECURITY_HEADERS with every answer (pages, assets, JSON, errors, 404s), leaving alone a header a
 * route set itself, so that a page with special needs can carry a policy of its own.
 */
export function installSecurityHeaders(app: FastifyInstance): void {
  app.addHook('onSend', async (_request, reply, payload) => {
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) {
      if (!reply.hasHeader(name)) reply.header(name, value);
    }
    return payload;
  });
}

/**
 * CORS for the listed origins only (exact `scheme://host[:port]` matches); with none listed nothing is
 * registered, so a browser on another site cannot read any answer. Tokens travel in the Authorization
 * header, never in cookies, so credentials mode stays off.
 */
export async function registerCors(app: FastifyInstance, origins: readonly string[]): Promise<void> {
  if (origins.length === 0) return;
  const allowed = new Set(origins.map((origin) => origin.replace(/\/+$/, '')));
  await app.register(cors, {
    // false for any other origin: no CORS header at all, and its preflight finds no route (404).
    origin: (origin, callback) =>
      callback(null, origin !== undefined && allowed.has(origin) ? origin : false),
    methods: ['GET', 'HEAD', 'POST'],
    allowedHeaders: ['Authorization', 'Content-Type'],
    maxAge: 600,
    credentials: false,
  });
}
