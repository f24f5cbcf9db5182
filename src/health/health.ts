// What /healthz checks and which paths are probes: shared by the routes and by the infrastructure that
// treats probes apart (bearer tokens, request logs) or offers a check (Redis), so none of them imports a route.

/** Something /healthz checks: the database, Redis... */
export interface HealthCheck {
  /** The key in the answer, e.g. postgresql, mysql, sqlite, redis. */
  name: string;
  /** Resolves when healthy. */
  check(): Promise<void>;
  /**
   * false for an accelerator (Redis): reported NOT OK but answered 200, so that a readiness probe does not
   * take every replica out while they serve fine from the database. Required by default.
   */
  required?: boolean;
}

const CHECK_TIMEOUT_MS = 2000;

/** The probes' addresses: open without a token, not logged unless asked. */
export const HEALTH_PATHS = ['/api/v1/health', '/api/v1/healthz'];

/** Runs every check at once, each bounded by a time-out; healthy when every required one passes. */
export async function checkAll(
  checks: readonly HealthCheck[],
): Promise<{ healthy: boolean; status: Record<string, string> }> {
  const results = await Promise.all(checks.map(async ({ check }) => passes(check)));
  const status = Object.fromEntries(checks.map(({ name }, i) => [name, results[i] ? 'OK' : 'NOT OK']));
  const healthy = checks.every(({ required = true }, i) => !required || results[i]);
  return { healthy, status };
}

async function passes(check: () => Promise<void>): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), CHECK_TIMEOUT_MS);
  });
  try {
    return await Promise.race([check().then(() => true as const), timeout]);
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}
