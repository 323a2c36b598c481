/**
 * `gossipnet send` into a running network of real processes, and
 * `--on-message` handlers on the receiving peers: each handler writes what
 * it got to a file. A handler that sleeps for 10 s must not delay anyone:
 * the peer running it keeps relaying and publishing meanwhile.
 */

import { assert, assertEquals, assertMatch } from "@std/assert";
import { Cluster, type NodeProcess } from "../support/cluster.ts";
import { waitFor, waitForEvent } from "../support/jsonl_log.ts";
import { allJoined, FAST_PEER_ARGS, neighborsOf } from "../support/network.ts";
import { describeOutcome, runCli } from "../support/run_cli.ts";

const ID = /^[0-9a-f]{16}-\d+$/;

/** A handler that writes the payload, then origin and hops, to `<dir>/<name>-<id>.txt`. */
function writer(dir: string, name: string, before = ""): string {
  // Written aside and renamed, so a reader never sees the file half written.
  const file = `"${dir}/${name}-$GOSSIPNET_ID.txt"`;
  return `${before}{ cat; printf '\\n%s %s' "$GOSSIPNET_ORIGIN" "$GOSSIPNET_HOPS"; } ` +
    `> ${file}.part && mv ${file}.part ${file}`;
}

function readIfThere(path: string): string | undefined {
  try {
    return Deno.readTextFileSync(path);
  } catch {
    return undefined;
  }
}

/** Sends and returns the printed id, asserting a clean exit. */
async function send(peer: string, ...what: string[]): Promise<string> {
  const args = ["send", "--peer", peer, ...what];
  const outcome = await runCli(args);
  assertEquals(outcome.code, 0, describeOutcome(args, outcome));
  const id = outcome.stdout.trim();
  assertMatch(id, ID, describeOutcome(args, outcome));
  return id;
}

Deno.test({
  name: "gossipnet send reaches --on-message handlers; a 10 s handler delays nobody",
  ignore: Deno.build.os === "windows", // the handlers are POSIX shell
}, async () => {
  await using cluster = await Cluster.create({ seeds: 3, peerSlots: 5 });
  const out = `${cluster.dir}/handled`;
  await Deno.mkdir(out);
  await cluster.explainFailure(async () => {
    for (let i = 0; i < 3; i++) cluster.seed(i);
    const quiet = [...FAST_PEER_ARGS, "--gossip-count", "0"];
    const peers: [NodeProcess, NodeProcess, NodeProcess, NodeProcess, NodeProcess] = [
      cluster.peer(0, quiet),
      cluster.peer(1, [...quiet, "--on-message", writer(out, "p1")]),
      cluster.peer(2, [...quiet, "--on-message", writer(out, "p2")]),
      cluster.peer(3, [...quiet, "--on-message", writer(out, "slow", "sleep 10; ")]),
      cluster.peer(4, quiet),
    ];
    await allJoined(peers);
    // Joined is logged once registered, before the first link comes up.
    await waitFor(
      "every peer to have a neighbour",
      () => peers.every((p) => neighborsOf(p).size > 0),
    );
    const [p0, p1, p2, p3, p4] = peers;

    const first = await send(p0.address, "hello", "from the shell");
    for (const name of ["p1", "p2"]) {
      const content = await waitFor(
        `${name}'s handler output`,
        () => readIfThere(`${out}/${name}-${first}.txt`),
      );
      const [payload, meta] = content.split("\n");
      assertEquals(payload, "hello from the shell");
      const [origin, hops] = (meta ?? "").split(" ");
      assertEquals(origin, p0.address);
      assert(Number(hops) >= 1, `hops ${hops}`);
    }
    for (const peer of [p1, p2, p3, p4]) {
      await waitForEvent(peer.logPath, "message_received", (e) => e.id === first);
    }

    // p3's handler now sleeps on the first message. Publishing through p3
    // itself must not wait for it, nor must delivery to everyone else.
    const second = await send(p3.address, "second, through the busy peer");
    for (const name of ["p1", "p2"]) {
      await waitFor(`${name}'s second message`, () => readIfThere(`${out}/${name}-${second}.txt`));
    }
    for (const peer of [p0, p1, p2, p4]) {
      await waitForEvent(peer.logPath, "message_received", (e) => e.id === second);
    }
    // All of that happened while the slow handler was still asleep.
    assertEquals(readIfThere(`${out}/slow-${first}.txt`), undefined, "the slow handler finished");

    // Each line of stdin is one message; an oversize line is skipped, the rest still go.
    const lines = ["one", "two", "x".repeat(70_000), "three"];
    const args = ["send", "--peer", p4.address, "-"];
    const piped = await runCli(args, lines.join("\n") + "\n");
    const context = describeOutcome(args, piped);
    assertEquals(piped.code, 1, context);
    const ids = piped.stdout.trim().split("\n");
    assertEquals(ids.length, 3, context);
    for (const id of ids) assertMatch(id, ID);
    assertEquals(
      piped.stderr,
      "gossipnet: skipped: line 3 is 70000 bytes; a message may carry at most 65265\n",
    );
    for (const [i, id] of ids.entries()) {
      const event = await waitForEvent(p0.logPath, "message_received", (e) => e.id === id);
      assertEquals(event.bytes, ["one", "two", "three"][i]!.length);
      assertEquals(event.origin, p4.address);
    }

    // The peer shell's send.
    await p1.type("send typed into the shell");
    const typed = await waitForEvent(
      p0.logPath,
      "message_received",
      (e) => e.origin === p1.address && e.bytes === "typed into the shell".length,
    );
    await waitFor(
      "p2's handler for the typed message",
      () => readIfThere(`${out}/p2-${typed.id}.txt`)?.startsWith("typed into the shell"),
    );
  });
});

Deno.test("gossipnet send refuses a seed and a port where nothing listens, with one line", async () => {
  await using cluster = await Cluster.create({ seeds: 1, peerSlots: 1 });
  await cluster.explainFailure(async () => {
    const seed = cluster.seed(0);
    await waitForEvent(seed.logPath, "listening");
    const cases: Array<[string, string]> = [
      [
        seed.address,
        `gossipnet: ${seed.address} is a seed, not a peer: send through a peer (nothing was sent)\n`,
      ],
      [
        `127.0.0.1:${cluster.peerPorts[0]}`,
        `gossipnet: Cannot reach peer 127.0.0.1:${cluster.peerPorts[0]}: connection refused\n`,
      ],
    ];
    for (const [target, stderr] of cases) {
      const args = ["send", "--peer", target, "hello"];
      const outcome = await runCli(args);
      assertEquals(outcome.code, 1, describeOutcome(args, outcome));
      assertEquals(outcome.stdout, "");
      assertEquals(outcome.stderr, stderr);
    }
  });
});
