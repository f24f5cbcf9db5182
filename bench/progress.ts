// Progress lines on stderr, so that stdout carries only the table of results.
const started = performance.now();

/** Writes one progress line, stamped with the seconds since the bench started. */
export function progress(message: string): void {
  const seconds = ((performance.now() - started) / 1000).toFixed(0).padStart(4);
  process.stderr.write(`[bench ${seconds}s] ${message}\n`);
}

/** Runs `work`, then reports how long it took under `label`. */
export async function timed<T>(label: string, work: () => Promise<T>): Promise<T> {
  const start = performance.now();
  const result = await work();
  progress(`${label}: ${((performance.now() - start) / 1000).toFixed(1)} s`);
  return result;
}
