/**
 * A token bucket: at most `burst` events at once, refilled at `perSecond`.
 * Pure apart from the time it is given, so rate limits are tested without
 * timers.
 *
 * @module
 */

/** Rate of a {@linkcode TokenBucket}. */
export interface RateLimit {
  /** Tokens added per second. */
  readonly perSecond: number;
  /** Most tokens held, and the tokens a fresh bucket starts with. */
  readonly burst: number;
}

/**
 * Counts events against a rate.
 *
 * @example Usage
 * ```ts
 * import { TokenBucket } from "./token_bucket.ts";
 * const bucket = new TokenBucket({ perSecond: 1, burst: 2 }, 0);
 * bucket.take(0); // true
 * bucket.take(0); // true
 * bucket.take(0); // false
 * bucket.take(1000); // true (one token came back)
 * ```
 */
export class TokenBucket {
  readonly #limit: RateLimit;
  #tokens: number;
  #at: number;

  /** A full bucket at time `now` (ms). */
  constructor(limit: RateLimit, now: number) {
    this.#limit = limit;
    this.#tokens = limit.burst;
    this.#at = now;
  }

  /** Takes one token at time `now`; false (and nothing taken) when empty. */
  take(now: number): boolean {
    const elapsed = Math.max(0, now - this.#at);
    this.#at = Math.max(this.#at, now);
    this.#tokens = Math.min(
      this.#limit.burst,
      this.#tokens + elapsed * this.#limit.perSecond / 1000,
    );
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }

  /** Gives back a token taken for an event that turned out not to count. */
  refund(): void {
    this.#tokens = Math.min(this.#limit.burst, this.#tokens + 1);
  }
}
