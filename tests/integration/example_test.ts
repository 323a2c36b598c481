/**
 * The chat example as the README runs it: separate processes, one hosting
 * the seed; a line typed into one chat is printed by the others.
 */

import { assertStringIncludes } from "@std/assert";
import { waitFor } from "../support/jsonl_log.ts";
import { freePortBlock } from "../support/ports.ts";

const CHAT = new URL("../../examples/chat.ts", import.meta.url).pathname;

/** One chat process whose output the test reads and whose stdin it types into. */
class Chat implements AsyncDisposable {
  readonly child: Deno.ChildProcess;
  output = "";
  #stdin: WritableStreamDefaultWriter<Uint8Array>;

  constructor(args: string[]) {
    this.child = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", CHAT, ...args],
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
      env: { NO_COLOR: "1" },
    }).spawn();
    this.#stdin = this.child.stdin.getWriter();
    for (const stream of [this.child.stdout, this.child.stderr]) {
      (async () => {
        for await (const text of stream.pipeThrough(new TextDecoderStream())) this.output += text;
      })();
    }
  }

  type(line: string): Promise<void> {
    return this.#stdin.write(new TextEncoder().encode(line + "\n"));
  }

  async [Symbol.asyncDispose](): Promise<void> {
    // End of input is how a chat leaves; SIGKILL if it does not.
    await this.#stdin.close().catch(() => {});
    const timer = setTimeout(() => this.child.kill("SIGKILL"), 5000);
    await this.child.status;
    clearTimeout(timer);
  }
}

Deno.test({
  name: "examples/chat.ts: a line typed in one chat appears in the others",
  ignore: Deno.build.os === "windows",
}, async () => {
  const seed = `127.0.0.1:${freePortBlock(1)}`;
  await using alice = new Chat(["alice", "--seed-here", "--seed", seed]);
  await waitFor("alice to join", () => alice.output.includes("alice: in as"), {
    timeoutMs: 30_000,
  });
  await using bob = new Chat(["bob", "--seed", seed]);
  await waitFor("bob to join", () => bob.output.includes("bob: in as"), { timeoutMs: 30_000 });
  await using carol = new Chat(["carol", "--seed", seed]);
  await waitFor("carol to join", () => carol.output.includes("carol: in as"), {
    timeoutMs: 30_000,
  });
  await bob.type("hello from bob");
  for (const chat of [alice, carol]) {
    await waitFor("bob's line", () => chat.output.includes("] bob: hello from bob  ("));
  }
  await carol.type("/peers");
  await waitFor("carol's neighbours", () => carol.output.includes("neighbours: 127.0.0.1:"));
  assertStringIncludes(alice.output, "joining the chat through");
});
