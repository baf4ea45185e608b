/**
 * Fixed-window counters kept in memory, per instance. They stop floods from one visitor or one
 * address; with several instances each one allows its own share, which is still a bound.
 */
export class RateLimiter {
  readonly #limit: number;
  readonly #windowMs: number;
  readonly #windows = new Map<string, { start: number; count: number }>();

  constructor(limit: number, windowMs: number) {
    this.#limit = limit;
    this.#windowMs = windowMs;
  }

  /** Counts one hit for the key; false once the key is over its limit in the current window. */
  hit(key: string, now = Date.now()): boolean {
    let window = this.#windows.get(key);
    if (!window || now - window.start >= this.#windowMs) {
      if (this.#windows.size > 50_000) this.#sweep(now);
      window = { start: now, count: 0 };
      this.#windows.set(key, window);
    }
    window.count += 1;
    return window.count <= this.#limit;
  }

  /** Seconds until the key's window resets. */
  retryAfter(key: string, now = Date.now()): number {
    const window = this.#windows.get(key);
    return window ? Math.max(1, Math.ceil((window.start + this.#windowMs - now) / 1000)) : 1;
  }

  #sweep(now: number): void {
    for (const [key, window] of this.#windows) {
      if (now - window.start >= this.#windowMs) this.#windows.delete(key);
    }
  }
}
