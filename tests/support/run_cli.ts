/**
 * Running one short `gossipnet` command (send, status, members...) as a
 * real process and collecting what it printed.
 *
 * @module
 */

const MAIN = new URL("../../main.ts", import.meta.url).pathname;

/** How a command ended. */
export interface CliOutcome {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `gossipnet ...args`, with `stdin` as its input if given. */
export async function runCli(args: readonly string[], stdin?: string): Promise<CliOutcome> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", MAIN, ...args],
    env: { NO_COLOR: "1" },
    stdin: stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  if (stdin !== undefined) {
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(stdin));
    await writer.close();
  }
  const output = await child.output();
  const text = new TextDecoder();
  return {
    code: output.code,
    stdout: text.decode(output.stdout),
    stderr: text.decode(output.stderr),
  };
}

/** The outcome for a failing assertion's message. */
export function describeOutcome(args: readonly string[], outcome: CliOutcome): string {
  return `gossipnet ${args.join(" ")}\n--- exit ${outcome.code}\n--- stdout\n${outcome.stdout}` +
    `--- stderr\n${outcome.stderr}`;
}
