// HTTP load with autocannon: a fixed number of connections, each sending its next request as soon as the
// previous one is answered. Latencies are recorded here from every response, to the microsecond
// (autocannon's own histogram keeps whole milliseconds, too coarse for sub-millisecond answers).
import autocannon, { type AutocannonRequest } from 'autocannon';

export interface LoadSpec {
  url: string;
  method?: 'GET' | 'POST';
  body?: string;
  headers?: Record<string, string>;
  /** Changes each request before it is sent (a different body per create...). */
  setupRequest?: (request: AutocannonRequest) => AutocannonRequest;
}

export interface Throughput {
  /** Answers per second (2xx only). */
  rps: number;
  /** Median and 99th percentile latency, in milliseconds. */
  p50: number;
  p99: number;
  /** Requests that failed, timed out or were answered with another status than 2xx. */
  failures: number;
  /** Answers counted. */
  requests: number;
  seconds: number;
  /** CPU time of the server process per answer, in µs, when the server is one the bench started. */
  cpuMicros?: number;
  /** Answers per second of each round, in the order they ran (after combineRounds). */
  roundRps?: number[];
}

/** Sends requests as fast as `connections` connections allow, for `seconds`. */
export async function runLoad(spec: LoadSpec, connections: number, seconds: number): Promise<Throughput> {
  const latencies: number[] = [];
  const instance = autocannon({
    url: spec.url,
    connections,
    duration: seconds,
    timeout: 10,
    // autocannon calls setupRequest whenever the key is present, even when undefined.
    requests: [
      {
        method: spec.method ?? 'GET',
        body: spec.body,
        headers: spec.headers,
        ...(spec.setupRequest && { setupRequest: spec.setupRequest }),
      },
    ],
  });
  instance.on('response', (_client: unknown, statusCode: number, _bytes: number, ms: number) => {
    if (statusCode >= 200 && statusCode < 300) latencies.push(ms);
  });
  const result = await instance;
  latencies.sort((a, b) => a - b);
  return {
    rps: latencies.length / result.duration,
    p50: percentile(latencies, 0.5),
    p99: percentile(latencies, 0.99),
    failures: result.errors + result.non2xx,
    requests: latencies.length,
    seconds: result.duration,
  };
}

/**
 * Several rounds of the same measurement as one: throughput over their whole time, latencies as the median
 * of the rounds' (one disturbed round does not move them).
 */
export function combineRounds(rounds: Throughput[]): Throughput {
  const requests = sum(rounds.map((round) => round.requests));
  const seconds = sum(rounds.map((round) => round.seconds));
  const cpu = rounds.map((round) => round.cpuMicros).filter((value) => value !== undefined);
  return {
    rps: seconds > 0 ? requests / seconds : 0,
    p50: median(rounds.map((round) => round.p50)),
    p99: median(rounds.map((round) => round.p99)),
    failures: sum(rounds.map((round) => round.failures)),
    requests,
    seconds,
    cpuMicros: cpu.length > 0 ? median(cpu) : undefined,
    roundRps: rounds.map((round) => round.rps),
  };
}

/**
 * How `result` compares with `reference`: the median of the per-round ratios when both ran the same rounds
 * (each pair ran back to back, so a round disturbed by other work moves one ratio, not the figure).
 */
export function pairedRatio(result: Throughput, reference: Throughput): number {
  const [ours, theirs] = [result.roundRps ?? [], reference.roundRps ?? []];
  // A round with no answer at all (the original's design, seconds per lookup) has no ratio: whole runs then.
  if (ours.length === 0 || ours.length !== theirs.length || theirs.includes(0))
    return result.rps / reference.rps;
  return median(ours.map((rps, round) => rps / (theirs[round] ?? Number.NaN)));
}

export interface Latency {
  p50: number;
  p99: number;
  requests: number;
  failures: number;
}

/**
 * `count` GET requests one after the other, each timed to its body's last byte, after up to 5 unrecorded
 * ones; fewer when they take more than `budgetMs` in all (a slow endpoint must not hold the run for minutes).
 * Latency of one request at a time, so that the database work is what is measured, not the queue.
 */
export async function sequentialLatency(url: string, count: number, budgetMs = 20_000): Promise<Latency> {
  const once = async () => {
    const start = performance.now();
    const response = await fetch(url);
    await response.arrayBuffer();
    return { ms: performance.now() - start, ok: response.status === 200 };
  };
  // The warm-up has a budget of its own: 5 answers of several seconds each would double the run.
  const warmUntil = performance.now() + budgetMs / 4;
  for (let warm = 0; warm < 5 && performance.now() < warmUntil; warm++) await once();
  const times: number[] = [];
  let failures = 0;
  const deadline = performance.now() + budgetMs;
  for (let request = 0; request < count && performance.now() < deadline; request++) {
    const { ms, ok } = await once();
    if (ok) times.push(ms);
    else failures++;
  }
  times.sort((a, b) => a - b);
  return { p50: percentile(times, 0.5), p99: percentile(times, 0.99), requests: times.length, failures };
}

export function percentile(sorted: readonly number[], fraction: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))] ?? Number.NaN;
}

export function median(values: readonly number[]): number {
  return percentile(
    [...values].sort((a, b) => a - b),
    0.5,
  );
}

function sum(values: readonly number[]): number {
  return values.reduce((total, value) => total + value, 0);
}
