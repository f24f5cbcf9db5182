// Random writes through the API for the tests that keep a derived table against the deployments (the daily
// counts, the DORA rollup): creates, status changes and deletes of the deployments the walk created, each
// expected to succeed, replayable from the generator's seed.
import type { InjectOptions } from 'fastify';
import { expect } from 'vitest';
import type { seeded } from './random.js';
import type { TestApp } from './test-app.js';

export interface RandomWrites {
  steps: number;
  /** The share of creates and of status changes (the rest are deletes); the first write is a create. */
  creates: number;
  changes: number;
  /** The statuses a change picks from. */
  statuses: readonly string[];
  /** The body of the create of step `step`. */
  create(step: number): Record<string, unknown>;
  /** Before each write, and before a change's (to move the server's clock). */
  beforeWrite?(step: number): void;
  beforeChange?(): void;
}

/** Makes `writes.steps` random writes on `t`, in turn; returns the ids of the deployments left. */
export async function applyRandomWrites(
  t: TestApp,
  random: ReturnType<typeof seeded>,
  writes: RandomWrites,
): Promise<number[]> {
  const inject = async (options: InjectOptions, status: number) => {
    const response = await t.app.inject(options);
    // A 5xx hides its cause from the answer: the app's last log lines show it.
    if (response.statusCode >= 500) console.error(JSON.stringify(t.logs.slice(-3)));
    expect(response.statusCode, response.body).toBe(status);
    return response;
  };
  const ids: number[] = [];
  for (let step = 0; step < writes.steps; step++) {
    writes.beforeWrite?.(step);
    const action = random.next();
    if (action < writes.creates || ids.length === 0) {
      const payload = writes.create(step);
      const created = await inject({ method: 'POST', url: '/api/v1/create', payload }, 201);
      ids.push(Number(created.json().versionId));
    } else if (action < writes.creates + writes.changes) {
      writes.beforeChange?.();
      const payload = { versionId: random.pick(ids), status: random.pick(writes.statuses) };
      await inject({ method: 'POST', url: '/api/v1/update/status', payload }, 200);
    } else {
      const id = ids.splice(Math.floor(random.next() * ids.length), 1)[0];
      await inject({ method: 'DELETE', url: `/api/v1/deployments/${id}` }, 200);
    }
  }
  return ids;
}
