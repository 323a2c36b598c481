/**
 * Shell command parsing and dispatch, without I/O: a line in, text out.
 *
 * @module
 */

/** One shell command: what it does and how to run it. */
export interface ShellCommand {
  /** One line for `help`. */
  readonly help: string;
  /**
   * Runs the command; returns the text to print. `rest` is the line after
   * the command's name, spaces kept (for free text, as in `send <text>`).
   */
  run(args: readonly string[], rest: string): string | Promise<string>;
}

/** A parsed input line. */
export interface ParsedLine {
  /** Lower-cased command name; empty for a blank line. */
  readonly name: string;
  readonly args: readonly string[];
}

/**
 * Splits a line into a case-insensitive command name and its arguments.
 *
 * @example Usage
 * ```ts
 * import { parseLine } from "./commands.ts";
 * parseLine("  PEERS  "); // { name: "peers", args: [] }
 * parseLine("kill p3"); // { name: "kill", args: ["p3"] }
 * ```
 */
export function parseLine(line: string): ParsedLine {
  const words = line.trim().split(/\s+/).filter((w) => w !== "");
  const [name = "", ...args] = words;
  return { name: name.toLowerCase(), args };
}

/**
 * Runs one line against a command table. `help` is built in and lists the
 * table; an unknown command gets a one-line hint.
 */
export async function dispatchLine(
  commands: Readonly<Record<string, ShellCommand>>,
  line: string,
): Promise<string> {
  const { name, args } = parseLine(line);
  if (name === "") return "";
  if (name === "help" || name === "?") return helpText(commands);
  const command = Object.hasOwn(commands, name) ? commands[name] : undefined;
  if (!command) return `Unknown command "${name}". Type help for the list.\n`;
  const rest = line.trim().slice(line.trim().search(/\s|$/)).trim();
  return await command.run(args, rest);
}

/** The `help` text for a command table. */
export function helpText(commands: Readonly<Record<string, ShellCommand>>): string {
  const names = [...Object.keys(commands), "help"];
  const width = Math.max(...names.map((n) => n.length)) + 2;
  const lines = Object.entries(commands).map(([name, c]) => `  ${name.padEnd(width)}${c.help}`);
  lines.push(`  ${"help".padEnd(width)}this list`);
  return `Commands (any case):\n${lines.join("\n")}\n`;
}

/**
 * Formats rows as aligned columns under a header.
 *
 * @example Usage
 * ```ts
 * import { table } from "./commands.ts";
 * table(["peer", "degree"], [["127.0.0.1:6001", "2"]]);
 * ```
 */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: readonly string[]) =>
    cells.map((c, i) => i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)).join("  ").trimEnd();
  return [line(header), ...rows.map(line)].join("\n") + "\n";
}
