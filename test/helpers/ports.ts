import { createServer } from 'node:net';

/**
 * A TCP port that nothing listens on right now (the OS picks it; it is free once returned). On 0.0.0.0 it is
 * free on every IPv4 address, for a server told to listen on another one (127.0.0.2).
 */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}
