/**
 * Keeping a peer linked: dialling neighbours by preferential attachment,
 * leaving recently departed or reported peers alone for a while, and
 * repairing when too few links remain (no neighbours, or one where the
 * network has more peers).
 *
 * @module
 */

import type { EventLog } from "../log/events.ts";
import type { Address } from "../util/address.ts";
import type { Clock, TimerHandle } from "../util/clock.ts";
import { errorText } from "../util/errors.ts";
import type { Rng } from "../util/random.ts";
import type { KnownPeer } from "./bootstrap.ts";
import type { NeighborTable } from "./neighbors.ts";
import { chooseNeighbors } from "./topology.ts";

/** What {@linkcode Overlay} needs from its peer. */
export interface OverlayOptions {
  neighbors: NeighborTable;
  /** Most neighbours this peer dials (`--max-neighbors`). */
  maxNeighbors: number;
  /** Period of the repair check (`--repair-interval`). */
  repairIntervalMs: number;
  /** How long a peer that left or was reported dead is not redialled. */
  quarantineMs: number;
  clock: Clock;
  rng: Rng;
  log: EventLog;
  /** Opens a neighbour link; rejects when it cannot. */
  dial(address: Address): Promise<unknown>;
  /** Asks the seeds for their current peer lists. */
  refreshPeerLists(): Promise<void>;
  /** The union of the seeds' latest peer lists, minus this peer. */
  knownPeers(): KnownPeer[];
}

/** Fewest neighbours a peer keeps when the network has that many peers. */
const MIN_DEGREE = 2;

/** Dials and repairs a peer's neighbour links. */
export class Overlay {
  #options: OverlayOptions;
  // Both made when first needed and dropped once empty: a simulation holds 100,000 peers.
  #dialing: Set<string> | undefined;
  #quarantine: Map<string, number> | undefined;
  #timer: TimerHandle | undefined;
  #repairing = false;
  #running = false;
  #stopped = false;

  /** Creates the overlay keeper; {@linkcode start} begins repairing. */
  constructor(options: OverlayOptions) {
    this.#options = options;
  }

  /**
   * Dials up to `count` new neighbours by preferential attachment. A failed
   * dial is replaced by a further draw; the outbound cap is never exceeded.
   */
  async link(known: readonly KnownPeer[], count: number): Promise<void> {
    const now = this.#options.clock.now();
    const quarantine = this.#quarantine;
    if (quarantine) {
      for (const [key, until] of quarantine) if (until <= now) quarantine.delete(key);
      if (quarantine.size === 0) this.#quarantine = undefined;
    }
    const neighbors = this.#options.neighbors;
    let candidates = known.filter((p) =>
      !neighbors.has(p.key) && !this.#dialing?.has(p.key) && !this.#quarantine?.has(p.key)
    );
    let linked = 0;
    while (!this.#stopped && candidates.length > 0 && linked < count) {
      const capRoom = this.#options.maxNeighbors - neighbors.outbound - (this.#dialing?.size ?? 0);
      const room = Math.min(count - linked, capRoom);
      if (room <= 0) return;
      const picks = chooseNeighbors(candidates, room, this.#options.rng) as KnownPeer[];
      const pickedKeys = new Set(picks.map((p) => p.key));
      candidates = candidates.filter((c) => !pickedKeys.has(c.key));
      const results = await Promise.all(picks.map((pick) => this.#dial(pick)));
      linked += results.filter(Boolean).length;
    }
  }

  /** Keeps `key` from being dialled for a while (it left, or was reported dead). */
  quarantine(key: string): void {
    (this.#quarantine ??= new Map()).set(
      key,
      this.#options.clock.now() + this.#options.quarantineMs,
    );
  }

  /** Starts the periodic repair check. */
  start(): void {
    this.#running = true;
    this.#schedule();
  }

  /** Stops repairing; dials under way finish on their own. */
  stop(): void {
    this.#running = false;
    this.#stopped = true;
    if (this.#timer !== undefined) this.#options.clock.clearTimeout(this.#timer);
  }

  /**
   * Dials new neighbours up to the outbound cap, as when joining. For a peer
   * the seeds removed while it was alive (it was cut off by a partition):
   * the peers across the cut dropped their links to it and will not dial
   * back, while its links on its own side survived, so the repair check
   * alone (fewer than 2 neighbours) would leave the overlay split in two.
   */
  rejoin(): void {
    if (!this.#running) return;
    this.link(this.#options.knownPeers(), this.#options.maxNeighbors).catch((error) =>
      this.#options.log.emit({ event: "internal_error", detail: errorText(error) })
    );
  }

  /**
   * Repairs now rather than at the next tick (a link was just lost), and
   * keeps checking every `repairIntervalMs` until the peer has enough links.
   */
  repairSoon(): void {
    if (!this.#running) return;
    this.#repairOnce();
    if (this.#short()) this.#schedule();
  }

  async #dial(peer: KnownPeer): Promise<boolean> {
    (this.#dialing ??= new Set()).add(peer.key);
    try {
      await this.#options.dial(peer.address);
      return true;
    } catch (error) {
      // It dialled us at the same moment and its link won: linked all the same.
      if (this.#options.neighbors.has(peer.key)) return true;
      if (this.#stopped) return false;
      this.#options.log.emit({
        event: "neighbor_dial_failed",
        neighbor: peer.key,
        detail: errorText(error),
      });
      return false;
    } finally {
      this.#dialing?.delete(peer.key);
      if (this.#dialing?.size === 0) this.#dialing = undefined;
    }
  }

  // The check ticks only while the peer is short of links: a peer's links
  // drop only through a loss, and every loss calls repairSoon(), which arms
  // it again. An idle tick per peer every 2 s was a third of the events of a
  // 100,000-peer simulation, and did nothing.
  #schedule(): void {
    if (!this.#running || this.#timer !== undefined) return;
    this.#timer = this.#options.clock.setTimeout(async () => {
      this.#timer = undefined;
      await this.#repairOnce();
      if (this.#short()) this.#schedule();
    }, this.#options.repairIntervalMs);
  }

  // Fewest links a peer keeps (where the network has that many peers).
  #target(): number {
    return Math.min(MIN_DEGREE, this.#options.maxNeighbors);
  }

  #short(): boolean {
    return this.#options.neighbors.degree < this.#target();
  }

  async #repairOnce(): Promise<void> {
    if (this.#repairing) return;
    this.#repairing = true;
    try {
      if (!this.#short()) return;
      const target = this.#target();
      await this.#options.refreshPeerLists();
      if (!this.#running) return;
      const known = this.#options.knownPeers();
      const wanted = Math.min(target, known.length) - this.#options.neighbors.degree;
      if (wanted > 0) await this.link(known, wanted);
    } catch (error) {
      this.#options.log.emit({ event: "internal_error", detail: errorText(error) });
    } finally {
      this.#repairing = false;
    }
  }
}
