/**
 * Nodes as child processes of `up`, one per node: kill is SIGKILL, pause
 * SIGSTOP, resume SIGCONT, and the stop request is the end of stdin.
 *
 * Every child gets a stdin pipe that stays open until shutdown: nodes run
 * with `--exit-on-stdin-close`, so if `up` dies, even by SIGKILL, the pipe
 * closes and they stop by themselves.
 *
 * @module
 */

import { errorText, RuntimeError } from "../util/errors.ts";
import { LineSplitter } from "../util/line_splitter.ts";
import type { NodeInstance, NodeRunner } from "./node_runner.ts";
import type { NodeSpec } from "./plan.ts";
import type { SelfCommand } from "./self_command.ts";

/** Options for {@linkcode processRunner}. */
export interface ProcessRunnerOptions {
  command: SelfCommand;
  /** The gossipnet arguments for a node. */
  args(node: NodeSpec): string[];
}

async function pump(
  stream: ReadableStream<Uint8Array>,
  onLine: (line: string) => void,
): Promise<void> {
  const lines = new LineSplitter();
  try {
    for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
      for (const line of lines.push(chunk)) onLine(line);
    }
  } catch {
    // The pipe broke: the process is gone; its status says how.
  }
  for (const line of lines.flush()) onLine(line);
}

/** Runs each node as a child process of this program. */
export function processRunner(options: ProcessRunnerOptions): NodeRunner {
  return {
    kind: "process",
    start(spec, onLine): NodeInstance {
      const args = [...options.command.prefix, ...options.args(spec)];
      let child: Deno.ChildProcess;
      try {
        child = new Deno.Command(options.command.program, {
          args,
          stdin: "piped",
          stdout: "piped",
          stderr: "piped",
        }).spawn();
      } catch (error) {
        throw new RuntimeError(`Cannot start ${spec.name}: ${errorText(error)}`, { cause: error });
      }
      const stdin = child.stdin.getWriter();
      const closeStdin = () => stdin.close().catch(() => {});
      const pumps = [pump(child.stdout, onLine), pump(child.stderr, onLine)];
      const exited = Promise.all([child.status, ...pumps]).then(([status]) => {
        closeStdin();
        return status;
      });
      const signal = (name: Deno.Signal) => {
        try {
          child.kill(name);
          return true;
        } catch {
          return false;
        }
      };
      return {
        pid: child.pid,
        exited,
        listening: undefined,
        settled: undefined,
        kill: () => signal("SIGKILL"),
        pause: () => signal("SIGSTOP"),
        resume: () => signal("SIGCONT"),
        requestStop: () => {
          // A paused child must run to notice the end of its stdin.
          signal("SIGCONT");
          closeStdin();
        },
        terminate: () => signal("SIGTERM"),
        // Without SIGHUP (Windows) the node's own shell command does the same.
        reloadKeys: () => {
          if (signal("SIGHUP")) return true;
          stdin.write(new TextEncoder().encode("keys reload\n")).catch(() => {});
          return true;
        },
      };
    },
  };
}
