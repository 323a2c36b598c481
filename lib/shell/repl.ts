/**
 * The interactive shell's I/O: reads commands from stdin line by line and
 * prints their output. The only reader of stdin.
 *
 * End of input does not stop the node (so a node started with stdin closed
 * keeps running), unless `exitOnEnd` is set: `up` uses that so its children
 * die with it even when it is killed.
 *
 * @module
 */

import { LineSplitter } from "../util/line_splitter.ts";
import { dispatchLine, type ShellCommand } from "./commands.ts";

/** Options for {@linkcode runRepl}. */
export interface ReplOptions {
  /** The commands besides `help` (and `exit`, handled here). */
  commands: Readonly<Record<string, ShellCommand>>;
  /** Called on `exit` (reason "exit") and, with `exitOnEnd`, at end of input. */
  onExit(reason: string): void;
  /** Treat end of input as `exit`. @default {false} */
  exitOnEnd?: boolean;
  /** Where output goes. @default {Deno.stdout} */
  output?: { writeSync(p: Uint8Array): number };
  /** Where input comes from. @default {Deno.stdin.readable} */
  input?: ReadableStream<Uint8Array>;
}

/** Reads and runs commands until `exit` or end of input. */
export async function runRepl(options: ReplOptions): Promise<void> {
  const output = options.output ?? Deno.stdout;
  const encoder = new TextEncoder();
  const print = (text: string) => {
    if (text === "") return;
    try {
      output.writeSync(encoder.encode(text));
    } catch {
      // Nobody is reading the output any more; the node carries on.
    }
  };
  const commands: Record<string, ShellCommand> = {
    ...options.commands,
    exit: { help: "stop this node cleanly", run: () => "" },
  };
  const input = options.input ?? Deno.stdin.readable;
  const lines = new LineSplitter();
  try {
    for await (const chunk of input.pipeThrough(new TextDecoderStream())) {
      for (const line of lines.push(chunk)) {
        if (line.trim().toLowerCase() === "exit") {
          options.onExit("exit command");
          return;
        }
        try {
          print(await dispatchLine(commands, line));
        } catch (error) {
          print(`Command failed: ${error instanceof Error ? error.message : String(error)}\n`);
        }
      }
    }
  } catch {
    // stdin unreadable (closed terminal): same as end of input.
  }
  if (options.exitOnEnd) options.onExit("stdin closed");
}
