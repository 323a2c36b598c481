/**
 * How a node process ends: the first of SIGINT, SIGTERM, the shell's `exit`
 * or (for `up`'s children) end of stdin.
 *
 * @module
 */

import type { ShellCommand } from "../shell/commands.ts";
import { runRepl } from "../shell/repl.ts";

/** Options for {@linkcode waitForStop}. */
export interface StopOptions {
  /** Shell commands available on stdin. */
  commands: Readonly<Record<string, ShellCommand>>;
  /** Also stop at end of stdin. */
  exitOnStdinClose: boolean;
}

/** Resolves with the reason once the process is asked to stop. */
export function waitForStop(options: StopOptions): Promise<string> {
  return new Promise((resolve) => {
    const signals: Array<[Deno.Signal, () => void]> = [];
    let stopped = false;
    const stop = (reason: string) => {
      if (stopped) return;
      stopped = true;
      for (const [signal, handler] of signals) {
        try {
          Deno.removeSignalListener(signal, handler);
        } catch {
          // Already gone.
        }
      }
      resolve(reason);
    };
    for (const signal of ["SIGINT", "SIGTERM"] as const) {
      const handler = () => stop(signal);
      try {
        Deno.addSignalListener(signal, handler);
        signals.push([signal, handler]);
      } catch {
        // SIGTERM cannot be listened for on Windows; Ctrl+C still works.
      }
    }
    runRepl({
      commands: options.commands,
      onExit: stop,
      exitOnEnd: options.exitOnStdinClose,
    });
  });
}
