// Listening the same way on both ports (the API's and the metrics'), and naming the address to reach.

/**
 * Listens on `host` through `listen`; where IPv6 is off, the default `::` (every interface) falls back to
 * 0.0.0.0 instead of failing. Returns the host listened on.
 */
export async function listenFallingBackToIpv4(
  host: string,
  listen: (host: string) => Promise<unknown>,
): Promise<string> {
  try {
    await listen(host);
    return host;
  } catch (error) {
    if (host !== '::' || (error as NodeJS.ErrnoException).code !== 'EAFNOSUPPORT') throw error;
    await listen('0.0.0.0');
    return '0.0.0.0';
  }
}

/** An http:// URL to reach a server listening on `host`: `localhost` for every interface, IPv6 in brackets. */
export function reachableUrl(host: string, port: number, path = ''): string {
  const shown = ['::', '0.0.0.0'].includes(host) ? 'localhost' : host;
  return `http://${shown.includes(':') ? `[${shown}]` : shown}:${port}${path}`;
}

/** The port a listening server got (the one asked for, or the one the system chose for port 0). */
export function listeningPort(
  address: ReturnType<import('node:net').Server['address']>,
  asked: number,
): number {
  return typeof address === 'object' && address ? address.port : asked;
}
