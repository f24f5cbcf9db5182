// A local HTTP server standing in for Slack, Teams, Grafana or a webhook receiver: it records every request
// exactly as it arrived and answers as the test says (an answer, a hang, or nothing at all).
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  /** Path and query, as sent. */
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** The body parsed as JSON (undefined when it is not JSON). */
  json: unknown;
  at: number;
}

/** How to answer a request: a status and a JSON body, or `hang` (never answer). */
export type Answer = { status: number; body?: unknown } | 'hang';

export interface Recorder {
  /** `http://127.0.0.1:PORT` */
  origin: string;
  requests: RecordedRequest[];
  /** Chooses each answer; 204 without a body when not set. */
  answer: (request: RecordedRequest) => Answer;
  /** Resolves with the requests once `count` have arrived. */
  received(count: number, timeoutMs?: number): Promise<RecordedRequest[]>;
  close(): Promise<void>;
}

export async function startRecorder(): Promise<Recorder> {
  const waiters = new Set<() => void>();
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      let json: unknown;
      try {
        json = JSON.parse(body);
      } catch {
        json = undefined;
      }
      const recorded: RecordedRequest = {
        method: request.method ?? '',
        url: request.url ?? '',
        headers: request.headers,
        body,
        json,
        at: Date.now(),
      };
      recorder.requests.push(recorded);
      for (const waiter of [...waiters]) waiter();
      const answer = recorder.answer(recorded);
      if (answer === 'hang') return;
      if (answer.body === undefined) return response.writeHead(answer.status).end();
      response
        .writeHead(answer.status, { 'content-type': 'application/json' })
        .end(JSON.stringify(answer.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const recorder: Recorder = {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests: [],
    answer: () => ({ status: 204 }),
    received: (count, timeoutMs = 10_000) =>
      new Promise((resolve, reject) => {
        const check = () => {
          if (recorder.requests.length < count) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(recorder.requests.slice());
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`expected ${count} requests, got ${recorder.requests.length}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      }),
    close: () =>
      new Promise((resolve) => {
        // Hanging requests would keep close() waiting.
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return recorder;
}
