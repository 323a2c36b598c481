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
import { LineEditor } from "./line_editor.ts";

/** Options for {@linkcode runRepl}. */
export interface ReplOptions {
  /** The commands besides `help` (and `exit`, handled here). */
  commands: Readonly<Record<string, ShellCommand>>;
  /** Called on `exit` (reason "exit") and, with `exitOnEnd`, at end of input. */
  onExit(reason: string): void;
  /** Treat end of input as `exit`. @default {false} */
  exitOnEnd?: boolean;
  /** What `help` says `exit` does. @default {"stop this node cleanly"} */
  exitHelp?: string;
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
    exit: { help: options.exitHelp ?? "stop this node cleanly", run: () => "" },
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

/** Options for {@linkcode ttyLineInput}. */
export interface TtyLineInputOptions {
  /** Called whenever the line being typed changes (to echo it). */
  onEdit(buffer: string): void;
  /** Called with each completed line, before the shell runs it (to echo it). */
  onLine?(line: string): void;
}

/** Keyboard input read key by key, as lines for {@linkcode runRepl}. */
export interface TtyLineInput {
  /** The completed lines, each ending in `\n`; ends at Ctrl+D. */
  readonly input: ReadableStream<Uint8Array>;
  /** Puts the terminal back in its normal mode. Idempotent. */
  restore(): void;
}

/**
 * Reads the terminal on stdin key by key (cbreak mode: no echo, no line
 * buffering, but Ctrl+C still raises SIGINT), so the caller echoes the line
 * being typed where it wants it. Returns `undefined` when stdin is not a
 * terminal or its mode cannot be changed.
 */
export function ttyLineInput(options: TtyLineInputOptions): TtyLineInput | undefined {
  if (!Deno.stdin.isTerminal()) return undefined;
  try {
    Deno.stdin.setRaw(true, { cbreak: true });
  } catch {
    return undefined;
  }
  let raw = true;
  const restore = () => {
    if (!raw) return;
    raw = false;
    try {
      Deno.stdin.setRaw(false);
    } catch {
      // The terminal is gone.
    }
  };
  const editor = new LineEditor();
  const encoder = new TextEncoder();
  const keys = Deno.stdin.readable.pipeThrough(new TextDecoderStream());
  const input = keys.pipeThrough(
    new TransformStream<string, Uint8Array>({
      transform(chunk, controller) {
        const { lines, end } = editor.feed(chunk);
        for (const line of lines) {
          options.onLine?.(line);
          controller.enqueue(encoder.encode(line + "\n"));
        }
        options.onEdit(editor.buffer);
        if (end) controller.terminate();
      },
    }),
  );
  return { input, restore };
}
