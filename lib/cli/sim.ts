/**
 * `gossipnet sim`: the real seeds and peers over a simulated network in
 * virtual time. A progress bar goes to stderr (redrawn on a terminal, a
 * line every 10 s otherwise), the summary to stdout, the figures to
 * `--out`. The summary and the file hold virtual figures only, so one
 * `--seed` gives byte-identical output; wall time and events per second
 * are on stderr.
 *
 * @module
 */

import { formatSimResult, simResult } from "../sim/sim_result.ts";
import { formatSimSummary, summarize } from "../sim/sim_summary.ts";
import { Simulation } from "../sim/simulation.ts";
import type { RunProgress } from "../sim/virtual_clock.ts";
import { consoleColumns } from "../util/console_columns.ts";
import { errorText, RuntimeError } from "../util/errors.ts";
import type { SimInvocation } from "./sim_args.ts";

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

/** Runs the simulation; resolves to the exit code. */
export async function runSim(inv: SimInvocation): Promise<number> {
  // An unwritable --out should fail before the run, not after it.
  if (inv.out !== undefined) writeOut(inv.out, "");
  const started = performance.now();
  const sim = new Simulation({
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
  });
  const tty = Deno.stderr.isTerminal();
  const until = sim.timeline.untilMs;
  let lastDraw = 0;
  await sim.run({
    progressEvery: 8192,
    onProgress: (progress) => {
      const now = performance.now();
      if (now - lastDraw < (tty ? 100 : 10_000)) return;
      lastDraw = now;
      const line = progressLine(progress, until, now - started, tty ? consoleColumns() : Infinity);
      writeErr(tty ? `\r${line}\x1b[K` : `${line}\n`);
    },
  });
  const wallMs = performance.now() - started;
  const summary = summarize(sim);
  const rss = Deno.memoryUsage().rss;
  writeErr(
    `${tty ? "\r\x1b[K" : ""}sim: ${sim.clock.events} events in ${
      (wallMs / 1000).toFixed(1)
    } s wall (${Math.round(sim.clock.events / (wallMs / 1000))} events/s), RSS ${
      Math.round(rss / 2 ** 20)
    } MiB\n`,
  );
  Deno.stdout.writeSync(encoder.encode(formatSimSummary(summary)));
  if (inv.out !== undefined) writeOut(inv.out, formatSimResult(simResult(sim, summary)));
  return 0;
}

function writeOut(path: string, text: string): void {
  try {
    Deno.writeTextFileSync(path, text);
  } catch (error) {
    throw new RuntimeError(`Cannot write ${path}: ${errorText(error)}`, { cause: error });
  }
}
