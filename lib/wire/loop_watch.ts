/**
 * How long this node's event-loop turns were while it waited for an answer.
 * A timeout says something about the remote only if this node itself kept
 * up: a probe waits for a few round trips in a row (connect, accept, hello,
 * ping, pong), each at least one turn of the event loop on both ends. When
 * one process holds hundreds of nodes and every turn serves hundreds of
 * sockets, a turn can take hundreds of milliseconds; the timeout's own timer
 * still fires on time, but the hello it waited for is sitting unread behind
 * those turns. A short repeating timer sees that: each tick is late by about
 * the length of the turn before it.
 *
 * @module
 */

import type { Clock, TimerHandle } from "../util/clock.ts";

/** How often a {@linkcode LoopWatch} ticks, in ms. */
export const LOOP_WATCH_EVERY_MS = 50;

/**
 * Watches the event loop from construction until {@linkcode LoopWatch.stop}:
 * the longest delay of its ticks is the longest turn it saw.
 *
 * @example Usage
 * ```ts
 * import { LoopWatch } from "./loop_watch.ts";
 * import { systemClock } from "../util/clock.ts";
 * const watch = new LoopWatch(systemClock);
 * // ... wait for something ...
 * watch.stop();
 * watch.maxLagMs; // 0 on an idle loop, the longest turn's length on a busy one
 * ```
 */
export class LoopWatch {
  readonly #clock: Clock;
  readonly #everyMs: number;
  #due: number;
  #timer: TimerHandle | undefined;
  #maxLagMs = 0;

  /** Starts watching. */
  constructor(clock: Clock, everyMs = LOOP_WATCH_EVERY_MS) {
    this.#clock = clock;
    this.#everyMs = everyMs;
    this.#due = clock.now() + everyMs;
    this.#timer = clock.setTimeout(this.#tick, everyMs);
  }

  /**
   * The longest delay seen so far, in ms; a tick overdue right now counts
   * with what it is late by already.
   */
  get maxLagMs(): number {
    const overdue = this.#timer === undefined ? 0 : this.#clock.now() - this.#due;
    return Math.max(this.#maxLagMs, overdue);
  }

  /** Stops watching (the figure stays readable). Idempotent. */
  stop(): void {
    if (this.#timer === undefined) return;
    this.#maxLagMs = this.maxLagMs;
    this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #tick = (): void => {
    if (this.#timer === undefined) return;
    const now = this.#clock.now();
    this.#maxLagMs = Math.max(this.#maxLagMs, now - this.#due);
    this.#due = now + this.#everyMs;
    this.#timer = this.#clock.setTimeout(this.#tick, this.#everyMs);
  };
}

/**
 * Reports whether turns of `maxLagMs` make a timeout of `timeoutMs` say
 * nothing about the remote: a probe needs about four turns on each end, so
 * a turn of an eighth of the timeout (and at least 50 ms) leaves it no fair
 * chance.
 *
 * @example Usage
 * ```ts
 * import { tooBusyFor } from "./loop_watch.ts";
 * tooBusyFor(20, 1500); // false
 * tooBusyFor(300, 1500); // true
 * ```
 */
export function tooBusyFor(maxLagMs: number, timeoutMs: number): boolean {
  return maxLagMs >= Math.max(50, timeoutMs / 8);
}
