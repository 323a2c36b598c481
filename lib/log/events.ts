/**
 * Every event a node logs, as one typed union. The names and fields of the
 * events in `CONTRACT.md` are exactly those here, so a misspelt event or a
 * missing field is a type error, not a broken log consumer.
 *
 * Addresses are always `host:port` strings made by `formatAddress`.
 *
 * @module
 */

import type { RemovalReason } from "../protocol/membership_types.ts";

/** Severity of an event, LogTape's level names. */
export type EventLevel = "debug" | "info" | "warning" | "error";

/**
 * Warnings that repeat while a link stays broken are rate-limited
 * (`throttle.ts`); the line written after others were held back counts them.
 */
export interface Throttled {
  /** Lines like this one held back since the last one written. */
  suppressed?: number;
}

/** Every event a node can log. Fields marked (contract) are documented in CONTRACT.md. */
export type LogEvent =
  // ---- both roles ----
  /**
   * (contract) The node accepts connections. `address` is the one it
   * advertises; `bound`, when different, is the one it listens on.
   */
  | { event: "listening"; address: string; role: "seed" | "peer"; nodeId: string; bound?: string }
  /** The node serves Prometheus metrics at `http://<address>/metrics`. */
  | { event: "metrics_listening"; address: string }
  /** A connection was dropped because the remote broke the protocol or timed out. */
  | { event: "connection_dropped"; remote: string; reason: string; detail: string } & Throttled
  /** The node began shutting down. */
  | { event: "stopping"; reason: string }
  /**
   * The node's network keys, by id (the sending key first), at start and
   * after each reread; `source` is the key file, `GOSSIPNET_KEY` or `key option`.
   */
  | { event: "keys_loaded"; ids: string[]; source: string }
  /** The key file may be read by others than its owner (`mode`, e.g. `0644`). */
  | { event: "key_file_open"; source: string; mode: string }
  /** A reread of the key file failed; the keys `ids` stay in use. */
  | { event: "keys_reload_failed"; source: string; detail: string; ids: string[] }
  /** A connection was turned away at accept or at hello (a cap, or a ban). */
  | { event: "connection_refused"; remote: string; reason: string; detail: string } & Throttled
  /** A remote misbehaved and is refused for a while (growing with each offence). */
  | { event: "banned"; remote: string; offences: number; forMs: number; detail: string } & Throttled
  /**
   * (contract) A keyed handshake failed: the remote has no key, a key this
   * node does not hold, or a proof that does not verify. Rate-limited.
   */
  | { event: "auth_failed"; remote: string; reason: string } & Throttled
  /** A request was declined (rate limit, or not allowed on this link). */
  | { event: "request_refused"; remote: string; kind: string; reason: string } & Throttled
  /** Traffic totals at shutdown. */
  | {
    event: "traffic";
    framesSent: number;
    bytesSent: number;
    framesReceived: number;
    bytesReceived: number;
    duplicates: number;
    /** Peak resident memory of the process, in bytes. */
    peakRssBytes: number;
    /** Resident memory private to the process (no shared code pages), in bytes; -1 where unknown. */
    privateRssBytes: number;
    /** CPU time used by the process (user + system), in ms; -1 where unknown. */
    cpuMs: number;
  }
  // ---- seed ----
  /** (contract) A peer was added to this seed's peer list. */
  | { event: "peer_registered"; peer: string; degree: number }
  /** A registration was refused. */
  | { event: "peer_refused"; peer: string; reason: string; detail: string }
  /** (contract) A Dead Node message arrived (`raw` = its text). */
  | { event: "dead_node_report"; dead: string; reporter: string; raw: string }
  /** A Dead Node message that could not be parsed was ignored. */
  | { event: "dead_node_invalid"; reporter: string; raw: string; detail: string } & Throttled
  /** (contract) A peer left this seed's peer list. */
  | { event: "peer_removed"; peer: string; reason: RemovalReason }
  /** This seed asked the others to agree to register a peer. */
  | { event: "registration_proposed"; peer: string; proposal: string }
  /** This seed asked the others to agree to remove a peer. */
  | {
    event: "removal_proposed";
    peer: string;
    proposal: string;
    reason: RemovalReason;
  }
  /** A vote on one of this seed's proposals (its own included). */
  | {
    event: "vote";
    proposal: string;
    peer: string;
    voter: string;
    /** `abstain`: the voter's probe failed for a reason of its own (a no that is not evidence). */
    answer: "yes" | "no" | "abstain";
    reason: string;
  }
  /** A change another seed committed or synced was not applied: this seed's own check disagreed. */
  | {
    event: "change_refused";
    peer: string;
    change: "add" | "remove";
    source: "commit" | "sync";
    detail: string;
  } & Throttled
  /** A version stamp too far ahead of this seed's clock was rejected. */
  | { event: "stamp_rejected"; remote: string; what: string; detail: string } & Throttled
  /** A removal could not reach a seed majority; it is retried when seeds return. */
  | { event: "removal_stalled"; peer: string; detail: string } & Throttled
  /** A member failed this seed's periodic re-check; its removal is proposed. */
  | { event: "member_unreachable"; peer: string; detail: string }
  /** A re-check probe failed for this seed's own reason (too busy, no descriptors): nothing proposed. */
  | { event: "member_check_inconclusive"; peer: string; detail: string }
  /** A registration did not win a majority; nothing was committed. */
  | {
    event: "registration_rejected";
    peer: string;
    proposal: string;
    yes: number;
    needed: number;
    detail: string;
  }
  /** A removal did not win a majority: the peer stays. */
  | {
    event: "removal_rejected";
    peer: string;
    proposal: string;
    yes: number;
    needed: number;
    detail: string;
    /**
     * Whether a voter found the peer alive. False: too few seeds could
     * check (down, or abstaining), so it is retried later.
     */
    alive?: boolean;
  }
  /** A link to another seed is up. */
  | { event: "seed_link_up"; seed: string; direction: "in" | "out" }
  /** A link to another seed is gone. */
  | { event: "seed_link_down"; seed: string; reason: string } & Throttled
  /** The seed has caught up with the others and serves peer lists. */
  | { event: "synced"; members: number; from: string[] }
  /** A bug-level surprise caught at a boundary; the node carries on. */
  | { event: "internal_error"; detail: string }
  // ---- peer ----
  /** (contract) Registered with a seed. */
  | { event: "seed_connected"; seed: string }
  /** A seed could not be reached or dropped its link. */
  | { event: "seed_unreachable"; seed: string; detail: string } & Throttled
  /** A seed refused this peer's registration. */
  | { event: "registration_refused"; seed: string; reason: string; detail: string }
  /** Fewer seeds than the quorum answered; the peer keeps retrying. */
  | {
    event: "waiting_for_seeds";
    registered: number;
    needed: number;
    retryInMs: number;
  }
  /** Registration reached the quorum; the peer is part of the network. */
  | {
    event: "joined";
    seeds: string[];
    candidates: number;
    /** CPU used so far (start-up and joining), in ms; -1 where unknown. */
    cpuMs: number;
  }
  /** (contract) A peer list arrived from a seed. */
  | { event: "peer_list"; seed: string; peers: string[] }
  /** (contract) A neighbour link is up. */
  | { event: "neighbor_connected"; neighbor: string; direction: "in" | "out" }
  /** (contract) A neighbour link is gone. */
  | { event: "neighbor_lost"; neighbor: string; reason: string }
  /** A second link claiming a neighbour that already has a live link was refused. */
  | { event: "link_refused"; neighbor: string; remote: string; reason: string } & Throttled
  /** Gossip from a neighbour was dropped unforwarded (over its rate). */
  | { event: "gossip_dropped"; from: string; reason: string } & Throttled
  /** A neighbour dial failed. */
  | { event: "neighbor_dial_failed"; neighbor: string; detail: string } & Throttled
  /** (contract) This peer created a gossip message. */
  | { event: "gossip_generated"; message: string; origin: string; seq: number }
  /** Messages generated while this peer had no neighbour went to its first one. */
  | { event: "gossip_released"; messages: number }
  /** (contract) First receipt of a gossip message. */
  | {
    event: "gossip_received";
    message: string;
    origin: string;
    from: string;
    /** Set when it came in a late joiner's catch-up, not by flooding. */
    catchUp?: true;
  }
  /** A late joiner's catch-up from its first neighbour ended. */
  | { event: "catch_up"; from: string; messages: number }
  /** A neighbour missed a ping. */
  | { event: "ping_missed"; neighbor: string; misses: number }
  /** A neighbour missed too many pings; asking others to probe it. */
  | { event: "suspect"; neighbor: string; misses: number; helpers: string[] }
  /** A suspected neighbour answered someone: not dead. */
  | { event: "suspicion_cleared"; neighbor: string; by: string }
  /** (contract) This peer reported a dead neighbour to its seeds. */
  | { event: "dead_node_reported"; dead: string; seeds: string[]; raw: string }
  /** This peer published an application message (`neighbors`: how many it was sent to). */
  | { event: "message_published"; id: string; bytes: number; neighbors: number }
  /**
   * (contract) First receipt of an application message: `origin` is its
   * origin's `host:port`, `from` the neighbour it came from, `bytes` its
   * payload size, `hops` the links it crossed to get here.
   */
  | {
    event: "message_received";
    id: string;
    origin: string;
    from: string;
    bytes: number;
    hops: number;
  }
  /** An `--on-message` handler exited non-zero, timed out or could not run. */
  | { event: "handler_failed"; id: string; detail: string } & Throttled
  /** The `--on-message` queue was full: a message's handler was not run. `dropped`: total so far. */
  | { event: "handler_dropped"; id: string; dropped: number } & Throttled
  /**
   * A peer's periodic state for dashboards (`up --ui`): its neighbours with
   * their last ping round trip, and the size of its Message List.
   */
  | {
    event: "stats";
    /** Each neighbour and its last round trip in ms (`null`: none measured yet). */
    neighbors: { neighbor: string; rttMs: number | null }[];
    /** Entries in the Message List. */
    messages: number;
  };

/** An event's name. */
export type EventName = LogEvent["event"];

/** The event whose name is `N`. */
export type EventOf<N extends EventName> = Extract<LogEvent, { event: N }>;

interface EventFormat {
  readonly level: EventLevel;
  /** Human message; `{field}` is replaced by the field's value. */
  readonly template: string;
}

/** Level and human-readable message of every event. */
export const EVENT_FORMATS: { readonly [N in EventName]: EventFormat } = {
  listening: { level: "info", template: "{role} listening on {address} (node {nodeId})" },
  connection_dropped: { level: "warning", template: "dropped connection from {remote}: {detail}" },
  stopping: { level: "info", template: "stopping ({reason})" },
  keys_loaded: { level: "info", template: "network keys {ids} from {source} (the first sends)" },
  key_file_open: {
    level: "warning",
    template: "key file {source} can be read by others (mode {mode}): chmod 600 it",
  },
  keys_reload_failed: {
    level: "error",
    template: "cannot reread keys, still using {ids}: {detail}",
  },
  connection_refused: {
    level: "warning",
    template: "refused connection from {remote} ({reason}): {detail}",
  },
  banned: {
    level: "warning",
    template: "refusing {remote} for {forMs}ms after {offences} offence(s): {detail}",
  },
  auth_failed: { level: "warning", template: "handshake with {remote} failed: {reason}" },
  request_refused: { level: "warning", template: "declined {kind} from {remote}: {reason}" },
  traffic: {
    level: "info",
    template:
      "sent {framesSent} frames / {bytesSent} bytes, received {framesReceived} frames / {bytesReceived} bytes, {duplicates} duplicate gossip, peak RSS {peakRssBytes} bytes, CPU {cpuMs} ms",
  },
  peer_registered: { level: "info", template: "registered peer {peer}" },
  peer_refused: { level: "warning", template: "refused peer {peer}: {detail}" },
  dead_node_report: { level: "warning", template: "{reporter} reports {dead} dead: {raw}" },
  dead_node_invalid: {
    level: "warning",
    template: "ignored Dead Node message from {reporter}: {detail}",
  },
  peer_removed: { level: "warning", template: "removed peer {peer} ({reason})" },
  registration_proposed: {
    level: "info",
    template: "proposing registration of {peer} ({proposal})",
  },
  removal_proposed: {
    level: "info",
    template: "proposing removal of {peer}: {reason} ({proposal})",
  },
  vote: { level: "info", template: "{voter} votes {answer} on {peer} ({reason})" },
  change_refused: {
    level: "warning",
    template: "did not apply {change} of {peer} from a {source}: {detail}",
  },
  stamp_rejected: { level: "warning", template: "rejected {what} from {remote}: {detail}" },
  removal_stalled: {
    level: "warning",
    template: "removal of {peer} stalled: {detail}; retrying when seeds return",
  },
  member_unreachable: {
    level: "warning",
    template: "re-check: member {peer} unreachable ({detail}); proposing its removal",
  },
  member_check_inconclusive: {
    level: "info",
    template: "re-check: could not judge member {peer} ({detail}); nothing proposed",
  },
  registration_rejected: {
    level: "warning",
    template: "registration of {peer} rejected: {yes} of {needed} needed votes ({detail})",
  },
  removal_rejected: {
    level: "warning",
    template: "removal of {peer} rejected: {yes} of {needed} needed votes ({detail})",
  },
  seed_link_up: { level: "info", template: "link to seed {seed} up ({direction})" },
  seed_link_down: { level: "warning", template: "link to seed {seed} down: {reason}" },
  synced: { level: "info", template: "ready: {members} peers in the list (synced from {from})" },
  internal_error: { level: "error", template: "internal error: {detail}" },
  seed_connected: { level: "info", template: "registered with seed {seed}" },
  seed_unreachable: { level: "warning", template: "seed {seed} unreachable: {detail}" },
  registration_refused: {
    level: "warning",
    template: "seed {seed} refused registration: {detail}",
  },
  waiting_for_seeds: {
    level: "warning",
    template:
      "waiting for a seed majority: {registered} of {needed} seeds answered; retrying in {retryInMs}ms",
  },
  joined: { level: "info", template: "joined via seeds {seeds} ({candidates} known peers)" },
  peer_list: { level: "info", template: "peer list from {seed}: {peers}" },
  neighbor_connected: { level: "info", template: "neighbour {neighbor} connected ({direction})" },
  neighbor_lost: { level: "warning", template: "neighbour {neighbor} lost: {reason}" },
  neighbor_dial_failed: { level: "warning", template: "could not reach {neighbor}: {detail}" },
  link_refused: {
    level: "warning",
    template: "refused a second link claiming {neighbor} from {remote}: {reason}",
  },
  gossip_dropped: { level: "warning", template: "dropped gossip from {from}: {reason}" },
  gossip_generated: { level: "info", template: "generated {message}" },
  gossip_released: {
    level: "info",
    template: "sent what it said while it had no neighbour to its first one ({messages} held)",
  },
  gossip_received: { level: "info", template: "received {message} from {from}" },
  catch_up: { level: "info", template: "caught up on {messages} earlier messages from {from}" },
  ping_missed: { level: "debug", template: "{neighbor} missed ping ({misses} in a row)" },
  suspect: {
    level: "warning",
    template: "suspect {neighbor} after {misses} missed pings; asking {helpers}",
  },
  suspicion_cleared: { level: "info", template: "{neighbor} is alive (answered {by})" },
  dead_node_reported: { level: "warning", template: "reported {dead} dead to {seeds}: {raw}" },
  metrics_listening: { level: "info", template: "metrics on http://{address}/metrics" },
  message_published: {
    level: "info",
    template: "published message {id} ({bytes} bytes) to {neighbors} neighbours",
  },
  message_received: {
    level: "info",
    template: "received message {id} ({bytes} bytes, {hops} hops) from {from}",
  },
  handler_failed: { level: "warning", template: "--on-message handler for {id} failed: {detail}" },
  handler_dropped: {
    level: "warning",
    template: "--on-message queue full: no handler run for {id} ({dropped} dropped so far)",
  },
  stats: { level: "debug", template: "{messages} messages in the Message List" },
};

/**
 * The level an event is logged at: its format's, except for the normal
 * goodbyes of a clean stop (a peer that left, a neighbour that said it was
 * leaving, a seed or seed link closed because that seed is shutting down),
 * which are information, not warnings.
 *
 * @example Usage
 * ```ts
 * import { eventLevel } from "./events.ts";
 * eventLevel({ event: "peer_removed", peer: "127.0.0.1:6001", reason: "left" }); // "info"
 * eventLevel({ event: "peer_removed", peer: "127.0.0.1:6001", reason: "dead" }); // "warning"
 * ```
 */
export function eventLevel(event: LogEvent): EventLevel {
  switch (event.event) {
    case "peer_removed":
      if (event.reason === "left") return "info";
      break;
    case "neighbor_lost":
      if (event.reason === NEIGHBOR_LEFT_REASON) return "info";
      break;
    case "seed_link_down":
      if (event.reason.startsWith("shutting_down")) return "info";
      break;
    case "seed_unreachable":
      // A peer's seed said it is shutting down: the whole network is stopping.
      if (event.detail.includes("shutting_down")) return "info";
      break;
  }
  return EVENT_FORMATS[event.event].level;
}

/** The `neighbor_lost` reason of a neighbour that said goodbye (`leave`). */
export const NEIGHBOR_LEFT_REASON = "neighbour left";

/**
 * Renders an event's human message from its template.
 *
 * @example Usage
 * ```ts
 * import { renderEvent } from "./events.ts";
 * renderEvent({ event: "seed_connected", seed: "127.0.0.1:5000" });
 * // "registered with seed 127.0.0.1:5000"
 * ```
 */
export function renderEvent(event: LogEvent): string {
  const fields = event as unknown as Record<string, unknown>;
  const text = EVENT_FORMATS[event.event].template.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = fields[name];
    if (Array.isArray(value)) return value.length === 0 ? "none" : value.join(", ");
    return String(value);
  });
  const held = fields.suppressed;
  return typeof held === "number" && held > 0 ? `${text} (and ${held} more like it)` : text;
}

/** Where a node sends its events; injected so tests can capture them. */
export interface EventLog {
  /** Records one event. */
  emit(event: LogEvent): void;
}

/** An {@linkcode EventLog} that keeps events in memory (tests, `up`). */
export class MemoryEventLog implements EventLog {
  /** Every event emitted, in order. */
  readonly events: LogEvent[] = [];

  /** Records one event. */
  emit(event: LogEvent): void {
    this.events.push(event);
  }

  /** The events named `name`. */
  named<N extends EventName>(name: N): EventOf<N>[] {
    return this.events.filter((e): e is EventOf<N> => e.event === name);
  }
}
