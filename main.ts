/**
 * `gossipnet`: the program's edge. Reads `Deno.args`, runs the command, and
 * turns its outcome into an exit code. The only place that calls `Deno.exit`.
 *
 * Exit codes: 0 success, 1 runtime failure, 2 bad usage or configuration.
 *
 * @module
 */

// deno-lint-ignore-file no-console -- the edge reports errors to the user.
import { run } from "./lib/cli/run.ts";
import { ConfigError, RuntimeError, UsageError } from "./lib/util/errors.ts";

async function main(): Promise<number> {
  try {
    return await run(Deno.args);
  } catch (error) {
    if (error instanceof UsageError || error instanceof ConfigError) {
      console.error(`gossipnet: ${error.message}`);
      return 2;
    }
    if (error instanceof RuntimeError) {
      console.error(`gossipnet: ${error.message}`);
      return 1;
    }
    if (error instanceof Deno.errors.AddrInUse) {
      console.error(`gossipnet: Cannot listen: address already in use`);
      return 1;
    }
    console.error("gossipnet: internal error (a bug; please report it with this trace):");
    console.error(error);
    return 1;
  }
}

if (import.meta.main) {
  Deno.exit(await main());
}
