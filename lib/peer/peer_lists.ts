/**
 * The latest peer list from each seed, kept compactly: a peer holds them for
 * its whole life (repairs and the ban check read them), so each list is one
 * array of shared addresses and one of degrees, not an object per entry.
 * With 100,000 peers in one simulation the lists were 12 KB per peer.
 *
 * @module
 */

import type { InternPool, SharedAddress } from "../node/intern_pool.ts";
import type { Address } from "../util/address.ts";
import type { PeerEntry } from "../wire/messages.ts";
import type { KnownPeer } from "./bootstrap.ts";

interface StoredList {
  readonly peers: readonly SharedAddress[];
  readonly degrees: readonly number[];
}

/**
 * The seeds' latest lists, by seed key.
 *
 * @example Usage
 * ```ts
 * import { InternPool } from "../node/intern_pool.ts";
 * import { PeerLists } from "./peer_lists.ts";
 * const lists = new PeerLists(new InternPool());
 * lists.set("10.0.0.1:5000", [{ address: { host: "10.1.0.1", port: 6000 }, degree: 2 }]);
 * lists.has("10.1.0.1:6000"); // true
 * lists.lists()[0]?.[0]?.degree; // 2
 * lists.union({ host: "10.1.0.9", port: 6000 })[0]?.key; // "10.1.0.1:6000"
 * ```
 */
export class PeerLists {
  readonly #pool: InternPool;
  readonly #bySeed = new Map<string, StoredList>();

  /** Lists whose addresses are shared through `pool`. */
  constructor(pool: InternPool) {
    this.#pool = pool;
  }

  /** Keeps `entries` as the latest list of the seed `seed`; returns their keys, in order (a new array). */
  set(seed: string, entries: readonly PeerEntry[]): string[] {
    const peers = new Array<SharedAddress>(entries.length);
    const degrees = new Array<number>(entries.length);
    const keys = new Array<string>(entries.length);
    for (let i = 0; i < entries.length; i++) {
      const entry = entries[i]!;
      const shared = this.#pool.shared(entry.address);
      peers[i] = shared;
      keys[i] = shared.key;
      degrees[i] = entry.degree;
    }
    this.#bySeed.set(seed, { peers, degrees });
    return keys;
  }

  /** Every kept list, as peer-list entries (made on each call). */
  lists(): PeerEntry[][] {
    const out: PeerEntry[][] = [];
    for (const { peers, degrees } of this.#bySeed.values()) {
      out.push(peers.map((peer, i) => ({ address: peer.address, degree: degrees[i]! })));
    }
    return out;
  }

  /**
   * The union of the kept lists minus `self`, as `unionPeerLists` makes it
   * (a peer several seeds list keeps the highest degree), in first-listed
   * order; the shared keys spare formatting every address again.
   */
  union(self: Address): KnownPeer[] {
    const selfKey = this.#pool.key(self);
    const union = new Map<string, KnownPeer>();
    for (const { peers, degrees } of this.#bySeed.values()) {
      for (let i = 0; i < peers.length; i++) {
        const { key, address } = peers[i]!;
        if (key === selfKey) continue;
        const degree = degrees[i]!;
        const known = union.get(key);
        if (!known || degree > known.degree) union.set(key, { key, address, degree });
      }
    }
    return [...union.values()];
  }

  /** True when some seed listed the peer `key` (`host:port`). */
  has(key: string): boolean {
    for (const { peers } of this.#bySeed.values()) {
      for (const peer of peers) if (peer.key === key) return true;
    }
    return false;
  }
}
