// Issue 11, item 5: /events against clients that connect and never read. A real server process holds 150
// such clients while three 1 MB deployments are announced; its peak memory stays bounded (it grew by 234 MB
// before), and one client past APP_EVENTS_MAX_CLIENTS is answered 503 with Retry-After.
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SECURITY_HEADERS } from '../../src/http/security-headers.js';
import { startServerProcess, type ServerProcess } from '../helpers/server-process.js';
import { processMemory, resetPeak } from './process-memory.js';

const CLIENTS = 150;
const MEGABYTE = 1024 * 1024;

/** A client that asks for the stream and then never reads a byte of it. */
async function idleClient(url: string): Promise<Socket> {
  const { hostname, port } = new URL(url);
  const socket = connect({ host: hostname, port: Number(port) });
  socket.on('error', () => undefined);
  await new Promise((resolve) => socket.once('connect', resolve));
  socket.write(`GET /api/v1/events HTTP/1.1\r\nHost: ${hostname}\r\nAccept: text/event-stream\r\n\r\n`);
  socket.pause();
  return socket;
}

describe('event streams held by clients that never read', () => {
  let server: ServerProcess;
  const clients: Socket[] = [];
  beforeAll(async () => {
    server = await startServerProcess({
      APP_EVENTS_MAX_CLIENTS: String(CLIENTS),
      APP_BODY_LIMIT: String(2 * MEGABYTE),
    });
  });
  afterAll(async () => {
    for (const client of clients) client.destroy();
    await server?.stop();
  });

  it('answers one client past APP_EVENTS_MAX_CLIENTS with 503 and Retry-After, and takes one once there is room', async () => {
    for (let index = 0; index < CLIENTS; index++) clients.push(await idleClient(server.url));
    await new Promise((resolve) => setTimeout(resolve, 500));
    const response = await fetch(`${server.url}/api/v1/events`);
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(response.headers.get('x-content-type-options')).toBe(SECURITY_HEADERS['x-content-type-options']);
    expect((await response.json()) as unknown).toEqual({
      error: expect.stringMatching(/APP_EVENTS_MAX_CLIENTS/),
    });
    clients.pop()?.destroy();
    await new Promise((resolve) => setTimeout(resolve, 300));
    const controller = new AbortController();
    const stream = await fetch(`${server.url}/api/v1/events`, { signal: controller.signal });
    expect(stream.status).toBe(200);
    controller.abort();
    await new Promise((resolve) => setTimeout(resolve, 300));
    clients.push(await idleClient(server.url));
  });

  it('keeps the peak memory bounded while 150 idle clients are sent three 1 MB events', async () => {
    await new Promise((resolve) => setTimeout(resolve, 500));
    const pid = server.process.pid as number;
    const before = processMemory(pid);
    resetPeak(pid);
    for (let event = 0; event < 3; event++) {
      const response = await fetch(`${server.url}/api/v1/create`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          workload: 'w',
          platform: 'p',
          environment: 'e',
          version: `1.0.${event}`,
          raw: String(event).repeat(MEGABYTE),
        }),
      });
      expect(response.status).toBe(201);
    }
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const after = processMemory(pid);
    const growth = after.peakMb - before.rssMb;
    console.log(`/events: RSS ${before.rssMb.toFixed(0)} MB idle, peak ${after.peakMb.toFixed(0)} MB`);
    // Every client would hold its own copy of each event without the shared encoding: +450 MB.
    expect(growth).toBeLessThan(60);
  });
});
