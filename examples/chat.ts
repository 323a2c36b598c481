/**
 * A terminal chat over gossipnet, using nothing but the library (`mod.ts`).
 *
 *     deno run -A examples/chat.ts alice --seed-here    # also runs the seed
 *     deno run -A examples/chat.ts bob
 *     deno run -A examples/chat.ts carol
 *
 * Type a line and every other chat prints it; `/peers` lists your
 * neighbours; Ctrl+D or Ctrl+C leaves. All chats must name the same seed
 * (`--seed host:port`, default 127.0.0.1:7000).
 *
 * @module
 */

// deno-lint-ignore-file no-console -- a terminal program talks on the console.
import { type ReceivedMessage, startPeer, startSeed } from "../mod.ts";

const [name, ...flags] = Deno.args;
if (!name || name.startsWith("-")) {
  console.error("usage: chat.ts <name> [--seed-here] [--seed <host:port>]");
  Deno.exit(2);
}
const seedFlag = flags.indexOf("--seed");
const seedAddress = seedFlag >= 0 ? flags[seedFlag + 1] ?? "" : "127.0.0.1:7000";
const [, seedHost = "", seedPort = ""] = /^(.+):(\d+)$/.exec(seedAddress) ?? [];

// The first chat can host the network's only seed in the same process.
const seed = flags.includes("--seed-here")
  ? await startSeed({ host: seedHost, port: Number(seedPort), seeds: [seedAddress] })
  : undefined;
const peer = await startPeer({ port: 0, seeds: [seedAddress], gossipCount: 0, pingInterval: "2s" });
console.log(`${name}: joining the chat through ${seedAddress}...`);
await peer.joined;
console.log(`${name}: in as ${peer.address}. Type to talk, /peers to list neighbours.`);

function show(message: ReceivedMessage): void {
  let said: { name?: unknown; text?: unknown };
  try {
    said = JSON.parse(new TextDecoder().decode(message.data));
  } catch {
    return; // not a chat line: someone else's application on the same network
  }
  if (typeof said.name !== "string" || typeof said.text !== "string") return;
  const time = new Date(message.receivedAt).toTimeString().slice(0, 8);
  const hops = `${message.hops} hop${message.hops === 1 ? "" : "s"}`;
  console.log(`[${time}] ${said.name}: ${said.text}  (${hops})`);
}
(async () => {
  for await (const message of peer.messages()) show(message);
})();

async function leave(): Promise<never> {
  await peer.stop(); // the others see us leave, not die (stop is idempotent)
  await seed?.stop();
  Deno.exit(0);
}
Deno.addSignalListener("SIGINT", leave);

function say(line: string): void {
  if (line.trim() === "") return;
  if (line.trim() === "/peers") {
    const list = peer.neighbors().map((n) => `${n.address} (${n.rttMs?.toFixed(1) ?? "?"} ms)`);
    return console.log(`neighbours: ${list.join(", ") || "none yet"}`);
  }
  try {
    peer.publish(JSON.stringify({ name, text: line }));
  } catch (error) {
    console.log(`not sent: ${(error as Error).message}`);
  }
}

let pending = "";
for await (const chunk of Deno.stdin.readable.pipeThrough(new TextDecoderStream())) {
  const lines = (pending + chunk).split("\n");
  pending = lines.pop() ?? "";
  lines.forEach(say);
}
say(pending);
await leave();
