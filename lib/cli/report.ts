/**
 * `gossipnet report <log-dir> | <result.json>`: reads a run's logs, or a
 * `gossipnet sim --out` result file, and writes one self-contained HTML
 * report about it.
 *
 * @module
 */

import { readRunLogs, type RunLogs } from "../up/run_logs.ts";
import { reportFromRunLogs } from "../report/from_logs.ts";
import { isSimResult, reportFromSimResult } from "../report/from_sim.ts";
import type { ReportData } from "../report/model.ts";
import { renderReport } from "../report/html.ts";
import { errorText, RuntimeError, UsageError } from "../util/errors.ts";
import type { ReportInvocation } from "./args.ts";

async function fromLogDir(logDir: string, read?: RunLogs): Promise<ReportData> {
  const logs = read ?? await readRunLogs(logDir);
  if (logs.nodes.length === 0) {
    throw new RuntimeError(`Cannot write a report: no node logs in ${logDir}`);
  }
  return reportFromRunLogs(logs, { title: logDir });
}

async function fromResultFile(path: string): Promise<ReportData> {
  const notOurs = (why: string) =>
    new UsageError(
      `Cannot write a report: ${path} is neither a log directory nor a gossipnet sim result ` +
        `file (${why})`,
    );
  let parsed: unknown;
  try {
    parsed = JSON.parse(await Deno.readTextFile(path));
  } catch (error) {
    throw notOurs(error instanceof SyntaxError ? "not JSON" : errorText(error));
  }
  if (!isSimResult(parsed)) throw notOurs('no "format": "gossipnet-sim-result"');
  try {
    return reportFromSimResult(parsed);
  } catch (error) {
    throw notOurs(errorText(error));
  }
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await Deno.stat(path)).isFile;
  } catch {
    // A missing path falls to the log reader, which names it.
    return false;
  }
}

/** Where the report goes without `-o`: into the log directory, or beside a result file. */
export function defaultReportPath(input: string, file: boolean): string {
  if (file) return /\.json$/i.test(input) ? input.replace(/\.json$/i, ".html") : `${input}.html`;
  return `${input.replace(/[\\/]+$/, "") || "."}/report.html`;
}

/**
 * Writes the report of the run in `input` (log directory or sim result
 * file) to `output`, or to {@linkcode defaultReportPath}; returns the path.
 * `logs` are the directory's logs if the caller has read them already.
 */
export async function writeReport(
  input: string,
  output?: string,
  logs?: RunLogs,
): Promise<string> {
  const file = await isFile(input);
  const data = file ? await fromResultFile(input) : await fromLogDir(input, logs);
  output ??= defaultReportPath(input, file);
  const html = renderReport(data);
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
