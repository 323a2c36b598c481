/**
 * `gossipnet sim`: the real seeds and peers over a simulated network in
 * virtual time. A progress bar goes to stderr (redrawn on a terminal, a
 * line every 10 s otherwise), the summary to stdout, the figures to
 * `--out`. The summary and the file hold virtual figures only, so one
 * `--seed` gives byte-identical output; wall time and events per second
 * are on stderr. The simulation itself runs on a worker thread
 * (`sim_worker.ts`) whose heap limits this sets.
 *
 * @module
 */

import { Worker } from "node:worker_threads";
import type { SimOptions } from "../sim/simulation.ts";
import type { RunProgress } from "../sim/virtual_clock.ts";
import { consoleColumns } from "../util/console_columns.ts";
import { errorText, RuntimeError } from "../util/errors.ts";
import type { SimInvocation } from "./sim_args.ts";
import type { SimWorkerData, SimWorkerMessage } from "./sim_worker.ts";

const encoder = new TextEncoder();

function writeErr(text: string): void {
  try {
    Deno.stderr.writeSync(encoder.encode(text));
  } catch {
    // A closed stderr must not stop the run.
  }
}

/** The widest progress bar, in characters. */
const BAR_WIDTH = 20;

/**
 * A stderr progress line: redrawn in place on a terminal, otherwise every
 * 10 s. It fits `columns - 1` (a full line would wrap, and each redraw
 * would then leave a line behind): the bar narrows first, then the end is
 * cut.
 *
 * @example Usage
 * ```ts
 * import { progressLine } from "./sim.ts";
 * progressLine({ virtualMs: 67_500, events: 500_000 }, 135_000, 5_000, 100);
 * // "sim [##########----------]  50%  virtual 67.5s/135.0s  wall 5.0s  100000 events/s"
 * ```
 */
export function progressLine(
  progress: RunProgress,
  untilMs: number,
  wallMs: number,
  columns = Infinity,
): string {
  const share = Math.min(1, progress.virtualMs / untilMs);
  const rate = wallMs > 0 ? Math.round(progress.events / (wallMs / 1000)) : 0;
  const figures = `${(share * 100).toFixed(0).padStart(3)}%  virtual ${
    (progress.virtualMs / 1000).toFixed(1)
  }s/${(untilMs / 1000).toFixed(1)}s  wall ${(wallMs / 1000).toFixed(1)}s  ${rate} events/s`;
  const room = columns - 1;
  // "sim [" + bar + "] " + figures
  const width = Math.max(0, Math.min(BAR_WIDTH, room - 7 - figures.length));
  const filled = Math.round(share * width);
  const line = `sim [${"#".repeat(filled)}${"-".repeat(width - filled)}] ${figures}`;
  return line.length > room ? line.slice(0, Math.max(0, room)) : line;
}

// The young generation of the simulation's heap, in MiB: most of what an
// event allocates dies young, and V8's default (a quarter of this) makes it
// collect so often that a 10,000-peer run took 11-15% longer. It costs
// 30-60 MiB of RSS on a small run.
const YOUNG_GENERATION_MIB = 192;
const WORKER_URL = new URL("./sim_worker.ts", import.meta.url);

/** Runs the simulation; resolves to the exit code. */
export async function runSim(inv: SimInvocation): Promise<number> {
  // An unwritable --out should fail before the run, not after it.
  if (inv.out !== undefined) writeOut(inv.out, "");
  const started = performance.now();
  const options: SimOptions = {
    seeds: inv.seeds,
    peers: inv.peers,
    origins: inv.origins,
    messages: inv.messages,
    latencyMs: inv.latencyMs,
    jitterMs: inv.jitterMs,
    bandwidthBps: inv.bandwidthBps,
    joinSpacingMs: inv.joinSpacingMs,
    churnPerSecond: inv.churnPerSecond,
    seed: inv.seed,
    tuning: inv.tuning,
    floodIntervalMs: inv.tuning.gossipIntervalMs ?? 1000,
    ...(inv.kill ? { kill: inv.kill } : {}),
    ...(inv.partition ? { partition: inv.partition } : {}),
    ...(inv.untilMs !== undefined ? { untilMs: inv.untilMs } : {}),
  };
  const tty = Deno.stderr.isTerminal();
  let until = 0;
  let lastDraw = 0;
  let last: RunProgress = { virtualMs: 0, events: 0 };
  const data: SimWorkerData = { options, withResult: inv.out !== undefined };
  const worker = new Worker(WORKER_URL, {
    workerData: data,
    resourceLimits: {
      maxYoungGenerationSizeMb: YOUNG_GENERATION_MIB,
      ...(inv.maxHeapMiB !== undefined ? { maxOldGenerationSizeMb: inv.maxHeapMiB } : {}),
    },
  });
  const done = await new Promise<Extract<SimWorkerMessage, { kind: "done" }>>(
    (resolve, reject) => {
      let finished = false;
      worker.on("message", (message: SimWorkerMessage) => {
        if (message.kind === "started") until = message.untilMs;
        else if (message.kind === "progress") {
          last = message;
          const now = performance.now();
          if (now - lastDraw < (tty ? 100 : 10_000)) return;
          lastDraw = now;
          const line = progressLine(
            message,
            until,
            now - started,
            tty ? consoleColumns() : Infinity,
          );
          writeErr(tty ? `\r${line}\x1b[K` : `${line}\n`);
        } else if (message.kind === "failed") {
          finished = true;
          reject(new RuntimeError(`The simulation failed: ${message.error}`));
        } else {
          finished = true;
          resolve(message);
        }
      });
      worker.on("error", (error: unknown) => reject(simFailure(error, last, inv.maxHeapMiB)));
      // A thread that ran out of heap may end with no error event (Deno
      // 2.9.6): ending without "done" is how that shows.
      worker.on("exit", () => {
        if (!finished) reject(simFailure(new Error("out of memory"), last, inv.maxHeapMiB));
      });
    },
  ).finally(async () => {
    if (tty) writeErr("\r\x1b[K");
    // A failed run's thread may still be up: it must not keep the process alive.
    await worker.terminate();
  });
  const wallMs = performance.now() - started;
  const rss = Deno.memoryUsage().rss;
  writeErr(
    `sim: ${done.events} events in ${(wallMs / 1000).toFixed(1)} s wall (${
      Math.round(done.events / (wallMs / 1000))
    } events/s), RSS ${Math.round(rss / 2 ** 20)} MiB\n`,
  );
  Deno.stdout.writeSync(encoder.encode(done.summary));
  if (inv.out !== undefined && done.result !== undefined) writeOut(inv.out, done.result);
  return 0;
}

// What to say when the simulation thread failed: out of heap gets advice.
function simFailure(error: unknown, last: RunProgress, maxHeapMiB: number | undefined): Error {
  const text = errorText(error);
  if (!/memory limit|out of memory/i.test(text)) {
    return new RuntimeError(`The simulation failed: ${text}`, { cause: error });
  }
  const limit = maxHeapMiB === undefined ? "V8's default limit" : `--max-heap ${maxHeapMiB}`;
  return new RuntimeError(
    `The simulation ran out of heap (${limit}) at virtual ${
      (last.virtualMs / 1000).toFixed(1)
    } s, after ${last.events} events: raise --max-heap <MiB> or simulate fewer peers (28 KiB or more each)`,
    { cause: error },
  );
}

function writeOut(path: string, text: string): void {
  try {
    Deno.writeTextFileSync(path, text);
  } catch (error) {
    throw new RuntimeError(`Cannot write ${path}: ${errorText(error)}`, { cause: error });
  }
}
