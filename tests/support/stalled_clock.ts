/**
 * A clock for testing what a busy event loop does to timeouts: its reading
 * runs `stall` ms ahead of a {@linkcode ManualClock}'s, while its timers
 * fire when the manual clock says. A timer then runs `stall` ms late, as
 * one does behind a long turn of the loop.
 *
 * @module
 */

import type { Clock, TimerHandle } from "../../lib/util/clock.ts";
import type { ManualClock } from "./manual_clock.ts";

/** See the module doc. Set `stall` to make later timers late. */
export class StalledClock implements Clock {
  /** How far the reading runs ahead of the timers, in ms. */
  stall = 0;
  readonly #inner: ManualClock;

  /** A clock over `inner` (advance that one to run timers). */
  constructor(inner: ManualClock) {
    this.#inner = inner;
  }

  /** The inner clock's time plus the stall. */
  now(): number {
    return this.#inner.now() + this.stall;
  }

  /** A timer on the inner clock. */
  setTimeout(callback: () => void, ms: number): TimerHandle {
    return this.#inner.setTimeout(callback, ms);
  }

  /** Cancels a timer on the inner clock. */
  clearTimeout(handle: TimerHandle): void {
    this.#inner.clearTimeout(handle);
  }
}
