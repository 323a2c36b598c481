/**
 * `gossipnet report <log-dir>`: reads a run's logs and writes one
 * self-contained HTML report about it.
 *
 * @module
 */

import { readRunLogs } from "../up/run_logs.ts";
import { reportFromRunLogs } from "../report/from_logs.ts";
import { renderReport } from "../report/html.ts";
import { errorText, RuntimeError } from "../util/errors.ts";
import type { ReportInvocation } from "./args.ts";

/** Writes the report of the run in `logDir` to `output`; returns the output path. */
export async function writeReport(logDir: string, output: string): Promise<string> {
  const logs = await readRunLogs(logDir);
  if (logs.nodes.length === 0) {
    throw new RuntimeError(`Cannot write a report: no node logs in ${logDir}`);
  }
  const html = renderReport(reportFromRunLogs(logs, { title: logDir }));
  try {
    await Deno.writeTextFile(output, html);
  } catch (error) {
    throw new RuntimeError(`Cannot write ${output}: ${errorText(error)}`, { cause: error });
  }
  return output;
}

/** Runs `gossipnet report`; resolves to the exit code. */
export async function runReport(invocation: ReportInvocation): Promise<number> {
  const path = await writeReport(invocation.logDir, invocation.output);
  const bytes = new TextEncoder().encode(`Report written to ${path}\n`);
  await Deno.stdout.write(bytes);
  return 0;
}
