// How both listeners (the API's and the metrics') bind and name their address: src/http/listen.ts.
import { createServer } from 'node:http';
import { describe, expect, it } from 'vitest';
import { listeningPort, listenFallingBackToIpv4, reachableUrl } from '../../src/http/listen.js';

describe('listen', () => {
  it('names every interface localhost and puts an IPv6 address in brackets', () => {
    expect(reachableUrl('::', 8080)).toBe('http://localhost:8080');
    expect(reachableUrl('0.0.0.0', 9101, '/metrics')).toBe('http://localhost:9101/metrics');
    expect(reachableUrl('::1', 8080)).toBe('http://[::1]:8080');
    expect(reachableUrl('10.0.0.5', 80)).toBe('http://10.0.0.5:80');
  });

  it('falls back to 0.0.0.0 only when :: is refused for want of IPv6', async () => {
    const noIpv6 = Object.assign(new Error('address family not supported'), { code: 'EAFNOSUPPORT' });
    const asked: string[] = [];
    const host = await listenFallingBackToIpv4('::', async (on) => {
      asked.push(on);
      if (on === '::') throw noIpv6;
    });
    expect(host).toBe('0.0.0.0');
    expect(asked).toEqual(['::', '0.0.0.0']);
    await expect(listenFallingBackToIpv4('127.0.0.1', () => Promise.reject(noIpv6))).rejects.toThrow(
      'address family not supported',
    );
    const inUse = Object.assign(new Error('in use'), { code: 'EADDRINUSE' });
    await expect(listenFallingBackToIpv4('::', () => Promise.reject(inUse))).rejects.toThrow('in use');
  });

  it('reports the port the system chose for port 0', async () => {
    const server = createServer((_request, response) => response.end('listening'));
    await listenFallingBackToIpv4(
      '127.0.0.1',
      (host) => new Promise<void>((resolve) => server.listen({ host, port: 0 }, resolve)),
    );
    try {
      const port = listeningPort(server.address(), 0);
      expect(port).toBeGreaterThan(0);
      const answer = await fetch(reachableUrl('127.0.0.1', port));
      expect(await answer.text()).toBe('listening');
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
