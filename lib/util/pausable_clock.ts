/**
 * A {@linkcode Clock} that can be frozen and stopped for good, for a node
 * that shares its process with others: `pause` holds every timer that comes
 * due (a SIGSTOP'd process runs none), `resume` fires the held ones late,
 * in the order they came due (as after SIGCONT), and `halt` cancels every
 * timer and ignores new ones (a killed process has none).
 *
 * @module
 */

import type { Clock, TimerHandle } from "./clock.ts";

interface Timer {
  readonly callback: () => void;
  inner: TimerHandle;
  cancelled: boolean;
}

/** A clock whose timers can be held and released, or stopped for good. */
export class PausableClock implements Clock {
  readonly #inner: Clock;
  readonly #live = new Set<Timer>();
  #held: Timer[] = [];
  #paused = false;
  #halted = false;

  /**
   * Wraps `inner` (its `now` is passed through untouched).
   *
   * @example Usage
   * ```ts
   * import { PausableClock } from "./pausable_clock.ts";
   * import { systemClock } from "./clock.ts";
   * const clock = new PausableClock(systemClock);
   * clock.pause();
   * clock.paused; // true
   * clock.halt();
   * ```
   */
  constructor(inner: Clock) {
    this.#inner = inner;
  }

  /** True between {@linkcode pause} and {@linkcode resume}. */
  get paused(): boolean {
    return this.#paused;
  }

  /** True once {@linkcode halt} was called. */
  get halted(): boolean {
    return this.#halted;
  }

  /** Timers that came due while paused and wait for {@linkcode resume}. */
  get heldCount(): number {
    return this.#held.length;
  }

  /** The inner clock's time: a paused node still sees time pass when it wakes. */
  now(): number {
    return this.#inner.now();
  }

  /** Schedules `callback`; after {@linkcode halt} it never runs. */
  setTimeout(callback: () => void, ms: number): TimerHandle {
    const timer: Timer = { callback, inner: undefined, cancelled: false };
    if (this.#halted) return timer;
    this.#live.add(timer);
    timer.inner = this.#inner.setTimeout(() => this.#due(timer), ms);
    return timer;
  }

  /** Cancels a timer, held or not. */
  clearTimeout(handle: TimerHandle): void {
    const timer = handle as Timer | undefined;
    if (!timer || typeof timer !== "object" || !("cancelled" in timer)) return;
    timer.cancelled = true;
    if (this.#live.delete(timer)) this.#inner.clearTimeout(timer.inner);
  }

  /** Holds every timer that comes due from now on. */
  pause(): void {
    if (!this.#halted) this.#paused = true;
  }

  /** Fires the held timers, oldest first, and lets later ones run as usual. */
  resume(): void {
    if (!this.#paused) return;
    this.#paused = false;
    const held = this.#held;
    this.#held = [];
    for (const timer of held) {
      // A held timer may cancel another, or pause the clock again.
      if (timer.cancelled) continue;
      if (this.#paused || this.#halted) {
        if (!this.#halted) this.#held.push(timer);
        continue;
      }
      timer.callback();
    }
  }

  /** Cancels every timer and ignores new ones, for good. */
  halt(): void {
    this.#halted = true;
    this.#paused = false;
    for (const timer of this.#live) this.#inner.clearTimeout(timer.inner);
    this.#live.clear();
    this.#held = [];
  }

  #due(timer: Timer): void {
    this.#live.delete(timer);
    if (timer.cancelled || this.#halted) return;
    if (this.#paused) this.#held.push(timer);
    else timer.callback();
  }
}
