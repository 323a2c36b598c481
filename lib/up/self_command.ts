/**
 * How `up` starts another copy of this program for each node.
 *
 * @module
 */

/** A program and the arguments that come before the gossipnet command. */
export interface SelfCommand {
  /** Executable to run. */
  readonly program: string;
  /** Arguments before `seed`/`peer` (e.g. `run -A main.ts`). */
  readonly prefix: readonly string[];
}

/**
 * Reports whether this process is a `deno compile`d gossipnet binary.
 *
 * Why it matters: compiled, `Deno.execPath()` is gossipnet itself and takes
 * the subcommand directly; under `deno run` it is the deno binary, which
 * needs `run -A <main.ts>` first. Deno says which through
 * `Deno.build.standalone`; where a runtime lacks that field, the executable's
 * name decides (a deno binary is called `deno` or `deno.exe`).
 */
export function isCompiledBinary(): boolean {
  const standalone: unknown = (Deno.build as { standalone?: unknown }).standalone;
  if (typeof standalone === "boolean") return standalone;
  const base = Deno.execPath().split(/[\\/]/).pop() ?? "";
  return !/^deno(\.exe)?$/i.test(base);
}

/**
 * The command that runs this program again: the binary itself when
 * compiled, else `deno run -A` on this checkout's `main.ts` (its deno.json
 * is found from main.ts's directory, whatever the working directory).
 */
export function selfCommand(): SelfCommand {
  if (isCompiledBinary()) return { program: Deno.execPath(), prefix: [] };
  const main = new URL("../../main.ts", import.meta.url).href;
  return { program: Deno.execPath(), prefix: ["run", "-A", main] };
}
