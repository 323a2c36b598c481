/**
 * The vocabulary of membership that seeds, peers, the wire codecs and the
 * logs share: why a peer left the list, a versioned member record, and a
 * change a seed proposes. Defined once here so every layer means the same.
 *
 * @module
 */

import type { Address } from "../util/address.ts";

/** Why a peer left the list, on the wire as index + 1. APPEND ONLY. */
export const REMOVAL_REASONS = ["dead", "left"] as const;

/** Why a peer left the list: reported dead and confirmed, or it said goodbye. */
export type RemovalReason = typeof REMOVAL_REASONS[number];

/** A record's version: bigger stamp wins, then bigger origin. */
export interface Version {
  /** Hybrid clock value: Unix ms, or more to stay ahead of what was seen. */
  readonly stamp: number;
  /** Node id of the seed that issued it (tie-break). */
  readonly origin: string;
}

/** The latest known state of one peer, as seeds keep and exchange it. */
export interface MemberRecord {
  readonly address: Address;
  readonly state: "member" | "removed";
  /** Set when `state` is `"removed"`. */
  readonly reason?: RemovalReason;
  readonly version: Version;
  /** Neighbour count as last reported (soft state, not versioned). */
  readonly degree: number;
}

/** A change a seed proposes to the others. */
export type ProposedChange =
  | { readonly op: "add"; readonly peer: Address }
  | {
    readonly op: "remove";
    readonly peer: Address;
    readonly reason: RemovalReason;
    /** The Dead Node text behind it; empty for a leave. */
    readonly raw: string;
  };
