// Issue 11, item 3: clients that connect and then say nothing, or too little too slowly (slow-loris), over raw
// sockets. Each is cut off within its deadline (APP_HEADERS_TIMEOUT_SECONDS, APP_REQUEST_TIMEOUT_SECONDS,
// APP_IDLE_TIMEOUT_SECONDS), token or no token, and APP_MAX_CONNECTIONS caps the sockets held at once.
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/test-app.js';

const TOKEN = 'slow-client-test-token';

interface Outcome {
  /** Milliseconds from connecting to the socket closing. */
  closedAfterMs: number;
  /** What the server wrote before closing. */
  received: string;
}

/** Connects, writes `text` (none when empty), then waits for the server to close the socket. */
function holdOpen(port: number, text: string, giveUpMs = 15_000): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const socket = connect({ host: '127.0.0.1', port });
    let received = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`the server kept the socket open for ${giveUpMs} ms; it sent: ${received}`));
    }, giveUpMs);
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (received += chunk));
    socket.on('error', () => undefined); // a reset is a close too
    socket.on('connect', () => {
      if (text) socket.write(text);
    });
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ closedAfterMs: Date.now() - started, received });
    });
  });
}

function slowPost(port: number, authorization: string): Promise<Outcome> {
  return holdOpen(
    port,
    'POST /api/v1/create HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n' +
      `${authorization}Content-Length: 100000\r\n\r\n{"workload":`,
  );
}

describe('slow and silent clients', () => {
  let t: TestApp;
  let port: number;
  beforeAll(async () => {
    t = await createTestApp('sqlite', {
      env: {
        APP_HEADERS_TIMEOUT_SECONDS: '1',
        APP_REQUEST_TIMEOUT_SECONDS: '2',
        APP_IDLE_TIMEOUT_SECONDS: '3',
        APP_MAX_CONNECTIONS: '8',
        APP_API_TOKENS: TOKEN,
      },
    });
    const address = await t.app.listen({ host: '127.0.0.1', port: 0 });
    port = Number(new URL(address).port);
  });
  afterAll(() => t?.close());

  it('cuts off a POST that announces 100,000 bytes and goes silent, with or without a valid token', async () => {
    const outcomes = await Promise.all([
      slowPost(port, ''),
      slowPost(port, 'Authorization: Bearer wrong\r\n'),
      slowPost(port, `Authorization: Bearer ${TOKEN}\r\n`),
    ]);
    for (const outcome of outcomes) {
      expect(outcome.closedAfterMs).toBeGreaterThanOrEqual(1500);
      expect(outcome.closedAfterMs).toBeLessThan(4500);
    }
    // The valid token's request reached no handler: nothing was stored.
    expect((await t.app.inject({ url: '/api/v1/read/home' })).statusCode).toBe(204);
  });

  it('cuts off headers that never end, and a connection that sends nothing', async () => {
    const [headers, silent] = await Promise.all([
      holdOpen(port, 'GET /api/v1/health HTTP/1.1\r\nHost: x\r\nX-Slow: '),
      holdOpen(port, ''),
    ]);
    expect(headers.closedAfterMs).toBeLessThan(3500);
    expect(silent.closedAfterMs).toBeLessThan(4500);
  });

  it('closes a kept-alive connection that stays idle', async () => {
    const outcome = await holdOpen(port, 'GET /api/v1/health HTTP/1.1\r\nHost: x\r\n\r\n');
    expect(outcome.received).toMatch(/^HTTP\/1\.1 200/);
    expect(outcome.closedAfterMs).toBeLessThan(4500);
  });

  it('holds at most APP_MAX_CONNECTIONS sockets, and takes new ones once they are gone', async () => {
    const held: Socket[] = [];
    try {
      for (let index = 0; index < 8; index++) {
        const socket = connect({ host: '127.0.0.1', port });
        socket.on('error', () => undefined);
        await new Promise((resolve) => socket.once('connect', resolve));
        held.push(socket);
      }
      // Accepted by the kernel, then closed by the server without a byte read or written.
      const ninth = await holdOpen(port, 'GET /api/v1/health HTTP/1.1\r\nHost: x\r\n\r\n', 3000);
      expect(ninth.received).toBe('');
      expect(ninth.closedAfterMs).toBeLessThan(1000);
    } finally {
      for (const socket of held) socket.destroy();
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
    const response = await fetch(`http://127.0.0.1:${port}/api/v1/health`);
    expect(response.status).toBe(200);
  });
});
