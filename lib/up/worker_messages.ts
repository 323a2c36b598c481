/**
 * What `up`'s thread and a node worker (`node_worker.ts`) say to each other.
 * Everything here is plain data: it crosses `postMessage` by structured
 * clone.
 *
 * @module
 */

import type { PeerTuning } from "../config/node_config.ts";
import type { LogEvent } from "../log/events.ts";
import type { Address } from "../util/address.ts";
import type { NodeExit } from "./node_runner.ts";
import type { NodeSpec } from "./plan.ts";

/** The options every node of a worker shares (the in-process runner's, minus functions). */
export interface WorkerSetup {
  seeds: readonly Address[];
  logDir: string;
  peerTuning: Partial<PeerTuning>;
  keyFile?: string;
}

/** What a worker can be asked to do to one of its nodes. */
export type NodeOperation = "kill" | "pause" | "resume" | "reloadKeys" | "requestStop";

/** `up`'s thread → a worker. */
export type ToWorker =
  | { type: "setup"; setup: WorkerSetup }
  | { type: "start"; id: number; spec: NodeSpec; metrics?: string }
  | { type: "operate"; id: number; operation: NodeOperation };

/** One event of one node, with the time it was logged. */
export interface WorkerEvent {
  id: number;
  ts: number;
  event: LogEvent;
}

/** A worker → `up`'s thread. */
export type FromWorker =
  /** A batch of events, in the order they happened. */
  | { type: "events"; events: WorkerEvent[] }
  | { type: "line"; id: number; line: string }
  | { type: "listening"; id: number }
  | { type: "settled"; id: number }
  /** The node never got to listen (or to settle); `error` says why. */
  | { type: "failed"; id: number; stage: "listening" | "settled"; error: string }
  | { type: "exited"; id: number; exit: NodeExit }
  /** A kill, pause or resume took effect at `ts`. */
  | { type: "acted"; id: number; operation: "kill" | "pause" | "resume"; ts: number }
  /** A node's code failed where nothing caught it; the worker and its other nodes go on. */
  | { type: "problem"; text: string };
