/**
 * Dispatches an invocation to its command. Returns the exit code; never
 * exits the process itself (that is `main.ts`'s job).
 *
 * @module
 */

import { UsageError } from "../util/errors.ts";
import { type Invocation, parseInvocation } from "./args.ts";
import { commandHelp, programHelp, VERSION } from "./help.ts";

/** Runs the command line `args`; resolves to the exit code. */
export async function run(args: readonly string[]): Promise<number> {
  const invocation: Invocation = parseInvocation(args);
  switch (invocation.command) {
    case "help": {
      if (invocation.topic === undefined) {
        await writeStdout(programHelp());
        return 0;
      }
      const text = commandHelp(invocation.topic);
      if (!text) throw new UsageError(`No help for unknown command "${invocation.topic}"`);
      await writeStdout(text);
      return 0;
    }
    case "version":
      await writeStdout(`gossipnet ${VERSION}\n`);
      return 0;
    case "seed": {
      const { runSeed } = await import("./run_seed.ts");
      return await runSeed(invocation);
    }
    case "peer": {
      const { runPeer } = await import("./run_peer.ts");
      return await runPeer(invocation);
    }
    case "up": {
      const { runUp } = await import("./up.ts");
      return await runUp(invocation);
    }
    case "sim": {
      const { runSim } = await import("./sim.ts");
      return await runSim(invocation);
    }
    case "report-dead": {
      const { runReportDead } = await import("./report_dead.ts");
      return await runReportDead(invocation);
    }
    case "send": {
      const { runSend } = await import("./send.ts");
      return await runSend(invocation);
    }
    case "members":
    case "status": {
      const { runInspect } = await import("./inspect.ts");
      return await runInspect(invocation);
    }
    case "keygen": {
      const { runKeygen } = await import("./keygen.ts");
      return await runKeygen();
    }
    case "report": {
      const { runReport } = await import("./report.ts");
      return await runReport(invocation);
    }
  }
}

async function writeStdout(text: string): Promise<void> {
  const bytes = new TextEncoder().encode(text);
  let written = 0;
  while (written < bytes.length) written += await Deno.stdout.write(bytes.subarray(written));
}
