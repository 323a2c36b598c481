/**
 * `gossipnet report-dead`: an operator's Dead Node report.
 *
 * @module
 */

import { RuntimeError } from "../util/errors.ts";
import type { ReportDeadInvocation } from "./args.ts";

/** Sends the report and prints the decision; resolves to the exit code. */
export function runReportDead(_invocation: ReportDeadInvocation): Promise<number> {
  return Promise.reject(new RuntimeError("gossipnet report-dead is not yet available"));
}
