/**
 * The seam between `up`'s supervisor and whatever runs a node: a child
 * process (`process_runner.ts`) or a node inside `up`'s own process
 * (`in_process_runner.ts`). The supervisor keeps the states, outages and
 * shutdown order; a runner only starts one node and carries out kill,
 * pause, resume and stop on it.
 *
 * @module
 */

import type { NodeSpec } from "./plan.ts";

/** How a node ended: a process's exit status, or the same shape for an in-process node. */
export type NodeExit = Deno.CommandStatus;

/** One started node. */
export interface NodeInstance {
  /** The process it runs in (`up`'s own for an in-process node). */
  readonly pid: number;
  /** Resolves once the node is gone and everything it printed was passed on. */
  readonly exited: Promise<NodeExit>;
  /**
   * Resolves once the node listens, when the runner knows that without its
   * log (in-process); `undefined` for a process, whose log tells.
   */
  readonly listening: Promise<void> | undefined;
  /**
   * Resolves once a peer has joined (or a seed is ready), when the runner
   * can tell; `undefined` for a process. Startup paces itself on it.
   */
  readonly settled: Promise<void> | undefined;
  /** Crashes it: sockets closed with nothing more sent, no timers. False if impossible. */
  kill(): boolean;
  /** Freezes it: no reads, no timers. False if impossible. */
  pause(): boolean;
  /** Undoes {@linkcode pause}. False if impossible. */
  resume(): boolean;
  /**
   * Has it reread its key file (SIGHUP for a process); a paused node does so
   * once resumed. False if impossible.
   */
  reloadKeys(): boolean;
  /** Asks it to stop cleanly (leave, flush its log). */
  requestStop(): void;
  /** Asks harder (SIGTERM for a process); a node that still hangs gets {@linkcode kill}. */
  terminate(): void;
}

/** Starts nodes of one kind. */
export interface NodeRunner {
  /** `process` or `in-process`: how `up` describes what it runs. */
  readonly kind: "process" | "in-process";
  /**
   * Starts `spec`; `onLine` gets what it prints. A runner whose kill, pause
   * and resume land later than they are asked for (on another thread) tells
   * `onActed` when each took effect, so outages are timed by the node's
   * own log clock.
   * @throws {RuntimeError} When it cannot be started at all.
   */
  start(
    spec: NodeSpec,
    onLine: (line: string) => void,
    onActed?: (operation: "kill" | "pause" | "resume", ts: number) => void,
  ): NodeInstance;
}
