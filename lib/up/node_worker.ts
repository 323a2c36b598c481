/**
 * A worker thread that runs some of `up --in-process`'s nodes with the
 * in-process runner, and reports on them to `up`'s thread
 * (`worker_runner.ts`). Nodes of different workers meet over real TCP, as
 * nodes of one thread do; only what `up` itself shows crosses threads.
 *
 * Events go out in batches: a flood at 1,000 peers logs thousands of first
 * receipts a second, and one `postMessage` each would cost more than the
 * receipts. A batch leaves within {@linkcode EVENT_BATCH_MS}, and always
 * before any other message, so `up` sees a node's events in order with its
 * lines, its `listening` and its exit.
 *
 * @module
 */

import { systemClock } from "../util/clock.ts";
import { errorText } from "../util/errors.ts";
import { inProcessRunner } from "./in_process_runner.ts";
import type { NodeInstance, NodeRunner } from "./node_runner.ts";
import type { FromWorker, ToWorker, WorkerEvent } from "./worker_messages.ts";

/** The longest an event waits in the worker before it is sent on. */
const EVENT_BATCH_MS = 25;
/** A batch this long goes at once. */
const EVENT_BATCH_MAX = 1024;

/** The parts of a worker's global scope used here. */
interface WorkerScope {
  postMessage(message: FromWorker): void;
  onmessage: ((event: MessageEvent<ToWorker>) => void) | null;
  addEventListener(
    type: "unhandledrejection",
    listener: (event: PromiseRejectionEvent) => void,
  ): void;
  addEventListener(type: "error", listener: (event: ErrorEvent) => void): void;
}

const scope = globalThis as unknown as WorkerScope;
const nodes = new Map<number, NodeInstance>();
/** A node's current id by its address (a restarted node gets a new one). */
const idOf = new Map<string, number>();
const metricsOf = new Map<string, string>();
let runner: NodeRunner | undefined;
let batch: WorkerEvent[] = [];
let flushTimer: ReturnType<typeof setTimeout> | undefined;

function flush(): void {
  clearTimeout(flushTimer);
  flushTimer = undefined;
  if (batch.length === 0) return;
  const events = batch;
  batch = [];
  scope.postMessage({ type: "events", events });
}

function send(message: FromWorker): void {
  flush();
  scope.postMessage(message);
}

function start(id: number, instance: NodeInstance): void {
  nodes.set(id, instance);
  instance.listening?.then(
    () => send({ type: "listening", id }),
    (error) => send({ type: "failed", id, stage: "listening", error: errorText(error) }),
  );
  instance.settled?.then(
    () => send({ type: "settled", id }),
    (error) => send({ type: "failed", id, stage: "settled", error: errorText(error) }),
  );
  instance.exited.then((exit) => {
    nodes.delete(id);
    send({ type: "exited", id, exit });
  });
}

// A node's stray failure must not take the worker's other nodes with it: a
// process would have lost only that node.
scope.addEventListener("unhandledrejection", (event) => {
  event.preventDefault();
  send({ type: "problem", text: errorText(event.reason) });
});
scope.addEventListener("error", (event) => {
  event.preventDefault();
  send({ type: "problem", text: errorText(event.error ?? event.message) });
});

scope.onmessage = ({ data }) => {
  switch (data.type) {
    case "setup": {
      runner = inProcessRunner({
        ...data.setup,
        onEvent: (spec, event, ts) => {
          const id = idOf.get(spec.address);
          if (id === undefined) return;
          batch.push({ id, ts, event });
          if (batch.length >= EVENT_BATCH_MAX) flush();
          else flushTimer ??= setTimeout(flush, EVENT_BATCH_MS);
        },
        metrics: (spec) => metricsOf.get(spec.address),
      });
      return;
    }
    case "start": {
      if (!runner) throw new Error("node worker: start before setup");
      idOf.set(data.spec.address, data.id);
      if (data.metrics === undefined) metricsOf.delete(data.spec.address);
      else metricsOf.set(data.spec.address, data.metrics);
      const id = data.id;
      try {
        start(id, runner.start(data.spec, (line) => send({ type: "line", id, line })));
      } catch (error) {
        send({ type: "failed", id, stage: "listening", error: errorText(error) });
        send({ type: "exited", id, exit: { success: false, code: 1, signal: null } });
      }
      return;
    }
    case "operate": {
      const node = nodes.get(data.id);
      if (!node || !node[data.operation]()) return;
      const operation = data.operation;
      if (operation === "kill" || operation === "pause" || operation === "resume") {
        send({ type: "acted", id: data.id, operation, ts: systemClock.now() });
      }
      return;
    }
  }
};
