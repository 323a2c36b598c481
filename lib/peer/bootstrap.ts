/**
 * The pure parts of joining: which seeds to ask, how long to wait between
 * rounds, and how the seeds' peer lists combine.
 *
 * @module
 */

import { type Address, formatAddress } from "../util/address.ts";
import type { Rng } from "../util/random.ts";
import type { PeerEntry } from "../wire/messages.ts";
import type { Candidate } from "./topology.ts";

/**
 * Exponential backoff with full jitter: a random wait in
 * [min/2, min·2^attempt], capped at `max`. Jitter keeps a crowd of peers
 * that failed together from retrying together.
 *
 * @example Usage
 * ```ts
 * import { backoffDelay } from "./bootstrap.ts";
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
/** A known peer with the highest degree any seed reported for it. */
export interface KnownPeer extends Candidate {
  readonly address: Address;
}

/**
 * Unions peer lists from several seeds, minus `self`. A peer listed by
 * several seeds keeps the highest degree reported: degrees only go stale by
 * lagging, and a majority of seeds always includes one that heard the
 * latest update.
 *
 * @example Usage
 * ```ts
 * import { unionPeerLists } from "./bootstrap.ts";
 * const a = { address: { host: "127.0.0.1", port: 6001 }, degree: 1 };
 * const b = { address: { host: "127.0.0.1", port: 6001 }, degree: 3 };
 * unionPeerLists([[a], [b]], { host: "127.0.0.1", port: 6000 })[0]?.degree; // 3
 * ```
 */
export function unionPeerLists(
  lists: Iterable<readonly PeerEntry[]>,
  self: Address,
): KnownPeer[] {
  const selfKey = formatAddress(self);
  const union = new Map<string, KnownPeer>();
  for (const list of lists) {
    for (const entry of list) {
      const key = formatAddress(entry.address);
      if (key === selfKey) continue;
      const known = union.get(key);
      if (!known || entry.degree > known.degree) {
        union.set(key, { key, address: entry.address, degree: entry.degree });
      }
    }
  }
  return [...union.values()];
}
