/**
 * Misbehaviour costs: every offence (a malformed or forbidden frame, a
 * handshake never finished, a send queue never read) bans its key for a
 * back-off that doubles with each offence while they keep coming, in the
 * spirit of Bitcoin Core's ban score. Keys are a remote IP (offences before
 * a hello) or an IP plus the address its hello claimed (offences after).
 * Pure apart from the time it is given.
 *
 * @module
 */

/** How bans grow and fade. */
export interface BanPolicy {
  /** Ban after a first offence, in ms. Doubles with each further one. */
  readonly baseMs: number;
  /** Longest ban, in ms. */
  readonly maxMs: number;
  /** Offences are forgotten after this long without a new one, in ms. */
  readonly forgetAfterMs: number;
  /** Most keys remembered; the least recently offending go first. */
  readonly maxKeys: number;
}

/** Defaults: 1 s, doubling to 5 min, forgotten after 10 quiet minutes. */
export const DEFAULT_BAN_POLICY: BanPolicy = {
  baseMs: 1_000,
  maxMs: 300_000,
  forgetAfterMs: 600_000,
  maxKeys: 4096,
};

/** What one offence cost. */
export interface BanOutcome {
  /** Offences of this key still remembered, this one included. */
  readonly offences: number;
  /** Length of the ban this offence started, in ms. */
  readonly banMs: number;
}

interface Entry {
  offences: number;
  lastAt: number;
  until: number;
}

/**
 * Offences and bans by key.
 *
 * @example Usage
 * ```ts
 * import { BanBook } from "./ban_book.ts";
 * const bans = new BanBook({ baseMs: 1000, maxMs: 8000, forgetAfterMs: 60_000, maxKeys: 100 });
 * bans.offence("10.0.0.9", 0); // { offences: 1, banMs: 1000 }
 * bans.bannedFor("10.0.0.9", 500); // 500
 * bans.offence("10.0.0.9", 1000); // { offences: 2, banMs: 2000 }
 * bans.bannedFor("10.0.0.9", 3000); // 0
 * ```
 */
export class BanBook {
  readonly #policy: BanPolicy;
  // Made at the first offence: most nodes never ban anyone, and a simulation holds 100,000.
  #entries: Map<string, Entry> | undefined;

  /** An empty book. */
  constructor(policy: BanPolicy = DEFAULT_BAN_POLICY) {
    this.#policy = policy;
  }

  /** Number of keys remembered. */
  get size(): number {
    return this.#entries?.size ?? 0;
  }

  /** Records an offence by `key` at `now` and bans it. */
  offence(key: string, now: number): BanOutcome {
    const policy = this.#policy;
    const entries = this.#entries ??= new Map();
    const previous = entries.get(key);
    const remembered = previous && now - previous.lastAt < policy.forgetAfterMs;
    const offences = remembered ? previous.offences + 1 : 1;
    const banMs = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.min(offences - 1, 30));
    entries.delete(key); // re-insert: Map order is then least recent first
    entries.set(key, {
      offences,
      lastAt: now,
      until: Math.max(previous?.until ?? 0, now + banMs),
    });
    if (entries.size > policy.maxKeys) {
      const oldest = entries.keys().next().value;
      if (oldest !== undefined) entries.delete(oldest);
    }
    return { offences, banMs };
  }

  /** Ms left of `key`'s ban at `now`; 0 when it is not banned. */
  bannedFor(key: string, now: number): number {
    const entry = this.#entries?.get(key);
    if (!entry) return 0;
    if (now - entry.lastAt >= this.#policy.forgetAfterMs && now >= entry.until) {
      this.#entries!.delete(key);
      return 0;
    }
    return Math.max(0, entry.until - now);
  }
}
