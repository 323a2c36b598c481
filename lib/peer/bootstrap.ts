/**
 * The pure parts of joining: how the seeds' peer lists combine.
 *
 * @module
 */

import { type Address, formatAddress } from "../util/address.ts";
import type { PeerEntry } from "../wire/messages.ts";
import type { Candidate } from "./topology.ts";

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
