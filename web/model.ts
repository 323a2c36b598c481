/// <reference no-default-lib="true" />
/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/// <reference lib="esnext" />
/**
 * The dashboard's picture of the network, rebuilt from the event stream:
 * nodes and their states, the overlay's links, every message and its first
 * receipts, suspicions, reports, votes and removals. No drawing here.
 *
 * @module
 */

import type { ProcessState, StreamEvent, StreamNode, StreamSummary } from "../lib/ui/stream.ts";

/** How a node is drawn, by role and state. */
export type DisplayState =
  | "seed"
  | "peer"
  | "suspected"
  | "reported"
  | "removed"
  | "paused"
  | "left"
  | "killed";

/** Everything known about one node. */
export interface NodeInfo {
  readonly name: string;
  readonly role: "seed" | "peer";
  readonly address: string;
  process: ProcessState;
  /** Neighbours as this node's own log has them. */
  readonly neighbors: Set<string>;
  /** Peers that currently suspect it. */
  readonly suspectedBy: Set<string>;
  /** Peers that reported it dead (since it last registered). */
  readonly reportedBy: Set<string>;
  /** Seeds that removed it as dead (since it last registered). */
  readonly removedBy: Set<string>;
  /** The seeds' votes on removing it: voter → answer. */
  readonly votes: Map<string, "yes" | "no">;
  /** Removed because it left cleanly. */
  left: boolean;
  /** Its latest stats: neighbour round trips and Message List size. */
  stats:
    | { ts: number; rtts: Readonly<Record<string, number | null>>; messages: number }
    | undefined;
}

/** One first receipt of a message. */
export interface Receipt {
  readonly node: string;
  readonly from: string;
  readonly ts: number;
}

/** One gossip message and how far it got. */
export interface MessageInfo {
  readonly id: string;
  readonly origin: string;
  /** Generation time (Unix ms); the first receipt's if the generation was not seen. */
  ts: number;
  /** Its number among its origin's messages, from the gossip text's last field. */
  readonly seq: string;
  readonly receipts: Receipt[];
}

/** A membership event for the timeline. */
export interface TimelineEntry {
  readonly ts: number;
  readonly text: string;
  readonly kind: "join" | "death" | "report" | "vote" | "removal";
}

/** Process states in which a node's own neighbour list no longer counts. */
const GONE: ReadonlySet<ProcessState> = new Set(["killed", "exited", "idle"]);

/** The network as the stream has described it so far. */
export class NetworkModel {
  readonly nodes = new Map<string, NodeInfo>();
  readonly messages = new Map<string, MessageInfo>();
  /** Message ids in generation order. */
  readonly order: string[] = [];
  readonly summaries: Array<{ ts: number; summary: StreamSummary }> = [];
  /** Removal proposals (for dead peers) by id: only their votes are shown. */
  readonly #removals = new Set<string>();
  /** When the stream's first event happened (Unix ms). */
  startTs: number | undefined;
  /** When its latest event happened (Unix ms). */
  lastTs = 0;
  /** Bumped when nodes or links change (the graph must be redrawn). */
  topologyVersion = 0;
  /** Bumped when anything changes. */
  version = 0;

  /** Applies a batch of events. */
  apply(events: readonly StreamEvent[]): void {
    for (const event of events) this.#apply(event);
    this.version++;
  }

  /** A node's drawn state. */
  displayState(node: NodeInfo): DisplayState {
    if (node.role === "seed") {
      if (node.process === "paused") return "paused";
      return GONE.has(node.process) || node.process === "stopped" ? "left" : "seed";
    }
    if (node.removedBy.size > 0) return "removed";
    if (node.left || node.process === "stopped" || node.process === "exited") return "left";
    if (node.reportedBy.size > 0) return "reported";
    if (node.suspectedBy.size > 0) return "suspected";
    if (node.process === "paused") return "paused";
    if (node.process === "killed") return "killed";
    return "peer";
  }

  /** The overlay's links now, each once as `[a, b]` with a < b. */
  links(): Array<[string, string]> {
    const pairs = new Map<string, [string, string]>();
    for (const node of this.nodes.values()) {
      if (GONE.has(node.process)) continue;
      for (const other of node.neighbors) {
        const pair: [string, string] = node.name < other ? [node.name, other] : [other, node.name];
        pairs.set(`${pair[0]} ${pair[1]}`, pair);
      }
    }
    return [...pairs.values()];
  }

  /** The latest figures from `up`. */
  latestSummary(): StreamSummary | undefined {
    return this.summaries[this.summaries.length - 1]?.summary;
  }

  #node(name: string): NodeInfo | undefined {
    return this.nodes.get(name);
  }

  #setNodes(list: readonly StreamNode[]): void {
    for (const n of list) {
      const known = this.nodes.get(n.name);
      if (known) {
        if (known.process !== n.state) this.topologyVersion++;
        known.process = n.state;
        continue;
      }
      this.topologyVersion++;
      this.nodes.set(n.name, {
        name: n.name,
        role: n.role,
        address: n.address,
        process: n.state,
        neighbors: new Set(),
        suspectedBy: new Set(),
        reportedBy: new Set(),
        removedBy: new Set(),
        votes: new Map(),
        left: false,
        stats: undefined,
      });
    }
  }

  #apply(event: StreamEvent): void {
    if (event.type === "nodes") return this.#setNodes(event.nodes);
    this.startTs ??= event.ts;
    this.lastTs = Math.max(this.lastTs, event.ts);
    if (event.type === "summary") {
      this.summaries.push({ ts: event.ts, summary: event.summary });
      return;
    }
    const node = this.#node(event.node);
    switch (event.type) {
      case "listening":
        if (node) {
          node.neighbors.clear();
          this.topologyVersion++;
        }
        break;
      case "link":
        if (!node) break;
        if (event.up) node.neighbors.add(event.peer);
        else node.neighbors.delete(event.peer);
        this.topologyVersion++;
        break;
      case "generated":
      case "received": {
        let message = this.messages.get(event.id);
        if (!message) {
          const text = event.id.slice(event.id.indexOf(" ") + 1);
          message = {
            id: event.id,
            origin: event.origin,
            ts: event.ts,
            seq: text.slice(text.lastIndexOf(":") + 1),
            receipts: [],
          };
          this.messages.set(event.id, message);
          this.order.push(event.id);
        }
        if (event.type === "generated") message.ts = event.ts;
        else message.receipts.push({ node: event.node, from: event.from, ts: event.ts });
        break;
      }
      case "suspect":
        this.#node(event.peer)?.suspectedBy.add(event.node);
        this.topologyVersion++;
        break;
      case "cleared":
        this.#node(event.peer)?.suspectedBy.delete(event.node);
        this.topologyVersion++;
        break;
      case "reported":
        this.#node(event.peer)?.reportedBy.add(event.node);
        this.topologyVersion++;
        break;
      case "proposed":
        if (event.reason === "dead") this.#removals.add(event.proposal);
        break;
      case "vote":
        if (this.#removals.has(event.proposal)) {
          this.#node(event.peer)?.votes.set(event.voter, event.answer);
        }
        break;
      case "removed": {
        const peer = this.#node(event.peer);
        if (!peer) break;
        if (event.reason === "left") peer.left = true;
        else peer.removedBy.add(event.node);
        this.topologyVersion++;
        break;
      }
      case "registered": {
        const peer = this.#node(event.peer);
        if (!peer || (peer.removedBy.size === 0 && !peer.left)) break;
        // Registered again (restarted): its old troubles are over.
        for (const set of [peer.suspectedBy, peer.reportedBy, peer.removedBy]) set.clear();
        peer.votes.clear();
        peer.left = false;
        this.topologyVersion++;
        break;
      }
      case "stats":
        if (node) node.stats = { ts: event.ts, rtts: event.rtts, messages: event.messages };
        break;
    }
  }
}
