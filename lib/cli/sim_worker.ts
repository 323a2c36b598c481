/**
 * The thread `gossipnet sim` runs its simulation on: a `node:worker_threads`
 * worker, so that the command can bound the simulation's heap itself
 * (`--max-heap`; a compiled binary takes no V8 flags) and give it a larger
 * young generation, and so that running out of that heap ends the worker
 * with an error the command can explain, rather than the whole process.
 *
 * It reads the {@linkcode SimOptions} from `workerData`, posts
 * {@linkcode SimWorkerMessage}s, and exits when done.
 *
 * @module
 */

import { parentPort, workerData } from "node:worker_threads";
import { formatSimResult, simResult } from "../sim/sim_result.ts";
import { formatSimSummary, summarize } from "../sim/sim_summary.ts";
import { type SimOptions, Simulation } from "../sim/simulation.ts";
import { errorText } from "../util/errors.ts";

/** What the simulation thread posts. */
export type SimWorkerMessage =
  | { kind: "started"; untilMs: number }
  | { kind: "progress"; virtualMs: number; events: number }
  | { kind: "done"; events: number; summary: string; result: string | undefined }
  | { kind: "failed"; error: string };

/** What the simulation thread is given (`workerData`). */
export interface SimWorkerData {
  options: SimOptions;
  /** Also render the `--out` file's text. */
  withResult: boolean;
}

// Not awaited at the top level: when the heap limit ends a worker inside
// a top-level await, Deno 2.9.6 neither ends the thread nor reports it, and
// the command would wait for ever; from a plain promise chain the thread
// exits, and the command tells that from a finished run by the missing
// "done".
if (parentPort) {
  const port = parentPort;
  simulate(port).catch((error) => port.postMessage({ kind: "failed", error: errorText(error) }));
}

async function simulate(port: NonNullable<typeof parentPort>): Promise<void> {
  const post = (message: SimWorkerMessage) => port.postMessage(message);
  const { options, withResult } = workerData as SimWorkerData;
  const sim = new Simulation(options);
  post({ kind: "started", untilMs: sim.timeline.untilMs });
  await sim.run({
    progressEvery: 8192,
    onProgress: (progress) => post({ kind: "progress", ...progress }),
  });
  const summary = summarize(sim);
  post({
    kind: "done",
    events: sim.clock.events,
    summary: formatSimSummary(summary),
    result: withResult ? formatSimResult(simResult(sim, summary)) : undefined,
  });
}
