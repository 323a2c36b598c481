/**
 * How a node process ends: the first of SIGINT, SIGTERM, the shell's `exit`
 * or (for `up`'s children) end of stdin.
 *
 * @module
 */

import type { ShellCommand } from "../shell/commands.ts";
import { runRepl } from "../shell/repl.ts";
import { onStopSignals } from "./signals.ts";

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
    let stopped = false;
    // The listeners stay for the life of the process: a second Ctrl+C (a
    // terminal sends SIGINT to the whole process group) must not cut the
    // clean shutdown short. That shutdown is bounded (about a second).
    const stop = (reason: string) => {
      if (stopped) return;
      stopped = true;
      resolve(reason);
    };
    onStopSignals((signal) => stop(signal));
    runRepl({
      commands: options.commands,
      onExit: stop,
      exitOnEnd: options.exitOnStdinClose,
    });
  });
}
