/**
 * A peer's status document, from the parts of the running peer.
 *
 * @module
 */

import type { EventCounters } from "../node/event_counters.ts";
import {
  countersOf,
  MAX_LISTED_NEIGHBORS,
  PEER_COUNTERS,
  type PeerStatus,
} from "../node/node_status.ts";
import type { ConnectionStats } from "../wire/connection.ts";
import type { Neighbor } from "./neighbors.ts";

/** What {@linkcode peerStatus} reads. */
export interface PeerStatusParts {
  nodeId: string;
  address: string;
  version: string;
  startedAt: number;
  now: number;
  traffic: ConnectionStats;
  counters: EventCounters;
  joined: boolean;
  seeds: readonly string[];
  neighbors: readonly Neighbor[];
  rtt(key: string): number | undefined;
  messageList: { entries: number; duplicates: number };
  handler?: { waiting: number; dropped: number };
  /** The network key ids in use, the sending key first. */
  keys?: readonly string[];
}

/** Builds the status document of a peer. */
export function peerStatus(parts: PeerStatusParts): PeerStatus {
  const t = parts.traffic;
  return {
    format: 1,
    role: "peer",
    nodeId: parts.nodeId,
    address: parts.address,
    version: parts.version,
    startedAt: parts.startedAt,
    uptimeMs: Math.max(0, parts.now - parts.startedAt),
    traffic: {
      framesSent: t.framesOut,
      bytesSent: t.bytesOut,
      framesReceived: t.framesIn,
      bytesReceived: t.bytesIn,
    },
    counters: countersOf(PEER_COUNTERS, (name) => parts.counters.count(name)),
    joined: parts.joined,
    seeds: [...parts.seeds],
    neighbors: parts.neighbors.slice(0, MAX_LISTED_NEIGHBORS).map((n) => ({
      address: n.key,
      direction: n.direction,
      rttMs: parts.rtt(n.key) ?? null,
      since: n.since,
    })),
    neighborCount: parts.neighbors.length,
    messageList: { ...parts.messageList },
    ...(parts.handler ? { handler: { ...parts.handler } } : {}),
    ...(parts.keys ? { keys: [...parts.keys] } : {}),
  };
}
