/**
 * Failed credential checks per client address in a fixed window. Invalid API keys and tokens are refused in
 * the authentication hook, before the per-caller rate limiter runs, so without this an address could try keys
 * as fast as the server answers, each costing a database lookup. Past `max` failures in `windowMs` the address
 * is refused without a lookup until its window ends. Pure bookkeeping; the clock is injectable for tests.
 */
export class CredentialFailures {
  private readonly windows = new Map<string, { count: number; resetAt: number }>();

  constructor(
    private readonly max: number,
    private readonly windowMs = 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** Milliseconds until `address` may try again; 0 when it is not blocked. */
  blockedFor(address: string): number {
    const w = this.windows.get(address);
    if (!w) {
      return 0;
    }
    const left = w.resetAt - this.now();
    if (left <= 0) {
      this.windows.delete(address);
      return 0;
    }
    return w.count >= this.max ? left : 0;
  }

  fail(address: string): void {
    const now = this.now();
    const w = this.windows.get(address);
    if (w && w.resetAt > now) {
      w.count++;
      return;
    }
    if (this.windows.size >= 10_000) {
      this.prune(now);
    }
    this.windows.set(address, { count: 1, resetAt: now + this.windowMs });
  }

  private prune(now: number): void {
    for (const [k, w] of this.windows) {
      if (w.resetAt <= now) {
        this.windows.delete(k);
      }
    }
  }
}
