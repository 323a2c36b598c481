/**
 * Ctrl+C and SIGTERM for `up`: each delivery calls the handler (the first
 * asks for a clean stop, a second one can force it), instead of ending the
 * process before its children are stopped.
 *
 * @module
 */

/**
 * Calls `handler` on every SIGINT and SIGTERM until the returned function
 * is called. SIGTERM cannot be listened for on Windows; Ctrl+C still works
 * there.
 */
export function onStopSignals(handler: (signal: "SIGINT" | "SIGTERM") => void): () => void {
  const listeners: Array<[Deno.Signal, () => void]> = [];
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    const listener = () => handler(signal);
    try {
      Deno.addSignalListener(signal, listener);
      listeners.push([signal, listener]);
    } catch {
      // Not supported on this platform.
    }
  }
  return () => {
    for (const [signal, listener] of listeners) {
      try {
        Deno.removeSignalListener(signal, listener);
      } catch {
        // Already removed.
      }
    }
  };
}

/** What a stop signal means, given the ones before it. */
export type StopSignalMeaning = "stop" | "echo" | "force";

/**
 * Tells a second Ctrl+C from the same one delivered twice. Under
 * `deno task`, one Ctrl+C reaches the program directly from the terminal and
 * again forwarded by the task runner, milliseconds apart: both are one stop
 * request. A signal after `echoMs` is a person pressing Ctrl+C again.
 *
 * @example Usage
 * ```ts
 * import { StopSignals } from "./signals.ts";
 * const signals = new StopSignals({ echoMs: 1000 });
 * signals.meaning(0); // "stop"
 * signals.meaning(5); // "echo"
 * signals.meaning(1500); // "force"
 * ```
 */
export class StopSignals {
  readonly #echoMs: number;
  #firstTs: number | undefined;

  /** Signals within `echoMs` of the first are echoes. */
  constructor(options: { echoMs: number }) {
    this.#echoMs = options.echoMs;
  }

  /** The meaning of a signal arriving at `now` (ms). */
  meaning(now: number): StopSignalMeaning {
    if (this.#firstTs === undefined) {
      this.#firstTs = now;
      return "stop";
    }
    return now - this.#firstTs < this.#echoMs ? "echo" : "force";
  }
}
