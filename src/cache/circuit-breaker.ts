// A dependency that times out costs every caller the whole time-out; after one failure it is cheaper to stop
// asking for a while and let a single caller find out whether it is back.

/** Closed (calls go through), open (no calls for `openMs`), then half-open (one probe call at a time). */
export class CircuitBreaker {
  private openedAt: number | undefined;
  private probeStartedAt: number | undefined;

  constructor(
    private readonly openMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** True when no failure is pending: calls go through without taking the probe. */
  get isClosed(): boolean {
    return this.openedAt === undefined;
  }

  /**
   * Whether the caller may make a call now. While half-open only one caller gets true (the probe); it must
   * report `succeeded()` or `failed()`. A probe that never reports stops blocking others after `openMs`.
   */
  allows(): boolean {
    if (this.openedAt === undefined) return true;
    const now = this.now();
    if (now - this.openedAt < this.openMs) return false;
    if (this.probeStartedAt !== undefined && now - this.probeStartedAt < this.openMs) return false;
    this.probeStartedAt = now;
    return true;
  }

  succeeded(): void {
    this.openedAt = undefined;
    this.probeStartedAt = undefined;
  }

  failed(): void {
    this.openedAt = this.now();
    this.probeStartedAt = undefined;
  }

  /** Forgets past failures, e.g. once a fresh connection is established. */
  reset(): void {
    this.succeeded();
  }
}
