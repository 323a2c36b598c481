/**
 * The overlay the join rule builds when every degree is current: a model,
 * not a simulation. Each joiner gets the seeds' peer lists from a majority
 * of them (whole up to the seeds' threshold, a uniform sample above, by the
 * seeds' own code) and links to `maxNeighbors` of their union by the
 * peers' own preferential attachment. Cheap enough for 100,000 peers in
 * seconds, so the effect of sampling on the power law can be measured
 * apart from the network's timing.
 *
 * @module
 */

import { unionPeerLists } from "../peer/bootstrap.ts";
import { chooseNeighbors } from "../peer/topology.ts";
import { Membership } from "../seed/membership.ts";
import { PEER_LIST_FULL_MAX, PEER_LIST_SAMPLE } from "../seed/peer_requests.ts";
import { formatAddress } from "../util/address.ts";
import { seededRng } from "../util/random.ts";
import type { PeerEntry } from "../wire/messages.ts";
import { peerAddress } from "./sim_plan.ts";

/** Options for {@linkcode growOverlay}. */
export interface OverlayModelOptions {
  /** Peers that join, one after another. */
  peers: number;
  /** Random seed. @default {1} */
  seed?: number;
  /** Seeds whose lists a joiner unions (a majority of the config). @default {2} */
  lists?: number;
  /** Links a joiner makes. @default {4} */
  maxNeighbors?: number;
  /** Largest list sent whole. @default {PEER_LIST_FULL_MAX} */
  fullListMax?: number;
  /** Size of a sampled list. @default {PEER_LIST_SAMPLE} */
  sampleSize?: number;
  /**
   * Inbound links a peer accepts (`--max-inbound`); a joiner that picked a
   * full peer draws again from the rest, as a refused dial leads it to.
   * @default {Infinity}
   */
  maxInbound?: number;
}

/**
 * Grows the model overlay; returns each peer's final degree, in join order.
 *
 * @example Usage
 * ```ts
 * import { growOverlay } from "./overlay_model.ts";
 * const degrees = growOverlay({ peers: 100 });
 * degrees.reduce((a, b) => a + b, 0) / 2; // 390: every joiner but the first few makes 4 links
 * ```
 */
export function growOverlay(options: OverlayModelOptions): number[] {
  const rng = seededRng(options.seed ?? 1);
  const clock = { now: () => 0, setTimeout: () => 0, clearTimeout() {} };
  const membership = new Membership({ clock });
  const fullMax = options.fullListMax ?? PEER_LIST_FULL_MAX;
  const sampleSize = options.sampleSize ?? PEER_LIST_SAMPLE;
  const degrees: number[] = [];
  const inbound: number[] = [];
  const maxInbound = options.maxInbound ?? Infinity;
  const indexOf = new Map<string, number>();
  const entry = (address: { host: string; port: number }): PeerEntry => ({
    address,
    degree: degrees[indexOf.get(formatAddress(address)) as number] as number,
  });
  for (let i = 0; i < options.peers; i++) {
    const self = peerAddress(i);
    const key = formatAddress(self);
    const lists: PeerEntry[][] = [];
    for (let s = 0; s < (options.lists ?? 2); s++) {
      const records = membership.size <= fullMax
        ? membership.members()
        : membership.sample(sampleSize, rng, key);
      lists.push(records.map((r) => entry(r.address)));
    }
    let candidates = unionPeerLists(lists, self);
    const want = options.maxNeighbors ?? 4;
    let linked = 0;
    while (linked < want && candidates.length > 0) {
      const chosen = chooseNeighbors(candidates, want - linked, rng);
      const picked = new Set(chosen.map((c) => c.key));
      candidates = candidates.filter((c) => !picked.has(c.key));
      for (const c of chosen) {
        const j = indexOf.get(c.key) as number;
        if ((inbound[j] as number) >= maxInbound) continue;
        inbound[j] = (inbound[j] as number) + 1;
        degrees[j] = (degrees[j] as number) + 1;
        linked++;
      }
    }
    degrees.push(linked);
    inbound.push(0);
    indexOf.set(key, i);
    membership.apply({
      address: self,
      state: "member",
      version: { stamp: i + 1, origin: "model" },
      degree: 0,
    });
  }
  return degrees;
}
