/**
 * What a running node says about itself: the document a `status` message
 * carries as JSON (format 1), returned by a handle's `status()`, printed by
 * `gossipnet status` and turned into `/metrics`. Fields are only ever
 * added; a reader ignores those it does not know.
 *
 * @module
 */

/** Frames and bytes a node has moved since it started, all connections. */
export interface TrafficStatus {
  /** Frames this node sent. */
  readonly framesSent: number;
  /** Bytes this node sent, frame headers included. */
  readonly bytesSent: number;
  /** Frames this node received. */
  readonly framesReceived: number;
  /** Bytes this node received. */
  readonly bytesReceived: number;
}

/** One neighbour link of a peer. */
export interface NeighborStatus {
  /** The neighbour's advertised address, `host:port`. */
  readonly address: string;
  /** `out`: this peer dialled it. */
  readonly direction: "in" | "out";
  /** Round trip of the last answered ping, in ms; `null` before the first. */
  readonly rttMs: number | null;
  /** When the link came up (Unix ms). */
  readonly since: number;
}

/** What seeds and peers both report. */
export interface NodeStatusBase {
  /** Layout of this document; 1. */
  readonly format: 1;
  /** The node's id (16 hex digits, fresh each start). */
  readonly nodeId: string;
  /** The advertised address, `host:port`. */
  readonly address: string;
  /** The gossipnet version the node runs. */
  readonly version: string;
  /** When the node started listening (Unix ms). */
  readonly startedAt: number;
  /** Milliseconds since then. */
  readonly uptimeMs: number;
  /** Frames and bytes since start, all connections. */
  readonly traffic: TrafficStatus;
  /**
   * Events logged since start, by name ({@linkcode PEER_COUNTERS} or
   * {@linkcode SEED_COUNTERS}); every listed name is present, zeros included.
   */
  readonly counters: Readonly<Record<string, number>>;
  /** The network key ids in use, the sending key first; absent on a keyless node. */
  readonly keys?: readonly string[];
}

/** A peer's status. */
export interface PeerStatus extends NodeStatusBase {
  /** Always `"peer"`. */
  readonly role: "peer";
  /** Registered with a majority of seeds and linked. */
  readonly joined: boolean;
  /** Seeds it is registered with. */
  readonly seeds: readonly string[];
  /** All neighbours, or the first {@linkcode MAX_LISTED_NEIGHBORS}. */
  readonly neighbors: readonly NeighborStatus[];
  /** How many neighbours it has (exact, however many are listed). */
  readonly neighborCount: number;
  /** Entries in the Message List (gossip and application messages) and duplicates dropped. */
  readonly messageList: { readonly entries: number; readonly duplicates: number };
  /** The `--on-message` queue, when there is a handler. */
  readonly handler?: { readonly waiting: number; readonly dropped: number };
}

/** A seed's status. */
export interface SeedStatus extends NodeStatusBase {
  /** Always `"seed"`. */
  readonly role: "seed";
  /** Caught up with the other seeds and serving peers. */
  readonly ready: boolean;
  /** Peers in its Peer List now. */
  readonly members: number;
  /** Seeds in the config, itself included. */
  readonly seedCount: number;
  /** Other seeds it has a link to. */
  readonly seedLinks: readonly string[];
}

/** Either role's status. */
export type NodeStatus = PeerStatus | SeedStatus;

/** Counted events of a peer. */
export const PEER_COUNTERS: readonly string[] = [
  "gossip_generated",
  "gossip_received",
  "message_published",
  "message_received",
  "neighbor_connected",
  "neighbor_lost",
  "suspect",
  "dead_node_reported",
  "handler_failed",
  "handler_dropped",
  "connection_dropped",
];

/** Counted events of a seed; `vote.yes` and `peer_removed.dead` split an event by a field. */
export const SEED_COUNTERS: readonly string[] = [
  "peer_registered",
  "peer_refused",
  "peer_removed",
  "peer_removed.dead",
  "peer_removed.left",
  "dead_node_report",
  "vote",
  "vote.yes",
  "vote.no",
  "registration_rejected",
  "removal_rejected",
  "connection_dropped",
];

/** Most neighbours listed in a status (a hub may have thousands; the count is always exact). */
export const MAX_LISTED_NEIGHBORS = 512;

/** The counters named `names`, read from `count`. */
export function countersOf(
  names: readonly string[],
  count: (name: string) => number,
): Record<string, number> {
  return Object.fromEntries(names.map((name) => [name, count(name)]));
}

/** Why a status document could not be read. */
export class StatusFormatError extends Error {
  /** Creates the error; `message` names the field at fault. */
  constructor(message: string) {
    super(message);
    this.name = "StatusFormatError";
  }
}

/**
 * Reads a status document received from a node, checking the fields every
 * reader relies on.
 *
 * @example Usage
 * ```ts
 * import { parseNodeStatus } from "./node_status.ts";
 * const text = JSON.stringify({
 *   format: 1, role: "seed", nodeId: "0123456789abcdef", address: "127.0.0.1:5000",
 *   version: "0.1.0", startedAt: 0, uptimeMs: 5, counters: {},
 *   traffic: { framesSent: 0, bytesSent: 0, framesReceived: 0, bytesReceived: 0 },
 *   ready: true, members: 0, seedCount: 1, seedLinks: [],
 * });
 * parseNodeStatus(text).role; // "seed"
 * ```
 *
 * @throws {StatusFormatError} When it is not JSON or lacks a field.
 */
export function parseNodeStatus(text: string): NodeStatus {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new StatusFormatError("Status is not JSON");
  }
  const doc = record(value, "status");
  if (doc.format !== 1) throw new StatusFormatError(`Unknown status format ${String(doc.format)}`);
  for (const field of ["nodeId", "address", "version"]) string(doc[field], field);
  for (const field of ["startedAt", "uptimeMs"]) number(doc[field], field);
  const traffic = record(doc.traffic, "traffic");
  for (const field of ["framesSent", "bytesSent", "framesReceived", "bytesReceived"]) {
    number(traffic[field], `traffic.${field}`);
  }
  for (const [name, n] of Object.entries(record(doc.counters, "counters"))) {
    number(n, `counters.${name}`);
  }
  if (doc.keys !== undefined) {
    if (!Array.isArray(doc.keys)) throw new StatusFormatError("keys is not a list");
    for (const [i, id] of doc.keys.entries()) string(id, `keys[${i}]`);
  }
  if (doc.role === "peer") {
    if (!Array.isArray(doc.neighbors)) throw new StatusFormatError("neighbors is not a list");
    for (const [i, n] of doc.neighbors.entries()) {
      const neighbor = record(n, `neighbors[${i}]`);
      string(neighbor.address, `neighbors[${i}].address`);
      if (neighbor.rttMs !== null) number(neighbor.rttMs, `neighbors[${i}].rttMs`);
    }
    number(doc.neighborCount, "neighborCount");
    const list = record(doc.messageList, "messageList");
    number(list.entries, "messageList.entries");
    number(list.duplicates, "messageList.duplicates");
    return doc as unknown as PeerStatus;
  }
  if (doc.role === "seed") {
    number(doc.members, "members");
    number(doc.seedCount, "seedCount");
    if (!Array.isArray(doc.seedLinks)) throw new StatusFormatError("seedLinks is not a list");
    return doc as unknown as SeedStatus;
  }
  throw new StatusFormatError(`Unknown role ${JSON.stringify(doc.role)}`);
}

function record(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new StatusFormatError(`${what} is not an object`);
  }
  return value as Record<string, unknown>;
}

function number(value: unknown, what: string): void {
  if (typeof value !== "number" || !Number.isFinite(value)) {
    throw new StatusFormatError(`${what} is not a number`);
  }
}

function string(value: unknown, what: string): void {
  if (typeof value !== "string") throw new StatusFormatError(`${what} is not a string`);
}
