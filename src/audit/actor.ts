import type { FastifyRequest } from 'fastify';
import type { Actor } from './audit.js';

/**
 * Who sent a write: the name of its bearer token, when the token check named it (`request.tokenName`, set
 * for APP_API_TOKENS entries written `name:token`), and the request's address (Fastify's `request.ip`,
 * which follows X-Forwarded-For only when the server is told to trust its proxy).
 */
export function actorOf(request: FastifyRequest): Actor {
  // The boundary with the token check: it may or may not have named the token.
  const tokenName = (request as FastifyRequest & { tokenName?: unknown }).tokenName;
  return { tokenName: typeof tokenName === 'string' ? tokenName : null, address: request.ip || null };
}
