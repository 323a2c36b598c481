/**
 * Counts of the events a node has logged, kept as the events go by: the
 * counters of `gossipnet status` and of `/metrics` are exactly what the
 * log says happened, with no second set of bookkeeping to drift from it.
 *
 * @module
 */

import type { EventLog, LogEvent } from "../log/events.ts";

/**
 * An {@linkcode EventLog} that counts every event by name (and a few by one
 * field, e.g. `vote.yes`, `peer_removed.dead`) before passing it on.
 *
 * @example Usage
 * ```ts
 * import { EventCounters } from "./event_counters.ts";
 * const counters = new EventCounters({ emit() {} });
 * counters.emit({ event: "seed_connected", seed: "127.0.0.1:5000" });
 * counters.count("seed_connected"); // 1
 * counters.count("peer_registered"); // 0
 * ```
 */
export class EventCounters implements EventLog {
  readonly #inner: EventLog;
  readonly #counts = new Map<string, number>();

  /** Counts events on their way to `inner`. */
  constructor(inner: EventLog) {
    this.#inner = inner;
  }

  /** Counts and passes on one event. */
  emit(event: LogEvent): void {
    this.#bump(event.event);
    if (event.event === "vote") this.#bump(`vote.${event.answer}`);
    if (event.event === "peer_removed") this.#bump(`peer_removed.${event.reason}`);
    this.#inner.emit(event);
  }

  /** How many events named `name` (or `name.value`) were logged. */
  count(name: string): number {
    return this.#counts.get(name) ?? 0;
  }

  #bump(key: string): void {
    this.#counts.set(key, (this.#counts.get(key) ?? 0) + 1);
  }
}
