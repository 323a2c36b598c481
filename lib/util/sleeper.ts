/**
 * Cancellable waits on an injected clock: every pending wait ends at once
 * when the owner shuts down, so no loop outlives its node.
 *
 * @module
 */

import type { Clock, TimerHandle } from "./clock.ts";

/** Hands out waits that {@linkcode Sleeper.cancelAll} can end early. */
export class Sleeper {
  #clock: Clock;
  // Made when first needed and dropped once empty: a simulation holds 100,000 nodes.
  #pending: Map<TimerHandle, () => void> | undefined;
  #cancelled = false;

  /** Creates a sleeper on `clock`. */
  constructor(clock: Clock) {
    this.#clock = clock;
  }

  /** Resolves after `ms`, or at once (to false) once cancelled. */
  sleep(ms: number): Promise<boolean> {
    if (this.#cancelled) return Promise.resolve(false);
    return new Promise((resolve) => {
      const handle = this.#clock.setTimeout(() => {
        this.#pending?.delete(handle);
        if (this.#pending?.size === 0) this.#pending = undefined;
        resolve(true);
      }, ms);
      (this.#pending ??= new Map()).set(handle, () => resolve(false));
    });
  }

  /** Ends every pending wait and every future one. */
  cancelAll(): void {
    this.#cancelled = true;
    const pending = this.#pending;
    this.#pending = undefined;
    for (const [handle, wake] of pending ?? []) {
      this.#clock.clearTimeout(handle);
      wake();
    }
  }
}
