/**
 * The nodes of a local network: starting them (again, after a kill) through
 * a {@linkcode NodeRunner} (child processes or in-process nodes), killing,
 * pausing and resuming them, passing their output on line by line, and
 * stopping every one and waiting for it.
 *
 * @module
 */

import { type Clock, systemClock } from "../util/clock.ts";
import type { NodeExit, NodeInstance, NodeRunner } from "./node_runner.ts";
import type { NodeSpec } from "./plan.ts";
import type { Outage } from "./summary.ts";

/** Where a node's process stands. */
export type NodeState =
  /** Not started yet. */
  | "idle"
  | "running"
  /** Stopped by SIGSTOP (`pause`). */
  | "paused"
  /** Killed by `kill` (SIGKILL). */
  | "killed"
  /** Ended by itself. */
  | "exited"
  /** Stopped by `up` at shutdown. */
  | "stopped";

/** What the {@linkcode Supervisor} reports. */
export interface SupervisorHooks {
  /** One line a node printed (stdout or stderr). */
  onLine(node: ManagedNode, line: string): void;
  /** A node's process ended; `expected` when `up` ended it. */
  onExit(node: ManagedNode, status: NodeExit, expected: boolean): void;
  /** PIDs or outages changed (e.g. to rewrite the manifest). */
  onChange(): void;
}

/** Options for {@linkcode Supervisor}. */
export interface SupervisorOptions {
  /** What starts each node: processes or in-process nodes. */
  runner: NodeRunner;
  hooks: SupervisorHooks;
  clock?: Clock;
}

interface MutableOutage {
  kind: "kill" | "pause";
  fromTs: number;
  toTs?: number;
}

/** Options for {@linkcode Supervisor.stopAll}. */
export interface StopOptions {
  /** SIGTERM a node still running this long after its stop request. @default {2000} */
  termAfterMs?: number;
  /** SIGKILL a node still running this long after its stop request. @default {5000} */
  killAfterMs?: number;
  /**
   * Stop this many peers at a time, each group awaited; in-process, a
   * thousand leaves at once reach the seeds after they have begun to
   * re-check the silent peers, and some are removed as dead. @default {all at once}
   */
  batchSize?: number;
}

/** One node and its current process (or in-process instance). */
export class ManagedNode {
  readonly spec: NodeSpec;
  /** Every PID it has had, oldest first (`up`'s own for in-process nodes). */
  readonly pids: number[] = [];
  #outages: MutableOutage[] = [];
  #state: NodeState = "idle";
  #lastLine = "";
  #instance: NodeInstance | undefined;
  #done: Promise<NodeExit> | undefined;
  #exitStatus: NodeExit | undefined;

  /** Wraps a planned node; nothing runs until the supervisor starts it. */
  constructor(spec: NodeSpec) {
    this.spec = spec;
  }

  /** The node's name, e.g. `p3`. */
  get name(): string {
    return this.spec.name;
  }

  /** Current state. */
  get state(): NodeState {
    return this.#state;
  }

  /** Whether a process exists (running or paused). */
  get alive(): boolean {
    return this.#state === "running" || this.#state === "paused";
  }

  /** The current (or last) process id. */
  get pid(): number | undefined {
    return this.pids[this.pids.length - 1];
  }

  /** The last non-blank line it printed. */
  get lastLine(): string {
    return this.#lastLine;
  }

  /** How its last process ended, once it has. */
  get exitStatus(): NodeExit | undefined {
    return this.#exitStatus;
  }

  /** Kills and pauses imposed on it. */
  get outages(): readonly Outage[] {
    return this.#outages;
  }

  /** Resolves once the current instance has joined (a peer) or is ready (a seed), if its runner can tell. */
  get settled(): Promise<void> | undefined {
    return this.#instance?.settled;
  }

  /** Resolves once the current instance listens, if its runner can tell (else `undefined`). */
  get listening(): Promise<void> | undefined {
    return this.#instance?.listening;
  }

  /** @internal Starts an instance of this node. */
  spawn(options: SupervisorOptions): void {
    const instance = options.runner.start(this.spec, (line) => {
      if (line.trim() !== "") this.#lastLine = line.trim();
      options.hooks.onLine(this, line);
    }, (operation, ts) => {
      if (this.#instance !== instance) return;
      this.retime(operation, ts);
      options.hooks.onChange();
    });
    this.#instance = instance;
    this.#exitStatus = undefined;
    this.#state = "running";
    this.pids.push(instance.pid);
    this.#done = instance.exited.then((status) => {
      // An instance killed and already replaced by `start`: nothing of its own is left to update.
      if (this.#instance !== instance) return status;
      const expected = this.#state === "killed" || this.#state === "stopped";
      if (!expected) this.#state = "exited";
      this.#exitStatus = status;
      this.#instance = undefined;
      options.hooks.onExit(this, status, expected);
      return status;
    });
  }

  /** @internal The current instance, if any. */
  get instance(): NodeInstance | undefined {
    return this.#instance;
  }

  /** @internal Records a state change made by the supervisor. */
  mark(state: NodeState, outage?: MutableOutage): void {
    this.#state = state;
    if (outage) this.#outages.push(outage);
  }

  /**
   * @internal Moves the latest outage's edge to when the operation took
   * effect: its start for a kill or pause, its end for a resume.
   */
  retime(operation: "kill" | "pause" | "resume", ts: number): void {
    const kind = operation === "resume" ? "pause" : operation;
    const outage = this.#outages.findLast((o) => o.kind === kind);
    if (!outage) return;
    if (operation === "resume") {
      if (outage.toTs !== undefined) outage.toTs = Math.max(outage.toTs, ts);
    } else if (outage.toTs === undefined) outage.fromTs = Math.max(outage.fromTs, ts);
  }

  /** @internal Ends the open outage of `kind` at `ts`. */
  endOutage(kind: "kill" | "pause", ts: number): void {
    for (const o of this.#outages) if (o.kind === kind && o.toTs === undefined) o.toTs = ts;
  }

  /** Resolves once the current instance has exited and its output is drained. */
  async waitExit(): Promise<NodeExit | undefined> {
    return await this.#done;
  }

  /** Has its current instance reread the key file; false when none runs. */
  reloadKeys(): boolean {
    return this.#instance?.reloadKeys() ?? false;
  }
}

/** Runs the nodes of a network, as child processes or in-process (by its runner). */
export class Supervisor {
  /** Every node, in plan order. */
  readonly nodes: readonly ManagedNode[];
  readonly #options: SupervisorOptions;
  readonly #clock: Clock;
  #stopping = false;

  /** How the nodes run. */
  get kind(): NodeRunner["kind"] {
    return this.#options.runner.kind;
  }

  /** Wraps the planned nodes; starts none. */
  constructor(specs: readonly NodeSpec[], options: SupervisorOptions) {
    this.nodes = specs.map((spec) => new ManagedNode(spec));
    this.#options = options;
    this.#clock = options.clock ?? systemClock;
  }

  /** True once {@linkcode stopAll} was called. */
  get stopping(): boolean {
    return this.#stopping;
  }

  /**
   * Starts `node`'s process (again, if it was killed or exited), once any
   * previous process is fully gone so its port is free.
   * @throws {RuntimeError} When the process cannot be spawned.
   */
  async start(node: ManagedNode): Promise<void> {
    if (node.alive || this.#stopping) return;
    await node.waitExit();
    if (node.alive || this.#stopping) return;
    node.endOutage("kill", this.#clock.now());
    node.spawn(this.#options);
    this.#options.hooks.onChange();
  }

  /** SIGKILL, so the others have to notice the failure. */
  kill(node: ManagedNode): boolean {
    if (!node.alive) return false;
    // Mark first: the exit handler must see this death as intended.
    const previous = node.state;
    node.mark("killed", { kind: "kill", fromTs: this.#clock.now() });
    if (previous === "paused") node.endOutage("pause", this.#clock.now());
    node.instance?.kill();
    this.#options.hooks.onChange();
    return true;
  }

  /** SIGSTOP: the process stays but answers nothing. False if not running or unsupported. */
  pause(node: ManagedNode): boolean {
    if (node.state !== "running" || !node.instance?.pause()) return false;
    node.mark("paused", { kind: "pause", fromTs: this.#clock.now() });
    this.#options.hooks.onChange();
    return true;
  }

  /** SIGCONT after a pause. False if not paused. */
  resume(node: ManagedNode): boolean {
    if (node.state !== "paused" || !node.instance?.resume()) return false;
    node.mark("running");
    node.endOutage("pause", this.#clock.now());
    this.#options.hooks.onChange();
    return true;
  }

  /**
   * Stops every process, peers first so they can say goodbye to seeds that
   * are still there, and resolves when every one has exited. Idempotent.
   *
   * The stop request is the end of stdin (children run with
   * `--exit-on-stdin-close`), not SIGTERM: on Ctrl+C in a terminal the
   * children get SIGINT along with `up`, and a node takes a second signal
   * as "die now", losing its clean leave. End of stdin is harmless to a node
   * already stopping, and works on Windows too. SIGTERM follows after
   * `termAfterMs` for a node still there, SIGKILL after `killAfterMs`.
   */
  async stopAll(options: StopOptions = {}): Promise<void> {
    this.#stopping = true;
    for (const role of ["peer", "seed"] as const) {
      const group = this.nodes.filter((n) => n.spec.role === role);
      const size = role === "peer" ? options.batchSize ?? group.length : group.length;
      for (let i = 0; i < group.length; i += Math.max(1, size)) {
        await Promise.all(group.slice(i, i + Math.max(1, size)).map((n) => this.#stop(n, options)));
      }
    }
  }

  async #stop(node: ManagedNode, options: StopOptions): Promise<void> {
    if (!node.alive) {
      await node.waitExit();
      return;
    }
    const instance = node.instance;
    node.mark("stopped");
    instance?.requestStop();
    const term = setTimeout(() => instance?.terminate(), options.termAfterMs ?? 2000);
    const kill = setTimeout(() => instance?.kill(), options.killAfterMs ?? 5000);
    try {
      await node.waitExit();
    } finally {
      clearTimeout(term);
      clearTimeout(kill);
    }
  }

  /** SIGKILL to every live process at once (a second Ctrl+C during shutdown). */
  killAll(): void {
    this.#stopping = true;
    for (const node of this.nodes) {
      if (node.alive || node.state === "stopped") node.instance?.kill();
    }
  }
}
