// A minimal text/event-stream client over a real HTTP connection, for tests.
import { get, type IncomingMessage } from 'node:http';

export interface ServerSentEvent {
  event: string;
  data: string;
}

export interface EventStream {
  response: IncomingMessage;
  /** Everything received so far, as text. */
  text(): string;
  /** Events received so far (comments and retry-only blocks are not events). */
  events: ServerSentEvent[];
  /** Resolves with the first event (already received or to come) that `match` accepts. */
  next(match: (event: ServerSentEvent) => boolean, timeoutMs?: number): Promise<ServerSentEvent>;
  /** Resolves once the received text contains `fragment`. */
  waitForText(fragment: string, timeoutMs?: number): Promise<void>;
  /** Resolves when the server ends the stream. */
  ended: Promise<void>;
  /** Drops the connection from the client's side. */
  close(): void;
}

/** Opens `url` and parses the stream as it arrives. */
export function openEventStream(url: string): Promise<EventStream> {
  return new Promise((resolve, reject) => {
    const request = get(url, { headers: { accept: 'text/event-stream' } }, (response) => {
      let received = '';
      let pending = '';
      const events: ServerSentEvent[] = [];
      const waiters = new Set<() => void>();
      const notify = () => waiters.forEach((waiter) => waiter());
      response.setEncoding('utf8');
      // A stream cut by close() or by the server ends here; the test looks at `ended`.
      response.on('error', () => undefined);
      response.on('data', (chunk: string) => {
        received += chunk;
        pending += chunk;
        const blocks = pending.split('\n\n');
        pending = blocks.pop() ?? '';
        for (const block of blocks) {
          let event = 'message';
          const data: string[] = [];
          for (const line of block.split('\n')) {
            if (line.startsWith('event: ')) event = line.slice(7);
            else if (line.startsWith('data: ')) data.push(line.slice(6));
          }
          if (data.length > 0) events.push({ event, data: data.join('\n') });
        }
        notify();
      });
      const ended = new Promise<void>((done) => response.once('close', () => done()));
      const waitFor = <T>(check: () => T | undefined, timeoutMs: number, what: string) =>
        new Promise<T>((done, fail) => {
          const attempt = () => {
            const found = check();
            if (found === undefined) return;
            clearTimeout(timer);
            waiters.delete(attempt);
            done(found);
          };
          const timer = setTimeout(() => {
            waiters.delete(attempt);
            fail(new Error(`timed out waiting for ${what}; received:\n${received}`));
          }, timeoutMs);
          waiters.add(attempt);
          attempt();
        });
      resolve({
        response,
        text: () => received,
        events,
        next: (match, timeoutMs = 5000) => waitFor(() => events.find(match), timeoutMs, 'an event'),
        waitForText: async (fragment, timeoutMs = 5000) => {
          await waitFor(() => (received.includes(fragment) ? true : undefined), timeoutMs, fragment);
        },
        ended,
        close: () => request.destroy(),
      });
    });
    request.on('error', reject);
  });
}
