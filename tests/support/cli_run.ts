/**
 * Running `gossipnet` as a user does (`deno run -A main.ts ...`, from the
 * repository root) and checking how it fails.
 *
 * @module
 */

import { assert, assertEquals } from "@std/assert";

const MAIN = new URL("../../main.ts", import.meta.url).pathname;
const REPO_ROOT = new URL("../../", import.meta.url).pathname;

/** What a finished command printed. */
export interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `gossipnet ...args` to completion, stdin closed, colours off, with `env` added. */
export async function gossipnet(
  args: readonly string[],
  env: Record<string, string> = {},
): Promise<Outcome> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", MAIN, ...args],
    cwd: REPO_ROOT,
    env: { NO_COLOR: "1", ...env },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder();
  return {
    code: output.code,
    stdout: text.decode(output.stdout),
    stderr: text.decode(output.stderr),
  };
}

/** The command and everything it printed, for an assertion's message. */
export function describe(args: readonly string[], outcome: Outcome): string {
  return `gossipnet ${args.join(" ")}\n--- exit ${outcome.code}\n--- stdout\n${outcome.stdout}` +
    `--- stderr\n${outcome.stderr}`;
}

/** Asserts a usage/config failure: exit 2, one stderr line, nothing on stdout. */
export function assertUserError(args: readonly string[], outcome: Outcome, message: string): void {
  const context = describe(args, outcome);
  assertEquals(outcome.code, 2, context);
  assertEquals(outcome.stdout, "", context);
  assert(!/^\s+at /m.test(outcome.stderr), `stack trace on stderr:\n${context}`);
  assertEquals(outcome.stderr, `gossipnet: ${message}\n`, context);
  assertEquals(outcome.stderr.split("\n").length, 2, context);
}
