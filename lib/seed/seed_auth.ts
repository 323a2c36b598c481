/**
 * Proof that an inbound link claiming to be a seed is that seed, without a
 * shared key: a nonce callback. This seed sends a fresh nonce to the
 * claimed seed over the link it dialled itself to that seed's configured
 * address; only the real seed gets it, and it echoes it on its own outbound
 * link to this seed. The inbound link the echo arrives on is the real
 * seed's. Pure bookkeeping of the nonces; the seed runtime moves them.
 *
 * @module
 */

/** One nonce awaiting its echo. */
interface Challenge {
  readonly nonce: string;
  readonly expiresAt: number;
}

/**
 * Outstanding challenges, one per claimed seed.
 *
 * @example Usage
 * ```ts
 * import { SeedChallenges } from "./seed_auth.ts";
 * const challenges = new SeedChallenges(5000);
 * challenges.issue("127.0.0.1:5001", "00112233445566778899aabbccddeeff", 0);
 * challenges.answer("127.0.0.1:5001", "00112233445566778899aabbccddeeff", 10); // true
 * challenges.answer("127.0.0.1:5001", "00112233445566778899aabbccddeeff", 20); // false (used)
 * ```
 */
export class SeedChallenges {
  readonly #ttlMs: number;
  readonly #bySeed = new Map<string, Challenge>();

  /** Challenges expire `ttlMs` after they are issued. */
  constructor(ttlMs: number) {
    this.#ttlMs = ttlMs;
  }

  /** The nonce awaiting an echo from `seedKey` at `now`, if any. */
  pending(seedKey: string, now: number): string | undefined {
    const challenge = this.#bySeed.get(seedKey);
    if (!challenge) return undefined;
    if (challenge.expiresAt <= now) {
      this.#bySeed.delete(seedKey);
      return undefined;
    }
    return challenge.nonce;
  }

  /** Records that `nonce` was sent to `seedKey` at `now` (replacing an older one). */
  issue(seedKey: string, nonce: string, now: number): void {
    this.#bySeed.set(seedKey, { nonce, expiresAt: now + this.#ttlMs });
  }

  /**
   * Reports whether `nonce`, echoed on a link claiming `seedKey`, answers
   * the challenge sent to that seed; a matching nonce is used up.
   */
  answer(seedKey: string, nonce: string, now: number): boolean {
    const expected = this.pending(seedKey, now);
    if (expected === undefined || expected !== nonce) return false;
    this.#bySeed.delete(seedKey);
    return true;
  }

  /** Forgets every challenge (shutdown). */
  clear(): void {
    this.#bySeed.clear();
  }
}
