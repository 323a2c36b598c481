/**
 * The latest peer list from each seed, kept compactly: a peer holds them for
 * its whole life (repairs and the ban check read them), so each list is one
 * array of shared addresses and one of degrees, not an object per entry.
 * With 100,000 peers in one simulation the lists were 12 KB per peer.
 *
 * @module
 */

import type { InternPool } from "../node/intern_pool.ts";
import { type Address, formatAddress } from "../util/address.ts";
import type { PeerEntry } from "../wire/messages.ts";

interface StoredList {
  readonly addresses: readonly Address[];
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
 * ```
 */
export class PeerLists {
  readonly #pool: InternPool;
  readonly #bySeed = new Map<string, StoredList>();

  /** Lists whose addresses are shared through `pool`. */
  constructor(pool: InternPool) {
    this.#pool = pool;
  }

  /** Keeps `entries` as the latest list of the seed `seed`. */
  set(seed: string, entries: readonly PeerEntry[]): void {
    const addresses = new Array<Address>(entries.length);
    const degrees = new Array<number>(entries.length);
    for (let i = 0; i < entries.length; i++) {
      const entry = entries[i]!;
      addresses[i] = this.#pool.address(entry.address);
      degrees[i] = entry.degree;
    }
    this.#bySeed.set(seed, { addresses, degrees });
  }

  /** Every kept list, as peer-list entries (made on each call). */
  lists(): PeerEntry[][] {
    const out: PeerEntry[][] = [];
    for (const { addresses, degrees } of this.#bySeed.values()) {
      out.push(addresses.map((address, i) => ({ address, degree: degrees[i]! })));
    }
    return out;
  }

  /** True when some seed listed the peer `key` (`host:port`). */
  has(key: string): boolean {
    for (const { addresses } of this.#bySeed.values()) {
      for (const address of addresses) if (formatAddress(address) === key) return true;
    }
    return false;
  }
}
