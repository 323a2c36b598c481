/**
 * A clock that moves only when told, for deterministic timer tests.
 *
 * @module
 */

import type { Clock, TimerHandle } from "../../lib/util/clock.ts";

interface Timer {
  id: number;
  at: number;
  callback: () => void;
}

/** A {@linkcode Clock} whose time advances only through {@linkcode ManualClock.advance}. */
export class ManualClock implements Clock {
  #now: number;
  #nextId = 1;
  #timers: Timer[] = [];

  /** Starts at `start` ms (default: a fixed 2024 instant). */
  constructor(start = 1_700_000_000_000) {
    this.#now = start;
  }

  /** Current time in ms. */
  now(): number {
    return this.#now;
  }

  /** Schedules `callback` at now + `ms`. */
  setTimeout(callback: () => void, ms: number): TimerHandle {
    const timer = { id: this.#nextId++, at: this.#now + Math.max(0, ms), callback };
    this.#timers.push(timer);
    return timer.id;
  }

  /** Cancels a pending timer. */
  clearTimeout(handle: TimerHandle): void {
    this.#timers = this.#timers.filter((t) => t.id !== handle);
  }

  /** Number of timers still pending. */
  get pending(): number {
    return this.#timers.length;
  }

  /** Moves time forward by `ms`, firing due timers in time order. */
  advance(ms: number): void {
    const target = this.#now + ms;
    while (true) {
      const due = this.#timers
        .filter((t) => t.at <= target)
        .sort((a, b) => a.at - b.at || a.id - b.id)[0];
      if (!due) break;
      this.#timers = this.#timers.filter((t) => t !== due);
      this.#now = Math.max(this.#now, due.at);
      due.callback();
    }
    this.#now = target;
  }
}
