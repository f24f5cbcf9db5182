// Security headers on every kind of answer, and CORS only for the origins APP_CORS_ORIGINS lists.
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/test-app.js';

function expectSecurityHeaders(response: LightMyRequestResponse, what: string): void {
  const csp = String(response.headers['content-security-policy']);
  for (const directive of [
    "default-src 'self'",
    "script-src 'self'",
    "object-src 'none'",
    "frame-ancestors 'none'",
    "base-uri 'self'",
  ]) {
    expect(csp, what).toContain(directive);
  }
  expect(csp, `${what}: no inline script`).not.toMatch(/script-src[^;]*'unsafe-(inline|eval)'/);
  expect(response.headers['x-content-type-options'], what).toBe('nosniff');
  expect(response.headers['x-frame-options'], what).toBe('DENY');
  expect(response.headers['referrer-policy'], what).toBe('no-referrer');
}

const preflight = (origin: string, url = '/api/v1/create') => ({
  method: 'OPTIONS' as const,
  url,
  headers: {
    origin,
    'access-control-request-method': 'POST',
    'access-control-request-headers': 'authorization, content-type',
  },
});

describe('security headers and CORS off (the default)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp('sqlite', { env: { APP_API_TOKENS: 'a-write-token' } });
  });
  afterAll(() => t?.close());

  it('are on JSON answers, errors, 404s, 401s, redirects and the UI', async () => {
    const answers: Array<[string, InjectOptions]> = [
      ['a read', { method: 'GET', url: '/api/v1/read/home' }],
      ['a health probe', { method: 'GET', url: '/api/v1/health' }],
      ['a 400', { method: 'GET', url: '/api/v1/read/raw/id' }],
      ['a 401', { method: 'POST', url: '/api/v1/create', payload: {} }],
      ['an unknown API path', { method: 'GET', url: '/api/v1/nope' }],
      ['the OpenAPI document', { method: 'GET', url: '/api/v1/openapi.json' }],
      ['the redirect to the UI', { method: 'GET', url: '/' }],
      ['the UI', { method: 'GET', url: '/ui/' }],
      ['a UI page', { method: 'GET', url: '/ui/dashboards/deployments' }],
    ];
    for (const [what, request] of answers) expectSecurityHeaders(await t.app.inject(request), what);
  });

  it('sends no CORS header and answers no preflight', async () => {
    const response = await t.app.inject(preflight('https://ci.example.com'));
    expect(response.statusCode).toBe(404);
    expect(response.headers['access-control-allow-origin']).toBeUndefined();
    const read = await t.app.inject({
      method: 'GET',
      url: '/api/v1/health',
      headers: { origin: 'https://ci.example.com' },
    });
    expect(read.headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe('CORS with APP_CORS_ORIGINS', () => {
  let t: TestApp;
  const listed = 'https://dashboard.example.com';
  beforeAll(async () => {
    t = await createTestApp('sqlite', {
      env: {
        APP_CORS_ORIGINS: `${listed}, http://localhost:5173`,
        APP_API_TOKENS: 'a-write-token',
        APP_READ_TOKENS: 'a-read-token',
      },
    });
  });
  afterAll(() => t?.close());

  it('answers the preflight of a listed origin, before and without any token', async () => {
    for (const origin of [listed, 'http://localhost:5173']) {
      const response = await t.app.inject(preflight(origin));
      expect(response.statusCode).toBe(204);
      expect(response.headers['access-control-allow-origin']).toBe(origin);
      expect(String(response.headers['access-control-allow-methods'])).toContain('POST');
      expect(String(response.headers['access-control-allow-headers']).toLowerCase()).toContain(
        'authorization',
      );
      expect(response.headers['access-control-allow-credentials']).toBeUndefined();
      expect(String(response.headers.vary)).toMatch(/origin/i);
    }
  });

  it('lets a listed origin read the answers, refusals included', async () => {
    const read = await t.app.inject({
      method: 'GET',
      url: '/api/v1/read/home',
      headers: { origin: listed, authorization: 'Bearer a-read-token' },
    });
    expect(read.statusCode).toBe(204);
    expect(read.headers['access-control-allow-origin']).toBe(listed);
    const refused = await t.app.inject({
      method: 'POST',
      url: '/api/v1/create',
      headers: { origin: listed },
    });
    expect(refused.statusCode).toBe(401);
    expect(refused.headers['access-control-allow-origin']).toBe(listed);
  });

  it('refuses the preflight of any other origin, near misses included', async () => {
    for (const origin of [
      'https://evil.example.com',
      'https://dashboard.example.com.evil.example',
      'http://dashboard.example.com',
      'https://dashboard.example.com:8443',
      'null',
    ]) {
      const response = await t.app.inject(preflight(origin));
      expect(response.statusCode, origin).not.toBe(204);
      expect(response.headers['access-control-allow-origin'], origin).toBeUndefined();
      const read = await t.app.inject({
        method: 'GET',
        url: '/api/v1/health',
        headers: { origin },
      });
      expect(read.headers['access-control-allow-origin'], origin).toBeUndefined();
    }
  });

  it('keeps the security headers on preflights', async () => {
    expectSecurityHeaders(await t.app.inject(preflight(listed)), 'a preflight');
  });
});
