/**
 * Status documents of both roles, for the tests of everything that reads
 * them (metrics, `gossipnet status`, parsing).
 *
 * @module
 */

import {
  countersOf,
  PEER_COUNTERS,
  type PeerStatus,
  SEED_COUNTERS,
  type SeedStatus,
} from "../../lib/node/node_status.ts";

/** A peer with two neighbours and a handler. */
export const PEER_STATUS: PeerStatus = {
  format: 1,
  role: "peer",
  nodeId: "0123456789abcdef",
  address: "127.0.0.1:6001",
  version: "0.1.0",
  startedAt: 1_700_000_000_000,
  uptimeMs: 65_000,
  traffic: { framesSent: 10, bytesSent: 1000, framesReceived: 20, bytesReceived: 2000 },
  counters: {
    ...countersOf(PEER_COUNTERS, () => 0),
    gossip_generated: 3,
    gossip_received: 7,
    message_published: 2,
    message_received: 5,
    dead_node_reported: 1,
  },
  joined: true,
  seeds: ["127.0.0.1:5000", "127.0.0.1:5001"],
  neighbors: [
    { address: "127.0.0.1:6002", direction: "out", rttMs: 0.25, since: 1_700_000_001_000 },
    { address: "127.0.0.1:6003", direction: "in", rttMs: null, since: 1_700_000_002_000 },
  ],
  neighborCount: 2,
  messageList: { entries: 12, duplicates: 9 },
  handler: { waiting: 1, dropped: 4 },
};

/** A seed linked to one of two other seeds. */
export const SEED_STATUS: SeedStatus = {
  format: 1,
  role: "seed",
  nodeId: "fedcba9876543210",
  address: "127.0.0.1:5000",
  version: "0.1.0",
  startedAt: 1_700_000_000_000,
  uptimeMs: 3_000,
  traffic: { framesSent: 1, bytesSent: 2, framesReceived: 3, bytesReceived: 4 },
  counters: {
    ...countersOf(SEED_COUNTERS, () => 0),
    peer_registered: 8,
    vote: 5,
    "vote.yes": 4,
    "vote.no": 1,
    peer_removed: 2,
    "peer_removed.dead": 1,
    "peer_removed.left": 1,
    dead_node_report: 3,
  },
  ready: true,
  members: 6,
  seedCount: 3,
  seedLinks: ["127.0.0.1:5001"],
};
