/**
 * `up --in-process` over worker threads: the nodes are dealt round-robin to
 * `workers` threads (`node_worker.ts`), each running its share with the
 * in-process runner. They still meet over real TCP; a thread per core lets
 * a large network use every core, where one thread saturates near 22,000
 * frames a second each way (docs/benchmarks.md).
 *
 * `up`'s thread keeps what the supervisor asks of a node (kill, pause and
 * the rest answer at once, from the state mirrored here) and gets every
 * event back, batched, with the time it was logged.
 *
 * @module
 */

import { errorText } from "../util/errors.ts";
import type { InProcessRunnerOptions } from "./in_process_runner.ts";
import type { NodeExit, NodeInstance, NodeRunner } from "./node_runner.ts";
import type { NodeSpec } from "./plan.ts";
import type { FromWorker, NodeOperation, ToWorker, WorkerSetup } from "./worker_messages.ts";

/** Options for {@linkcode workerRunner}. */
export interface WorkerRunnerOptions extends Omit<InProcessRunnerOptions, "transport" | "clock"> {
  /** How many threads share the nodes (at least 1). */
  workers: number;
  /** Told when a node's code fails where nothing caught it (the rest go on). */
  onProblem?: (text: string) => void;
}

const WORKER_URL = new URL("./node_worker.ts", import.meta.url);
const LOST_EXIT: NodeExit = { success: false, code: 1, signal: null };

/** One node on some worker, as `up`'s thread sees it. */
class WorkerNode implements NodeInstance {
  readonly pid = Deno.pid;
  readonly #exit = Promise.withResolvers<NodeExit>();
  readonly #listened = Promise.withResolvers<void>();
  readonly #settle = Promise.withResolvers<void>();
  readonly exited = this.#exit.promise;
  readonly listening = this.#listened.promise;
  readonly settled = this.#settle.promise;
  readonly spec: NodeSpec;
  readonly onLine: (line: string) => void;
  readonly onActed: ((operation: "kill" | "pause" | "resume", ts: number) => void) | undefined;
  #launched = false;
  #ended = false;
  #killed = false;
  #paused = false;
  readonly #operate: (operation: NodeOperation) => void;

  constructor(
    spec: NodeSpec,
    onLine: (line: string) => void,
    onActed: WorkerNode["onActed"],
    operate: (operation: NodeOperation) => void,
  ) {
    this.spec = spec;
    this.onLine = onLine;
    this.onActed = onActed;
    this.#operate = operate;
    this.listening.catch(() => {});
    this.settled.catch(() => {});
  }

  /** Applies what its worker said about it. */
  heard(message: FromWorker): void {
    switch (message.type) {
      case "line":
        return this.onLine(message.line);
      case "listening":
        this.#launched = true;
        return this.#listened.resolve();
      case "settled":
        return this.#settle.resolve();
      case "failed": {
        const error = new Error(message.error);
        if (message.stage === "listening") this.#listened.reject(error);
        return this.#settle.reject(error);
      }
      case "exited":
        return this.end(message.exit);
      case "acted":
        return this.onActed?.(message.operation, message.ts);
    }
  }

  /** Its end: told by its worker, or the worker itself was lost. */
  end(exit: NodeExit): void {
    if (this.#ended) return;
    this.#ended = true;
    const gone = new Error("the node ended before it got there");
    this.#listened.reject(gone);
    this.#settle.reject(gone);
    this.#exit.resolve(exit);
  }

  kill(): boolean {
    if (this.#ended || this.#killed) return false;
    this.#killed = true;
    this.#operate("kill");
    return true;
  }

  pause(): boolean {
    if (this.#ended || this.#killed) return false;
    this.#paused = true;
    this.#operate("pause");
    return true;
  }

  resume(): boolean {
    if (this.#ended || this.#killed || !this.#paused) return false;
    this.#paused = false;
    this.#operate("resume");
    return true;
  }

  reloadKeys(): boolean {
    if (this.#ended || this.#killed || !this.#launched) return false;
    this.#operate("reloadKeys");
    return true;
  }

  requestStop(): void {
    if (this.#ended || this.#killed) return;
    this.#paused = false;
    this.#operate("requestStop");
  }

  terminate(): void {
    // As in-process: nothing harder than a stop exists short of a crash.
  }
}

/** One worker thread and the nodes it runs; ends itself once it has none. */
class NodeThread {
  readonly #worker: Worker;
  readonly #nodes = new Map<number, WorkerNode>();
  readonly #options: WorkerRunnerOptions;
  readonly #onEmpty: () => void;
  #closed = false;

  constructor(setup: WorkerSetup, options: WorkerRunnerOptions, onEmpty: () => void) {
    this.#options = options;
    this.#onEmpty = onEmpty;
    this.#worker = new Worker(WORKER_URL, { type: "module" });
    this.#worker.onmessage = (event: MessageEvent<FromWorker>) => this.#heard(event.data);
    this.#worker.onerror = (event) => {
      event.preventDefault();
      this.#lost(errorText(event.error ?? event.message));
    };
    this.#post({ type: "setup", setup });
  }

  start(id: number, node: WorkerNode, metrics: string | undefined): void {
    this.#nodes.set(id, node);
    this.#post({
      type: "start",
      id,
      spec: node.spec,
      ...(metrics === undefined ? {} : { metrics }),
    });
  }

  operate(id: number, operation: NodeOperation): void {
    this.#post({ type: "operate", id, operation });
  }

  #post(message: ToWorker): void {
    if (!this.#closed) this.#worker.postMessage(message);
  }

  #heard(message: FromWorker): void {
    if (message.type === "events") {
      const onEvent = this.#options.onEvent;
      if (!onEvent) return;
      for (const { id, ts, event } of message.events) {
        const node = this.#nodes.get(id);
        if (node) onEvent(node.spec, event, ts);
      }
      return;
    }
    if (message.type === "problem") return this.#options.onProblem?.(message.text);
    const node = this.#nodes.get(message.id);
    if (!node) return;
    node.heard(message);
    if (message.type === "exited") {
      this.#nodes.delete(message.id);
      if (this.#nodes.size === 0) this.#close();
    }
  }

  /** The thread died: its nodes are gone with it, as a crashed process's would be. */
  #lost(reason: string): void {
    this.#options.onProblem?.(`a node thread failed: ${reason}`);
    const nodes = [...this.#nodes.values()];
    this.#nodes.clear();
    this.#close();
    for (const node of nodes) {
      node.onLine(`error: its thread failed: ${reason}`);
      node.end(LOST_EXIT);
    }
  }

  #close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#worker.terminate();
    this.#onEmpty();
  }
}

/**
 * Runs the nodes inside this process, spread over `options.workers` worker
 * threads. Threads start with their first node and end after their last.
 *
 * @example Three seeds and two peers over two threads
 * ```ts ignore
 * import { workerRunner } from "./worker_runner.ts";
 * const runner = workerRunner({
 *   workers: 2,
 *   seeds: [{ host: "127.0.0.1", port: 7000 }],
 *   logDir: "/tmp/run/logs",
 *   peerTuning: {},
 * });
 * // const node = runner.start(spec, console.log); node.kill();
 * ```
 */
export function workerRunner(options: WorkerRunnerOptions): NodeRunner {
  const count = Math.max(1, Math.floor(options.workers));
  const setup: WorkerSetup = {
    seeds: options.seeds,
    logDir: options.logDir,
    peerTuning: options.peerTuning,
    ...(options.keyFile === undefined ? {} : { keyFile: options.keyFile }),
  };
  const threads: (NodeThread | undefined)[] = new Array(count).fill(undefined);
  let nextId = 0;
  return {
    kind: "in-process",
    start(spec, onLine, onActed) {
      const id = nextId++;
      const slot = id % count;
      const thread = threads[slot] ??= new NodeThread(setup, options, () => {
        if (threads[slot] === thread) threads[slot] = undefined;
      });
      const node = new WorkerNode(
        spec,
        onLine,
        onActed,
        (operation) => thread.operate(id, operation),
      );
      thread.start(id, node, options.metrics?.(spec));
      return node;
    },
  };
}
