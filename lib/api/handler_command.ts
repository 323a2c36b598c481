/**
 * `--on-message "<command>"`: runs a shell command for each received
 * application message, as Serf's event handlers do. The payload arrives on
 * the command's stdin; `GOSSIPNET_ID`, `GOSSIPNET_ORIGIN`, `GOSSIPNET_HOPS`,
 * `GOSSIPNET_FROM` and `GOSSIPNET_BYTES` are in its environment. Its output
 * goes to the node's own stdout and stderr. The queue that feeds it is
 * `lib/peer/handler_queue.ts`; this is the edge that spawns processes.
 *
 * @module
 */

import type { HandlerOutcome, HandlerRunner } from "../peer/handler_queue.ts";
import { errorText, UsageError } from "../util/errors.ts";

/** A handler still running after this long is killed, so one hung command cannot stall the rest. */
export const HANDLER_TIMEOUT_MS = 60_000;

// Words a POSIX shell runs itself: nothing to find on PATH.
const SHELL_WORDS = new Set([
  "!",
  ".",
  ":",
  "[",
  "{",
  "(",
  "alias",
  "case",
  "cd",
  "command",
  "echo",
  "eval",
  "exec",
  "exit",
  "export",
  "false",
  "for",
  "if",
  "printf",
  "read",
  "set",
  "test",
  "true",
  "ulimit",
  "umask",
  "until",
  "wait",
  "while",
]);

/**
 * The program a shell command line runs first: its first word after any
 * `NAME=value` assignments, unquoted. `undefined` for an empty line.
 *
 * @example Usage
 * ```ts
 * import { firstProgram } from "./handler_command.ts";
 * firstProgram("LANG=C 'my tool' --flag"); // "my tool"
 * firstProgram("cat > out.txt"); // "cat"
 * ```
 */
export function firstProgram(command: string): string | undefined {
  const words = command.trim().match(/(?:[^\s'"]+|'[^']*'|"(?:\\.|[^"\\])*")+/g) ?? [];
  for (const word of words) {
    if (/^[A-Za-z_][A-Za-z0-9_]*=/.test(word)) continue;
    return word.replace(
      /'([^']*)'|"((?:\\.|[^"\\])*)"/g,
      (_, single, double) => single ?? String(double).replace(/\\(.)/g, "$1"),
    );
  }
  return undefined;
}

function isWindows(): boolean {
  return Deno.build.os === "windows";
}

function isRunnableFile(path: string): boolean {
  try {
    const info = Deno.statSync(path);
    if (!info.isFile) return false;
    // Windows has no execute bit; elsewhere one of them must be set.
    return isWindows() || info.mode === null || (info.mode & 0o111) !== 0;
  } catch {
    return false;
  }
}

function onPath(program: string): boolean {
  const separator = isWindows() ? ";" : ":";
  const dirs = (Deno.env.get("PATH") ?? "").split(separator).filter((d) => d !== "");
  const extensions = isWindows()
    ? ["", ...(Deno.env.get("PATHEXT") ?? ".COM;.EXE;.BAT;.CMD").split(";")]
    : [""];
  return dirs.some((dir) => extensions.some((ext) => isRunnableFile(`${dir}/${program}${ext}`)));
}

/**
 * Checks at start-up that `--on-message`'s command can run: its first
 * program is a shell word, an executable file, or on `PATH`.
 *
 * @throws {UsageError} When it is empty or its program cannot be found.
 */
export function checkHandlerCommand(command: string): void {
  const program = firstProgram(command);
  if (program === undefined) throw new UsageError("Invalid --on-message: the command is empty");
  if (SHELL_WORDS.has(program)) return;
  const isPath = program.includes("/") || (isWindows() && program.includes("\\"));
  if (isPath ? isRunnableFile(program) : onPath(program)) return;
  throw new UsageError(
    `Invalid --on-message: ${isPath ? "no executable file" : "no command"} "${program}"` +
      (isPath ? "" : " on PATH"),
  );
}

/** Environment variables a handler gets for one message. */
export function handlerEnv(
  message: Parameters<HandlerRunner>[0],
): Record<string, string> {
  return {
    GOSSIPNET_ID: message.id,
    GOSSIPNET_ORIGIN: message.origin,
    GOSSIPNET_HOPS: String(message.hops),
    GOSSIPNET_FROM: message.from,
    GOSSIPNET_BYTES: String(message.data.length),
  };
}

/** A runner that spawns `command` through the system shell for each message. */
export function shellHandler(
  command: string,
  options: { timeoutMs?: number } = {},
): HandlerRunner {
  const timeoutMs = options.timeoutMs ?? HANDLER_TIMEOUT_MS;
  const [shell, ...shellArgs] = isWindows() ? ["cmd", "/d", "/s", "/c"] : ["/bin/sh", "-c"];
  return async (message, signal): Promise<HandlerOutcome> => {
    let child: Deno.ChildProcess;
    try {
      child = new Deno.Command(shell as string, {
        args: [...shellArgs, command],
        env: handlerEnv(message),
        stdin: "piped",
        stdout: "inherit",
        stderr: "inherit",
      }).spawn();
    } catch (error) {
      return { ok: false, detail: `cannot run: ${errorText(error)}` };
    }
    let why = "";
    const kill = (reason: string) => {
      why ||= reason;
      try {
        child.kill("SIGKILL");
      } catch {
        // Already exited.
      }
    };
    const timer = setTimeout(() => kill(`killed after ${timeoutMs} ms`), timeoutMs);
    const onAbort = () => kill("stopped with the node");
    signal.addEventListener("abort", onAbort);
    try {
      const writer = child.stdin.getWriter();
      // A handler that does not read its stdin closes the pipe: not a failure.
      await writer.write(message.data).catch(() => {});
      await writer.close().catch(() => {});
      const status = await child.status;
      if (why) return { ok: false, detail: why };
      if (status.success) return { ok: true };
      return {
        ok: false,
        detail: status.signal ? `ended by ${status.signal}` : `exited with code ${status.code}`,
      };
    } finally {
      clearTimeout(timer);
      signal.removeEventListener("abort", onAbort);
    }
  };
}
