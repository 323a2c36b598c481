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

/** Where this program's code came from, for {@linkcode selfCommandFor}. */
export interface SelfOrigin {
  /** `import.meta.url` of a module of this program (this one). */
  readonly moduleUrl: string;
  /** Whether this process is a compiled binary. */
  readonly compiled: boolean;
  /** The running executable. */
  readonly execPath: string;
}

// https://jsr.io/@scope/name/1.2.3/lib/up/self_command.ts
const JSR_MODULE = /^https:\/\/jsr\.io\/(@[^/]+\/[^/]+)\/([^/]+)\//;

/**
 * The command that runs this program again, wherever it came from:
 *
 * - a compiled binary runs itself;
 * - a JSR package (`deno run -A jsr:@gossipnet/gossipnet/cli`, or a
 *   `deno install`ed one) runs the same version of the package's `cli`
 *   entry: its own modules are https URLs, but only a `jsr:` specifier
 *   brings the package's import map along;
 * - a checkout runs its `main.ts` (its deno.json is found from main.ts's
 *   directory, whatever the working directory).
 *
 * @example Usage
 * ```ts
 * import { selfCommandFor } from "./self_command.ts";
 * selfCommandFor({
 *   moduleUrl: "https://jsr.io/@gossipnet/gossipnet/0.1.0/lib/up/self_command.ts",
 *   compiled: false,
 *   execPath: "/usr/bin/deno",
 * }).prefix; // ["run", "-A", "jsr:@gossipnet/gossipnet@0.1.0/cli"]
 * ```
 */
export function selfCommandFor(origin: SelfOrigin): SelfCommand {
  if (origin.compiled) return { program: origin.execPath, prefix: [] };
  const jsr = JSR_MODULE.exec(origin.moduleUrl);
  if (jsr) {
    return { program: origin.execPath, prefix: ["run", "-A", `jsr:${jsr[1]}@${jsr[2]}/cli`] };
  }
  const main = new URL("../../main.ts", origin.moduleUrl).href;
  return { program: origin.execPath, prefix: ["run", "-A", main] };
}

/** The command that runs this program again (see {@linkcode selfCommandFor}). */
export function selfCommand(): SelfCommand {
  return selfCommandFor({
    moduleUrl: import.meta.url,
    compiled: isCompiledBinary(),
    execPath: Deno.execPath(),
  });
}
