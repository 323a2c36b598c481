/**
 * One node's events, fanned out: to its sinks (a log file, the console) and
 * to every reader of a library handle's `events()`. Readers see exactly the
 * events the file gets, typed, from the moment they subscribe.
 *
 * @module
 */

import { AsyncQueue } from "../util/async_queue.ts";
import type { EventLog, LogEvent } from "./events.ts";

/** Options for {@linkcode EventHub.subscribe}. */
export interface SubscribeOptions {
  /**
   * Most events waiting for a slow reader; later ones are dropped (the
   * node never waits for a reader). @default {10000}
   */
  capacity?: number;
}

/**
 * An {@linkcode EventLog} that passes every event to its sinks and to its
 * subscribers.
 *
 * @example Usage
 * ```ts
 * import { EventHub } from "./event_hub.ts";
 * const hub = new EventHub();
 * const events = hub.subscribe();
 * hub.emit({ event: "seed_connected", seed: "127.0.0.1:5000" });
 * hub.close();
 * for await (const e of events) e.event; // "seed_connected"
 * ```
 */
export class EventHub implements EventLog {
  readonly #sinks: readonly EventLog[];
  readonly #subscribers = new Set<AsyncQueue<LogEvent>>();
  #closed = false;

  /** A hub writing to `sinks` (in order) before its subscribers. */
  constructor(sinks: readonly EventLog[] = []) {
    this.#sinks = sinks;
  }

  /** Passes one event on. */
  emit(event: LogEvent): void {
    for (const sink of this.#sinks) sink.emit(event);
    for (const queue of this.#subscribers) queue.push(event);
  }

  /** A stream of the events emitted from now on; it ends when the hub closes. */
  subscribe(options: SubscribeOptions = {}): AsyncIterableIterator<LogEvent> {
    const queue: AsyncQueue<LogEvent> = new AsyncQueue({
      ...(options.capacity === undefined ? {} : { capacity: options.capacity }),
      onClose: () => this.#subscribers.delete(queue),
    });
    if (this.#closed) queue.close();
    else this.#subscribers.add(queue);
    return queue;
  }

  /** Ends every subscriber's stream (after what it has queued). Idempotent. */
  close(): void {
    this.#closed = true;
    for (const queue of [...this.#subscribers]) queue.close();
  }
}
