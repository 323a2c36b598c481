/**
 * Where simulated nodes' events go: one in-memory collector for the whole
 * network instead of a log file (and a LogTape sink) per node. It keeps
 * only what the summary needs — counts per event name, join times, message
 * receipts, dead reports and removals — so a run of 100,000 nodes does not
 * hold millions of event objects.
 *
 * @module
 */

import type { EventLog, LogEvent } from "../log/events.ts";

/**
 * The first receipts of one flood message, in arrival order: two number
 * arrays rather than an object per receipt (a run of 100,000 peers and 10
 * floods counts a million).
 */
export class FloodReceipts {
  /** Virtual ms after publishing, per receipt. */
  readonly afterMs: number[] = [];
  /** Links crossed, per receipt. */
  readonly hops: number[] = [];

  /** Receipts counted. */
  get length(): number {
    return this.hops.length;
  }

  /** Counts a receipt `afterMs` after publishing, over `hops` links. */
  push(afterMs: number, hops: number): void {
    this.afterMs.push(afterMs);
    this.hops.push(hops);
  }
}

/** What happened to one peer the scenario killed or removed. */
export interface RemovalTrace {
  /** Virtual ms of the first Dead Node report about it. */
  reportedAt?: number;
  /** Seeds that removed it as dead, with when the majority was reached. */
  deadRemovals: number;
  /** Virtual ms when a majority of seeds had removed it. */
  removedAt?: number;
}

/** A listener for every event (tests): node index, virtual ms, the event. */
export type EventTap = (node: number, atMs: number, event: LogEvent) => void;

/**
 * Gathers events from every simulated node. Give each node
 * {@linkcode logFor}(index).
 *
 * @example Usage
 * ```ts
 * import { SimCollector } from "./sim_collector.ts";
 * const collector = new SimCollector({ now: () => 0, quorum: 2 });
 * collector.logFor(1, "10.1.0.1:6000").emit({ event: "seed_connected", seed: "10.0.0.1:5000" });
 * collector.count("seed_connected"); // 1
 * ```
 */
export class SimCollector {
  readonly #now: () => number;
  readonly #quorum: number;
  readonly #counts = new Map<string, number>();
  /** Virtual ms each peer (by `host:port`) logged `joined`. */
  readonly joinedAt = new Map<string, number>();
  /** Receipts of each flood message, by message id. */
  readonly receipts = new Map<string, FloodReceipts>();
  /** When each flood message was published (virtual ms), by id. */
  readonly publishedAt = new Map<string, number>();
  /** Reports and removals, by peer `host:port`. */
  readonly removals = new Map<string, RemovalTrace>();
  /** Peers removed by a seed as left, by `host:port`. */
  readonly leftRemovals = new Map<string, number>();
  /** Optional tap seeing every event. */
  tap: EventTap | undefined;

  /** A collector reading virtual ms from `now`; `quorum` seeds make a removal. */
  constructor(options: { now: () => number; quorum: number }) {
    this.#now = options.now;
    this.#quorum = options.quorum;
  }

  /** How many events named `name` were emitted. */
  count(name: string): number {
    return this.#counts.get(name) ?? 0;
  }

  /** Every event name with its count, sorted by name. */
  counts(): [string, number][] {
    return [...this.#counts].sort(([a], [b]) => a < b ? -1 : a > b ? 1 : 0);
  }

  /** Notes that message `id` was published now. */
  published(id: string): void {
    this.publishedAt.set(id, this.#now());
    this.receipts.set(id, new FloodReceipts());
  }

  /** The event log of node `index`, whose address is `key`. */
  logFor(index: number, key: string): EventLog {
    return { emit: (event) => this.#record(index, key, event) };
  }

  #trace(peer: string): RemovalTrace {
    let trace = this.removals.get(peer);
    if (!trace) this.removals.set(peer, trace = { deadRemovals: 0 });
    return trace;
  }

  #record(index: number, key: string, event: LogEvent): void {
    const name = event.event;
    this.#counts.set(name, (this.#counts.get(name) ?? 0) + 1);
    const now = this.#now();
    switch (event.event) {
      case "joined":
        if (!this.joinedAt.has(key)) this.joinedAt.set(key, now);
        break;
      case "message_received": {
        const at = this.publishedAt.get(event.id);
        if (at !== undefined) {
          this.receipts.get(event.id)?.push(now - at, event.hops);
        }
        break;
      }
      case "dead_node_reported": {
        const trace = this.#trace(event.dead);
        trace.reportedAt ??= now;
        break;
      }
      case "peer_removed":
        if (event.reason === "dead") {
          const trace = this.#trace(event.peer);
          trace.deadRemovals++;
          if (trace.deadRemovals === this.#quorum) trace.removedAt = now;
        } else {
          this.leftRemovals.set(event.peer, (this.leftRemovals.get(event.peer) ?? 0) + 1);
        }
        break;
    }
    this.tap?.(index, now, event);
  }
}
