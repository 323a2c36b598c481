/**
 * The `--on-message` queue: received messages wait here for their handler,
 * which runs one message at a time, in arrival order, off the relay path.
 * Relaying never waits for a handler. The queue is bounded: when handlers
 * fall behind and it is full, further messages get no handler run, and the
 * log says so with a running count (`handler_dropped`).
 *
 * @module
 */

import type { EventLog } from "../log/events.ts";
import type { ReceivedMessage } from "./app_messages.ts";

/** How a handler run ended. */
export type HandlerOutcome = { readonly ok: true } | {
  readonly ok: false;
  readonly detail: string;
};

/** Runs the handler for one message; must settle (time-limited by the runner). */
export type HandlerRunner = (
  message: ReceivedMessage,
  signal: AbortSignal,
) => Promise<HandlerOutcome>;

/** Options for {@linkcode HandlerQueue}. */
export interface HandlerQueueOptions {
  run: HandlerRunner;
  log: EventLog;
  /** Most messages waiting for the handler. @default {1024} */
  capacity?: number;
}

/** Default bound of the queue: about 64 MiB of the largest payloads. */
export const HANDLER_QUEUE_CAPACITY = 1024;

/**
 * A bounded queue that runs one handler at a time.
 *
 * @example Usage
 * ```ts
 * import { HandlerQueue } from "./handler_queue.ts";
 * const seen: string[] = [];
 * const queue = new HandlerQueue({
 *   run: (m) => { seen.push(m.id); return Promise.resolve({ ok: true }); },
 *   log: { emit() {} },
 * });
 * queue.push({ id: "0123456789abcdef-1", origin: "", data: new Uint8Array(), hops: 1, receivedAt: 0, from: "" });
 * await queue.idle();
 * seen; // ["0123456789abcdef-1"]
 * ```
 */
export class HandlerQueue {
  readonly #options: HandlerQueueOptions;
  readonly #capacity: number;
  readonly #waiting: ReceivedMessage[] = [];
  readonly #abort = new AbortController();
  #running: Promise<void> | undefined;
  #dropped = 0;
  #stopped = false;

  /** An empty queue; nothing runs until a message is pushed. */
  constructor(options: HandlerQueueOptions) {
    this.#options = options;
    this.#capacity = options.capacity ?? HANDLER_QUEUE_CAPACITY;
  }

  /** Messages that got no handler run because the queue was full. */
  get dropped(): number {
    return this.#dropped;
  }

  /** Messages waiting (the one whose handler runs excluded). */
  get waiting(): number {
    return this.#waiting.length;
  }

  /** Queues a message for the handler; never waits. Returns false if it was dropped. */
  push(message: ReceivedMessage): boolean {
    if (this.#stopped) return false;
    if (this.#waiting.length >= this.#capacity) {
      this.#dropped++;
      this.#options.log.emit({ event: "handler_dropped", id: message.id, dropped: this.#dropped });
      return false;
    }
    this.#waiting.push(message);
    this.#running ??= this.#drain();
    return true;
  }

  /** Resolves once no handler runs and none waits. */
  async idle(): Promise<void> {
    while (this.#running) await this.#running;
  }

  /** Stops: forgets what waits and aborts the handler that runs. Idempotent. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#waiting.length = 0;
    this.#abort.abort();
    await this.idle();
  }

  async #drain(): Promise<void> {
    try {
      for (let next = this.#waiting.shift(); next; next = this.#waiting.shift()) {
        let outcome: HandlerOutcome;
        try {
          outcome = await this.#options.run(next, this.#abort.signal);
        } catch (error) {
          outcome = { ok: false, detail: error instanceof Error ? error.message : String(error) };
        }
        if (!outcome.ok && !this.#stopped) {
          this.#options.log.emit({ event: "handler_failed", id: next.id, detail: outcome.detail });
        }
      }
    } finally {
      this.#running = undefined;
    }
  }
}
