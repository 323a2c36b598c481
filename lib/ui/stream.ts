/**
 * The dashboard's event stream: node log records mapped to small events
 * that name nodes (`p3`) instead of addressing them. Pure and shared: the
 * server maps records with {@linkcode toStreamEvent}, the browser bundle
 * imports the types. Both `up` modes write the same JSON logs, so the same
 * mapping serves both.
 *
 * Every `neighbor_connected`, `neighbor_lost`, `gossip_generated` and
 * `gossip_received` record becomes exactly one event; so do the membership
 * events (joins, suspicions, reports, votes, removals) and the peers'
 * periodic `stats`. Other records (timings, traffic, debug) are not streamed.
 *
 * @module
 */

import { numberField, type RunRecord, textField } from "../up/records.ts";

/** A node's process state as `up`'s supervisor sees it. */
export type ProcessState = "idle" | "running" | "paused" | "killed" | "exited" | "stopped";

/** One node of the network. */
export interface StreamNode {
  readonly name: string;
  readonly role: "seed" | "peer";
  /** `host:port`. */
  readonly address: string;
  readonly state: ProcessState;
}

/** The figures of `up`'s status and summary, sent about once a second. */
export interface StreamSummary {
  readonly peersUp: number;
  readonly peers: number;
  readonly seedsUp: number;
  readonly seeds: number;
  readonly links: number;
  /** Expected first receipts that arrived / that were expected (the summary's definition). */
  readonly delivered: number;
  readonly expected: number;
  readonly messages: number;
  readonly deadReports: number;
  readonly removals: number;
  /** Dissemination time of every complete message, ascending, in ms. */
  readonly disseminationMs: readonly number[];
}

/** Fields every record-derived event has. */
interface Base {
  /** Unix ms of the record. */
  readonly ts: number;
  /** The node that logged it. */
  readonly node: string;
}

/** One event on the stream. */
export type StreamEvent =
  /** Every node and its process state: first on a new stream, again on any change. */
  | { readonly type: "nodes"; readonly nodes: readonly StreamNode[] }
  /** `up`'s figures. */
  | { readonly type: "summary"; readonly ts: number; readonly summary: StreamSummary }
  /** A node process started listening (a new lifetime). */
  | Base & { readonly type: "listening" }
  /** A peer joined (registered with a seed majority). */
  | Base & { readonly type: "joined" }
  /** A neighbour link came up (`up`) or went (`!up`) at `node`. */
  | Base & {
    readonly type: "link";
    readonly peer: string;
    readonly up: boolean;
    readonly reason?: string;
  }
  /** `node` generated message `id`. */
  | Base & { readonly type: "generated"; readonly id: string; readonly origin: string }
  /** `node` received message `id` for the first time, from neighbour `from`. */
  | Base & {
    readonly type: "received";
    readonly id: string;
    readonly origin: string;
    readonly from: string;
  }
  /** `node` suspects its neighbour `peer`. */
  | Base & { readonly type: "suspect"; readonly peer: string }
  /** `peer` answered after all. */
  | Base & { readonly type: "cleared"; readonly peer: string }
  /** `node` reported `peer` dead to the seeds. */
  | Base & { readonly type: "reported"; readonly peer: string }
  /** Seed `node` proposed to remove `peer` (its proposal id is `proposal`). */
  | Base & {
    readonly type: "proposed";
    readonly peer: string;
    readonly proposal: string;
    readonly reason: string;
  }
  /** Seed `voter` answered seed `node`'s proposal about `peer` (a registration or a removal). */
  | Base & {
    readonly type: "vote";
    readonly peer: string;
    readonly voter: string;
    readonly answer: "yes" | "no";
    readonly proposal: string;
  }
  /** A removal was voted down at seed `node`. */
  | Base & { readonly type: "rejected"; readonly peer: string }
  /** Seed `node` removed `peer` from its list. */
  | Base & { readonly type: "removed"; readonly peer: string; readonly reason: string }
  /** Seed `node` added `peer` to its list. */
  | Base & { readonly type: "registered"; readonly peer: string }
  /** A peer's neighbours with their last round trip (ms), and its Message List size. */
  | Base & {
    readonly type: "stats";
    readonly rtts: Readonly<Record<string, number | null>>;
    readonly messages: number;
  }
  /** A node began a clean stop. */
  | Base & { readonly type: "stopping" };

/** The message id on the stream: the origin's name and the gossip text. */
export function messageId(origin: string, text: string): string {
  return `${origin} ${text}`;
}

/**
 * Maps one log record of node `node` to its stream event, or `undefined`
 * for records the dashboard does not use. `name` turns an address into a
 * node name (unknown addresses stay as they are).
 *
 * @example Usage
 * ```ts
 * import { toStreamEvent } from "./stream.ts";
 * const names = new Map([["127.0.0.1:5004", "p2"]]);
 * const record = {
 *   ts: 5,
 *   event: "neighbor_connected",
 *   fields: { event: "neighbor_connected", neighbor: "127.0.0.1:5004", direction: "out" },
 * };
 * toStreamEvent("p1", record, (a) => names.get(a) ?? a);
 * // { type: "link", ts: 5, node: "p1", peer: "p2", up: true }
 * ```
 */
export function toStreamEvent(
  node: string,
  record: RunRecord,
  name: (address: string) => string,
): StreamEvent | undefined {
  const ts = record.ts;
  const peerOf = (field: string) => {
    const value = textField(record, field);
    return value === undefined ? undefined : name(value);
  };
  switch (record.event) {
    case "listening":
      return { type: "listening", ts, node };
    case "joined":
      return { type: "joined", ts, node };
    case "stopping":
      return { type: "stopping", ts, node };
    case "neighbor_connected":
    case "neighbor_lost": {
      const peer = peerOf("neighbor");
      if (peer === undefined) return undefined;
      if (record.event === "neighbor_connected") return { type: "link", ts, node, peer, up: true };
      return { type: "link", ts, node, peer, up: false, reason: textField(record, "reason") ?? "" };
    }
    case "gossip_generated":
    case "gossip_received": {
      const text = textField(record, "message");
      const origin = peerOf("origin") ?? (record.event === "gossip_generated" ? node : undefined);
      if (text === undefined || origin === undefined) return undefined;
      const id = messageId(origin, text);
      if (record.event === "gossip_generated") return { type: "generated", ts, node, id, origin };
      const from = peerOf("from");
      return from === undefined ? undefined : { type: "received", ts, node, id, origin, from };
    }
    case "suspect":
    case "suspicion_cleared": {
      const peer = peerOf("neighbor");
      if (peer === undefined) return undefined;
      return { type: record.event === "suspect" ? "suspect" : "cleared", ts, node, peer };
    }
    case "dead_node_reported": {
      const peer = peerOf("dead");
      return peer === undefined ? undefined : { type: "reported", ts, node, peer };
    }
    case "vote": {
      const [peer, voter] = [peerOf("peer"), peerOf("voter")];
      const answer = textField(record, "answer");
      if (peer === undefined || voter === undefined || (answer !== "yes" && answer !== "no")) {
        return undefined;
      }
      return {
        type: "vote",
        ts,
        node,
        peer,
        voter,
        answer,
        proposal: textField(record, "proposal") ?? "",
      };
    }
    case "removal_proposed": {
      const peer = peerOf("peer");
      const proposal = textField(record, "proposal");
      if (peer === undefined || proposal === undefined) return undefined;
      return {
        type: "proposed",
        ts,
        node,
        peer,
        proposal,
        reason: textField(record, "reason") ?? "",
      };
    }
    case "removal_rejected": {
      const peer = peerOf("peer");
      return peer === undefined ? undefined : { type: "rejected", ts, node, peer };
    }
    case "peer_removed": {
      const peer = peerOf("peer");
      if (peer === undefined) return undefined;
      return { type: "removed", ts, node, peer, reason: textField(record, "reason") ?? "" };
    }
    case "peer_registered": {
      const peer = peerOf("peer");
      return peer === undefined ? undefined : { type: "registered", ts, node, peer };
    }
    case "stats": {
      const rtts: Record<string, number | null> = {};
      const list = record.fields.neighbors;
      if (Array.isArray(list)) {
        for (const entry of list) {
          if (typeof entry !== "object" || entry === null) continue;
          const { neighbor, rttMs } = entry as Record<string, unknown>;
          if (typeof neighbor !== "string") continue;
          rtts[name(neighbor)] = typeof rttMs === "number" && Number.isFinite(rttMs) ? rttMs : null;
        }
      }
      return { type: "stats", ts, node, rtts, messages: numberField(record, "messages") ?? 0 };
    }
    default:
      return undefined;
  }
}
