/**
 * Time as an injected dependency. Protocol state machines read time only
 * through {@linkcode Clock}, so tests drive them with a manual clock instead
 * of fake timers.
 *
 * @module
 */

/** Opaque handle returned by {@linkcode Clock.setTimeout}. */
export type TimerHandle = unknown;

/** A source of wall-clock time and one-shot timers. */
export interface Clock {
  /** Milliseconds since the Unix epoch (may carry a fraction). */
  now(): number;
  /** Runs `callback` once after `ms` milliseconds. */
  setTimeout(callback: () => void, ms: number): TimerHandle;
  /** Cancels a timer; unknown or fired handles are ignored. */
  clearTimeout(handle: TimerHandle): void;
}

// performance.now() is monotonic and sub-millisecond; anchoring it to
// timeOrigin gives Unix-epoch milliseconds that never step backwards.
const ORIGIN = performance.timeOrigin;

/** The real clock: Unix time with sub-millisecond resolution, real timers. */
export const systemClock: Clock = {
  now: () => ORIGIN + performance.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};
