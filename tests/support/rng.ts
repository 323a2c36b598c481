/**
 * A seeded, reproducible random source for tests and benchmarks
 * (mulberry32: 32 bits of state, good enough for shuffles and fuzzing).
 *
 * @module
 */

import type { Rng } from "../../lib/util/random.ts";

/** Returns a deterministic {@linkcode Rng} for `seed`. */
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

/** A random integer in [min, max], inclusive. */
export function randomInt(rng: Rng, min: number, max: number): number {
  return min + Math.floor(rng() * (max - min + 1));
}
