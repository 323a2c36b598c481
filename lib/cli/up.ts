/**
 * `gossipnet up`: a whole local network from one command.
 *
 * @module
 */

import { RuntimeError } from "../util/errors.ts";
import type { UpInvocation } from "./args.ts";

/** Runs a local network; resolves to the exit code. */
export function runUp(_invocation: UpInvocation): Promise<number> {
  return Promise.reject(new RuntimeError("gossipnet up is not yet available"));
}
