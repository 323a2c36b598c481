/**
 * The summary `up` prints at the end, read back from the run's logs, so it
 * counts every record the nodes wrote, their last lines included.
 *
 * @module
 */

import { readRunLogs, type RunLogs } from "./run_logs.ts";
import { summarizeRun } from "./summary.ts";
import { formatSummary } from "./summary_text.ts";
import { trafficTotals } from "./traffic.ts";

/** Options for {@linkcode runSummaryText}. */
export interface RunSummaryOptions {
  /** When `up` started (Unix ms). */
  startTs: number;
  /** When it began to stop (Unix ms). */
  stopTs: number;
  /** Terminal width to wrap to. */
  width: number;
  /** Styles the heading (bold on a terminal). */
  heading(text: string): string;
  /** The logs, if already read (to share one reading with the report). @default {read from logDir} */
  logs?: RunLogs;
}

/**
 * The summary of the run in `logDir`, as text.
 * @throws {RuntimeError} When the logs cannot be read.
 */
export async function runSummaryText(logDir: string, options: RunSummaryOptions): Promise<string> {
  const { nodes } = options.logs ?? await readRunLogs(logDir);
  const summary = summarizeRun(nodes, { stopTs: options.stopTs });
  return formatSummary(summary, {
    elapsedMs: options.stopTs - options.startTs,
    logDir,
    traffic: trafficTotals(nodes),
    seedCount: summary.seeds,
    width: options.width,
    heading: options.heading,
  });
}
