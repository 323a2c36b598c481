/**
 * The neighbour links of a peer: at most one per neighbour, an inbound cap,
 * and a degree that changes exactly when a neighbour comes or goes. A second
 * link claiming a neighbour that already has a live one is refused: anyone
 * can claim any address in a hello, and taking the newer link would let a
 * stranger cut a peer off from its neighbours one claim at a time.
 *
 * @module
 */

import { type Address, formatAddress } from "../util/address.ts";
import type { FramedConnection } from "../wire/connection.ts";
import type { HelloMessage } from "../wire/messages.ts";

/** One live neighbour link. */
export interface Neighbor {
  readonly key: string;
  readonly address: Address;
  connection: FramedConnection;
  direction: "in" | "out";
  /** When the link came up (Unix ms). */
  readonly since: number;
}

/** Result of {@linkcode NeighborTable.add}. */
export type AddResult =
  | { readonly kind: "added"; readonly neighbor: Neighbor }
  | { readonly kind: "replaced"; readonly neighbor: Neighbor }
  | { readonly kind: "rejected"; readonly text: string };

/**
 * Two peers that dial each other at once see both links come up within
 * this many ms of each other (a round trip or two); only then does the
 * duplicate-link rule choose between them. Later, a second link is a
 * reconnect or a stranger's claim. A claim that lands within this window of
 * a new link may still win the tie-break: the one opening left.
 */
export const SIMULTANEOUS_DIAL_MS = 1_000;

/** Options for {@linkcode NeighborTable}. */
export interface NeighborTableOptions {
  selfKey: string;
  /** Most inbound links. */
  maxInbound: number;
  /**
   * Whether a neighbour's current link has failed its liveness check (it
   * missed a ping), so a new link claiming it may take its place.
   * @default {never}
   */
  failing?(neighbor: Neighbor): boolean;
}

/**
 * A peer's neighbour links. Inbound links are capped at `maxInbound`; the
 * one exception is the duplicate-link rule, which may swap a neighbour's
 * outbound link for its inbound one at the cap (the degree stays the same,
 * and refusing would lose the link on both ends).
 */
export class NeighborTable {
  #byKey = new Map<string, Neighbor>();
  #selfKey: string;
  #maxInbound: number;
  #failing: (neighbor: Neighbor) => boolean;

  /** Links of the peer `selfKey`, accepting at most `maxInbound` inbound ones. */
  constructor(options: NeighborTableOptions) {
    this.#selfKey = options.selfKey;
    this.#maxInbound = options.maxInbound;
    this.#failing = options.failing ?? (() => false);
  }

  /** Number of neighbours. */
  get degree(): number {
    return this.#byKey.size;
  }

  /** Number of neighbours this peer dialled. */
  get outbound(): number {
    let n = 0;
    for (const neighbor of this.#byKey.values()) if (neighbor.direction === "out") n++;
    return n;
  }

  /** Reports whether `key` is a neighbour. */
  has(key: string): boolean {
    return this.#byKey.has(key);
  }

  /** The neighbour `key`, if linked. */
  get(key: string): Neighbor | undefined {
    return this.#byKey.get(key);
  }

  /** All neighbours. */
  list(): Neighbor[] {
    return [...this.#byKey.values()];
  }

  /**
   * Adds a link whose handshake completed. If a link to the same neighbour
   * exists: when both came up within {@linkcode SIMULTANEOUS_DIAL_MS} in
   * opposite directions (both sides dialled at once), both ends keep the
   * link dialled by the peer with the smaller address, so they agree
   * without talking; otherwise the new link is refused, unless the old one
   * is closed or has failed its liveness check.
   */
  add(connection: FramedConnection, hello: HelloMessage, now: number): AddResult {
    const key = formatAddress(hello.address);
    if (key === this.#selfKey) return { kind: "rejected", text: "Cannot link to itself" };
    const existing = this.#byKey.get(key);
    if (!existing) {
      if (connection.direction === "in" && this.#inbound() >= this.#maxInbound) {
        return { kind: "rejected", text: `Too many inbound links (${this.#maxInbound})` };
      }
      const neighbor = {
        key,
        address: hello.address,
        connection,
        direction: connection.direction,
        since: now,
      };
      this.#byKey.set(key, neighbor);
      return { kind: "added", neighbor };
    }
    const simultaneous = existing.direction !== connection.direction &&
      now - existing.since < SIMULTANEOUS_DIAL_MS;
    const keepNew = simultaneous
      ? connection.direction === (this.#selfKey < key ? "out" : "in")
      : existing.connection.isClosed === true || this.#failing(existing);
    if (!keepNew) {
      return {
        kind: "rejected",
        text: simultaneous
          ? "Duplicate link (both dialled at once; the other one stays)"
          : `Duplicate link: ${key} already has a live link`,
      };
    }
    const old = existing.connection;
    existing.connection = connection;
    existing.direction = connection.direction;
    old.close("local", "replaced by a newer link to the same neighbour");
    return { kind: "replaced", neighbor: existing };
  }

  /** Removes the link if it is the current one for its neighbour. */
  remove(connection: FramedConnection): Neighbor | undefined {
    const hello = connection.remoteHello;
    if (!hello) return undefined;
    const key = formatAddress(hello.address);
    const neighbor = this.#byKey.get(key);
    if (neighbor?.connection !== connection) return undefined;
    this.#byKey.delete(key);
    return neighbor;
  }

  #inbound(): number {
    return this.degree - this.outbound;
  }
}
