/**
 * Randomness as an injected dependency, so every random choice (seed
 * choice, neighbour choice, nonces) is reproducible under test.
 *
 * @module
 */

/** Returns a float in [0, 1), like `Math.random`. */
export type Rng = () => number;

/** The process-wide pseudo-random source. */
export const systemRng: Rng = Math.random;

/**
 * Picks `count` distinct items uniformly at random (partial Fisher-Yates).
 * Returns all items, shuffled, when `count >= items.length`.
 *
 * @example Usage
 * ```ts
 * import { sample } from "./random.ts";
 * sample([1, 2, 3, 4], 2, Math.random).length; // 2
 * ```
 */
export function sample<T>(items: readonly T[], count: number, rng: Rng): T[] {
  const pool = items.slice();
  const n = Math.min(Math.max(0, count), pool.length);
  for (let i = 0; i < n; i++) {
    const j = i + Math.floor(rng() * (pool.length - i));
    const picked = pool[j] as T;
    pool[j] = pool[i] as T;
    pool[i] = picked;
  }
  return pool.slice(0, n);
}

/** Returns a random unsigned 32-bit integer drawn from `rng`. */
export function randomUint32(rng: Rng): number {
  return Math.floor(rng() * 0x1_0000_0000) >>> 0;
}

/** A fresh 64-bit node identity as 16 lowercase hex digits (crypto RNG). */
export function newNodeId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(8));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * A seeded, reproducible {@linkcode Rng} (mulberry32: 32 bits of state,
 * ample for shuffles and simulations). One seed gives one sequence.
 *
 * @example Usage
 * ```ts
 * import { seededRng } from "./random.ts";
 * seededRng(7)() === seededRng(7)(); // true
 * ```
 */
export function seededRng(seed: number): Rng {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
