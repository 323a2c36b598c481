/**
 * Neighbour choice by preferential attachment.
 *
 * The rule: a joining peer draws up to `count` distinct neighbours from the
 * known peers, one at a time, each draw picking peer `i` with probability
 * `(degree_i + 1) / Σ (degree_j + 1)` over those not yet drawn. Well-linked
 * peers attract more links (the rich get richer), which is the
 * Barabási–Albert process: degrees follow a power law P(k) ~ k^-3. The `+ 1`
 * lets a peer with no links yet be chosen at all.
 *
 * @module
 */

import type { Rng } from "../util/random.ts";

/** A peer that could become a neighbour. */
export interface Candidate {
  /** Its address as `host:port`. */
  readonly key: string;
  /** Its current number of neighbour links. */
  readonly degree: number;
}

/**
 * Draws up to `count` distinct candidates by preferential attachment.
 *
 * @example Usage
 * ```ts
 * import { chooseNeighbors } from "./topology.ts";
 * const picked = chooseNeighbors(
 *   [{ key: "a:1", degree: 9 }, { key: "b:1", degree: 0 }, { key: "c:1", degree: 2 }],
 *   2,
 *   Math.random,
 * );
 * picked.length; // 2
 * ```
 */
export function chooseNeighbors(
  candidates: readonly Candidate[],
  count: number,
  rng: Rng,
): Candidate[] {
  const pool = candidates.slice();
  const weights = pool.map((c) => Math.max(0, c.degree) + 1);
  let total = weights.reduce((sum, w) => sum + w, 0);
  const chosen: Candidate[] = [];
  while (chosen.length < count && pool.length > 0) {
    let target = rng() * total;
    let index = 0;
    // Linear scan: candidate lists are at most a few thousand entries and
    // this runs once per join, so a Fenwick tree would not pay for itself.
    while (index < pool.length - 1 && target >= (weights[index] as number)) {
      target -= weights[index] as number;
      index++;
    }
    chosen.push(pool[index] as Candidate);
    total -= weights[index] as number;
    pool.splice(index, 1);
    weights.splice(index, 1);
  }
  return chosen;
}
