/**
 * How long a node waits before trying again, shared by seeds (redialling
 * each other) and peers (registering with seeds): exponential backoff with
 * full jitter, and what counts as a link healthy enough to start afresh.
 *
 * @module
 */

import type { Rng } from "../util/random.ts";

/**
 * Exponential backoff with full jitter: a random wait in
 * [min/2, min·2^attempt], capped at `max`. Jitter keeps a crowd of peers
 * that failed together from retrying together.
 *
 * @example Usage
 * ```ts
 * import { backoffDelay } from "./backoff.ts";
 * backoffDelay(0, { minMs: 100, maxMs: 1000 }, () => 0.999); // about 100
 * backoffDelay(10, { minMs: 100, maxMs: 1000 }, () => 0.999); // about 1000
 * ```
 */
export function backoffDelay(
  attempt: number,
  options: { minMs: number; maxMs: number },
  rng: Rng,
): number {
  const ceiling = Math.min(options.maxMs, options.minMs * 2 ** Math.min(attempt, 30));
  const floor = Math.min(options.minMs / 2, ceiling);
  return Math.round(floor + rng() * (ceiling - floor));
}

/** A link that stayed up this long was healthy: its next redial starts the backoff afresh. */
export const STABLE_LINK_MS = 5_000;
/** Longest wait between redials of a seed whose links keep breaking the protocol. */
export const BROKEN_LINK_MAX_RETRY_MS = 30_000;
