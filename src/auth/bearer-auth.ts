// Bearer tokens for the API: APP_API_TOKENS guards writes, APP_READ_TOKENS guards reads. Tokens are
// compared as SHA-256 digests with timingSafeEqual, so neither their content nor their length leaks
// through response times, and they never appear in a log line or an error message.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../errors.js';
import { HEALTH_PATHS } from '../health/health.js';

export interface BearerAuthOptions {
  /** Tokens allowed to write (and to read); empty means writes are open. */
  apiTokens: readonly string[];
  /** Tokens allowed to read; empty means reads are open. */
  readTokens: readonly string[];
}

/** What a request needs, decided from its method and route. */
export type Access = 'open' | 'read' | 'write';

const API_PREFIX = '/api/';
const READ_METHODS = new Set(['GET', 'HEAD']);

declare module 'fastify' {
  interface FastifyRequest {
    /** The name of the write token that authorised the request (`APP_API_TOKENS` entry `name:token`). */
    tokenName?: string;
  }
}

/** A token name: what may stand before the first `:` of an `APP_API_TOKENS` entry. */
const TOKEN_NAME = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,99}$/;

/**
 * An `APP_API_TOKENS` entry: `name:token` when the part before the first `:` is a name (letters, digits,
 * `._@-`, at most 100), else the whole entry is an unnamed token.
 */
export function parseTokenEntry(entry: string): { name?: string; token: string } {
  const colon = entry.indexOf(':');
  const name = entry.slice(0, colon);
  if (colon > 0 && colon < entry.length - 1 && TOKEN_NAME.test(name)) {
    return { name, token: entry.slice(colon + 1) };
  }
  return { token: entry };
}

/** A set of tokens that can only be asked whether it holds a given one (and under which name). */
export class TokenSet {
  private readonly entries: Array<{ digest: Buffer; name?: string }>;

  /** `named`: the entries are `APP_API_TOKENS` entries, which may be `name:token`; else plain tokens. */
  constructor(tokens: readonly string[], named = false) {
    this.entries = tokens
      .map((entry) => (named ? parseTokenEntry(entry) : { token: entry }))
      .map(({ name, token }: { name?: string; token: string }) => ({ digest: digest(token), name }));
  }

  /** Both sets' tokens. */
  static union(a: TokenSet, b: TokenSet): TokenSet {
    const union = new TokenSet([]);
    union.entries.push(...a.entries, ...b.entries);
    return union;
  }

  get size(): number {
    return this.entries.length;
  }

  /** True when `token` is one of the set; takes the same time whichever token matches, or none. */
  has(token: string): boolean {
    return this.find(token) !== undefined;
  }

  /** The entry `token` matches (`name` undefined for an unnamed token), or undefined; constant time. */
  find(token: string): { name?: string } | undefined {
    const candidate = digest(token);
    let found: { name?: string } | undefined;
    // No early exit: every stored digest is compared, so the time does not tell which one matched.
    for (const entry of this.entries) {
      if (timingSafeEqual(entry.digest, candidate) && !found) found = { name: entry.name };
    }
    return found;
  }
}

function digest(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

/** Which access a request needs: see accessFor(). */
export function requiredAccess(request: FastifyRequest): Access {
  // The matched route, not the raw URL: `/api/v1/health/` and `/api/v1/%68ealth` reach the same route.
  return accessFor(request.method, request.routeOptions.url ?? request.url.split('?')[0] ?? '');
}

/**
 * Which access a method on a route needs. Writes (any method but GET, HEAD and OPTIONS) need a write token
 * wherever they go; reads need a read token under /api/ except the health probes, which a load balancer or
 * Kubernetes must reach without credentials; OPTIONS is a CORS preflight, which browsers send without any.
 */
export function accessFor(method: string, route: string): Access {
  if (method === 'OPTIONS') return 'open';
  if (!READ_METHODS.has(method)) return 'write';
  if (HEALTH_PATHS.includes(route)) return 'open';
  return route.startsWith(API_PREFIX) ? 'read' : 'open';
}

/** True when the configuration asks for a token on requests needing `access`. */
export function isProtected(access: Access, options: BearerAuthOptions): boolean {
  if (access === 'write') return options.apiTokens.length > 0;
  if (access === 'read') return options.readTokens.length > 0;
  return false;
}

/**
 * Adds the hook that answers 401 (with `WWW-Authenticate: Bearer`) to a request lacking a token it needs.
 * Installed on the root instance so that it covers every route, including ones registered later.
 */
export function installBearerAuth(app: FastifyInstance, options: BearerAuthOptions): void {
  const writers = new TokenSet(options.apiTokens, true);
  // A token that may write may also read: one secret per pipeline is enough.
  const readers = TokenSet.union(new TokenSet(options.readTokens), writers);
  if (!isProtected('write', options) && !isProtected('read', options)) return;

  app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    const access = requiredAccess(request);
    if (!isProtected(access, options)) return;

    const token = bearerToken(request.headers.authorization);
    if (token === undefined) {
      throw unauthorized(reply, `authentication required: send the header "Authorization: Bearer <token>"`);
    }
    if (token === null) {
      throw unauthorized(reply, 'the Authorization header must be "Bearer <token>"', 'invalid_request');
    }
    const allowed = access === 'write' ? writers : readers;
    const match = allowed.find(token);
    if (!match) {
      const list = access === 'write' ? 'APP_API_TOKENS' : 'APP_READ_TOKENS or APP_API_TOKENS';
      throw unauthorized(
        reply,
        `the bearer token is not allowed to ${access} (not one of ${list})`,
        'invalid_token',
      );
    }
    if (access === 'write') request.tokenName = match.name;
  });
}

/** The token of an `Authorization: Bearer` header; undefined without the header, null when malformed. */
export function bearerToken(header: string | undefined): string | null | undefined {
  if (header === undefined || header.trim() === '') return undefined;
  const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header);
  return match?.[1] ?? null;
}

function unauthorized(reply: FastifyReply, message: string, error?: string): AppError {
  // RFC 6750: the challenge names the scheme, and the error code when a token was sent but refused.
  reply.header(
    'www-authenticate',
    error ? `Bearer realm="versions", error="${error}"` : 'Bearer realm="versions"',
  );
  return new AppError(401, message);
}

/** For the start-up log: what needs a token, with how many tokens, never the tokens themselves. */
export function describeAccess(options: BearerAuthOptions): { writes: string; reads: string } {
  const count = (tokens: readonly string[]) => `${tokens.length} token${tokens.length === 1 ? '' : 's'}`;
  return {
    writes: isProtected('write', options) ? `bearer token required (${count(options.apiTokens)})` : 'open',
    reads: isProtected('read', options)
      ? `bearer token required (${count(options.readTokens)}, write tokens too; health probes open)`
      : 'open',
  };
}
