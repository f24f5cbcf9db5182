// Whether this run tests Redis: global-setup found the machine's Redis answering and redis-server installed
// (in CI it must; on a laptop without them the Redis suites are skipped, with a loud warning at the start).
import { inject } from 'vitest';

export const REDIS_AVAILABLE = !inject('redisProblem');
