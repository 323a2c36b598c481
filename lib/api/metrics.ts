/**
 * A node's figures in the Prometheus text exposition format, through the
 * `prom-client` library. Every value is read from the node's status
 * document at scrape time, so `/metrics`, `gossipnet status` and the log
 * agree by construction.
 *
 * Loaded only by nodes that serve metrics: the client library costs a few
 * megabytes that other nodes need not pay.
 *
 * @module
 */

import { Counter, Gauge, Registry } from "prom-client";
import type { NodeStatus, PeerStatus, SeedStatus } from "../node/node_status.ts";

/** Renders one node's metrics on each call. */
export interface MetricsRenderer {
  /** The `Content-Type` of the exposition text. */
  readonly contentType: string;
  /** The exposition text for the node's current status. */
  render(): Promise<string>;
}

type Read<S> = (status: S) => number;

interface Table<S> {
  readonly counters: ReadonlyArray<readonly [name: string, help: string, read: Read<S>]>;
  readonly gauges: ReadonlyArray<readonly [name: string, help: string, read: Read<S>]>;
}

const c = (name: string) => (s: NodeStatus) => s.counters[name] ?? 0;

const COMMON: Table<NodeStatus> = {
  counters: [
    [
      "gossipnet_frames_sent_total",
      "Frames sent on every connection.",
      (s) => s.traffic.framesSent,
    ],
    [
      "gossipnet_frames_received_total",
      "Frames received on every connection.",
      (s) => s.traffic.framesReceived,
    ],
    ["gossipnet_bytes_sent_total", "Bytes sent on every connection.", (s) => s.traffic.bytesSent],
    [
      "gossipnet_bytes_received_total",
      "Bytes received on every connection.",
      (s) => s.traffic.bytesReceived,
    ],
    [
      "gossipnet_connections_dropped_total",
      "Connections dropped because the remote broke the protocol or timed out.",
      c("connection_dropped"),
    ],
  ],
  gauges: [
    [
      "gossipnet_uptime_seconds",
      "Seconds since the node started listening.",
      (s) => s.uptimeMs / 1000,
    ],
  ],
};

const PEER: Table<PeerStatus> = {
  counters: [
    [
      "gossipnet_gossip_generated_total",
      "Gossip messages this peer generated.",
      c("gossip_generated"),
    ],
    [
      "gossipnet_gossip_received_total",
      "First receipts of gossip messages (each forwarded once).",
      c("gossip_received"),
    ],
    [
      "gossipnet_gossip_duplicates_total",
      "Gossip and application messages received again after their first receipt, and dropped.",
      (s) => s.messageList.duplicates,
    ],
    [
      "gossipnet_messages_published_total",
      "Application messages published here.",
      c("message_published"),
    ],
    [
      "gossipnet_messages_received_total",
      "First receipts of application messages.",
      c("message_received"),
    ],
    ["gossipnet_neighbor_links_total", "Neighbour links that came up.", c("neighbor_connected")],
    ["gossipnet_neighbor_losses_total", "Neighbour links that went down.", c("neighbor_lost")],
    ["gossipnet_suspicions_total", "Neighbours suspected after missed pings.", c("suspect")],
    [
      "gossipnet_dead_reports_sent_total",
      "Dead Node reports this peer sent to its seeds.",
      c("dead_node_reported"),
    ],
    [
      "gossipnet_handler_failures_total",
      "--on-message handler runs that failed.",
      c("handler_failed"),
    ],
    [
      "gossipnet_handler_dropped_total",
      "Messages that got no --on-message run because the queue was full.",
      (s) => s.handler?.dropped ?? 0,
    ],
  ],
  gauges: [
    ["gossipnet_neighbors", "Current neighbour links.", (s) => s.neighborCount],
    ["gossipnet_seeds_registered", "Seeds this peer is registered with.", (s) => s.seeds.length],
    [
      "gossipnet_message_list_entries",
      "Entries in the Message List.",
      (s) => s.messageList.entries,
    ],
    [
      "gossipnet_joined",
      "1 once registered with a majority of seeds and linked.",
      (s) => +s.joined,
    ],
    [
      "gossipnet_handler_queue",
      "Messages waiting for the --on-message handler.",
      (s) => s.handler?.waiting ?? 0,
    ],
  ],
};

const SEED: Table<SeedStatus> = {
  counters: [
    ["gossipnet_registrations_total", "Peers added to the Peer List.", c("peer_registered")],
    ["gossipnet_refusals_total", "Registrations refused.", c("peer_refused")],
    ["gossipnet_dead_reports_received_total", "Dead Node reports received.", c("dead_node_report")],
    [
      "gossipnet_removals_rejected_total",
      "Removals that did not win a majority (the peer stays).",
      c("removal_rejected"),
    ],
  ],
  gauges: [
    ["gossipnet_members", "Peers in this seed's Peer List.", (s) => s.members],
    ["gossipnet_seed_links", "Other seeds this seed has a link to.", (s) => s.seedLinks.length],
    [
      "gossipnet_ready",
      "1 once caught up with the other seeds and serving peers.",
      (s) => +s.ready,
    ],
  ],
};

function register<S extends NodeStatus>(registry: Registry, table: Table<S>, now: () => S): void {
  for (const [name, help, read] of table.counters) {
    new Counter({
      name,
      help,
      registers: [registry],
      // Totals are kept by the node; a scrape copies them in.
      collect() {
        this.reset();
        this.inc(read(now()));
      },
    });
  }
  for (const [name, help, read] of table.gauges) {
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        this.set(read(now()));
      },
    });
  }
}

/**
 * Metrics for the node whose status `status` returns.
 *
 * @example Usage
 * ```ts
 * import { metricsRenderer } from "./metrics.ts";
 * import type { SeedStatus } from "../node/node_status.ts";
 * const status: SeedStatus = {
 *   format: 1, role: "seed", nodeId: "0123456789abcdef", address: "127.0.0.1:5000",
 *   version: "0.1.0", startedAt: 0, uptimeMs: 1000, counters: {},
 *   traffic: { framesSent: 0, bytesSent: 0, framesReceived: 0, bytesReceived: 0 },
 *   ready: true, members: 8, seedCount: 3, seedLinks: [],
 * };
 * const text = await metricsRenderer(() => status).render();
 * text.includes("\ngossipnet_members 8\n"); // true
 * ```
 */
export function metricsRenderer(status: () => NodeStatus): MetricsRenderer {
  const registry = new Registry();
  // One status per scrape: every metric of a scrape describes one instant.
  let current: NodeStatus | undefined;
  const now = () => current ??= status();
  const role = status().role;
  register(registry, COMMON, now);
  new Gauge({
    name: "gossipnet_info",
    help: "Always 1; the labels say what this node is.",
    labelNames: ["role", "node_id", "address", "version"],
    registers: [registry],
    collect() {
      const s = now();
      this.reset();
      this.set({ role: s.role, node_id: s.nodeId, address: s.address, version: s.version }, 1);
    },
  });
  if (role === "peer") register(registry, PEER, now as () => PeerStatus);
  else {
    register(registry, SEED, now as () => SeedStatus);
    new Counter({
      name: "gossipnet_votes_total",
      help: "Votes on this seed's proposals, its own included, by answer.",
      labelNames: ["answer"],
      registers: [registry],
      collect() {
        const s = now();
        this.reset();
        for (const answer of ["yes", "no"]) this.inc({ answer }, s.counters[`vote.${answer}`] ?? 0);
      },
    });
    new Counter({
      name: "gossipnet_removals_total",
      help: "Peers removed from the Peer List, by reason.",
      labelNames: ["reason"],
      registers: [registry],
      collect() {
        const s = now();
        this.reset();
        for (const reason of ["dead", "left"]) {
          this.inc({ reason }, s.counters[`peer_removed.${reason}`] ?? 0);
        }
      },
    });
  }
  return {
    contentType: registry.contentType,
    async render() {
      current = undefined;
      try {
        return await registry.metrics();
      } finally {
        current = undefined;
      }
    },
  };
}
