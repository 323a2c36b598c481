/**
 * The interactive shell of real nodes, and refusals a person must see.
 */

import { assertEquals, assertMatch } from "@std/assert";
import { Cluster } from "../support/cluster.ts";
import { events, waitFor, waitForEvent } from "../support/jsonl_log.ts";
import { allJoined, allListening, FAST_PEER_ARGS } from "../support/network.ts";

const MAIN = new URL("../../main.ts", import.meta.url).pathname;

Deno.test("shell commands answer in any case; exit stops the node cleanly", async () => {
  await using cluster = await Cluster.create({ seeds: 1, peerSlots: 2 });
  const seed = cluster.seed(0);
  await allListening([seed]);
  // b first: a then finds b in its peer list and links before its gossip
  // starts. Started together, a could gossip before b existed (a race
  // that a loaded machine loses).
  const b = cluster.peer(1, [...FAST_PEER_ARGS, "--gossip-count", "2"]);
  await allJoined([b]);
  const a = cluster.peer(0, [...FAST_PEER_ARGS, "--gossip-count", "2"]);
  await allJoined([a]);
  await waitFor(
    "a's two messages to reach b",
    () => events(b.logPath, "gossip_received").length >= 2,
  );
  await cluster.explainFailure(async () => {
    await a.type("PEERS");
    await waitFor(
      "the peers table",
      () => a.output.includes("neighbour") && a.output.includes(b.address),
    );
    await a.type("Seeds");
    await waitFor("the seeds line", () => /registered with 1 of 1 seeds/.test(a.output));
    await b.type("msg");
    await waitFor(
      "the message list",
      () => /\d+ messages\n/.test(b.output) && b.output.includes(a.address),
    );
    await seed.type("peers");
    await waitFor(
      "the seed's peer list",
      () => /2 peers; linked to 0 of 0 other seeds/.test(seed.output),
    );
    await a.type("help");
    await waitFor("help", () => a.output.includes("Commands (any case):"));
    await a.type("frobnicate");
    await waitFor(
      "an unknown-command hint",
      () => a.output.includes('Unknown command "frobnicate"'),
    );
    await a.type("EXIT");
    const status = await a.status;
    assertEquals(status.code, 0);
    await waitForEvent(
      seed.logPath,
      "peer_removed",
      (e) => e.peer === a.address && e.reason === "left",
    );
  });
});

Deno.test({
  name: "end of stdin does not stop a node",
  // Ends the node with SIGTERM, which Windows cannot deliver as a signal.
  ignore: Deno.build.os === "windows",
}, async () => {
  await using cluster = await Cluster.create({ seeds: 1, peerSlots: 1 });
  const dir = cluster.dir;
  const port = cluster.seedPorts[0]!;
  // stdin is /dev/null: end of input at once.
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      MAIN,
      "seed",
      "--port",
      String(port),
      "--config",
      `${dir}/config.csv`,
      "--log-dir",
      `${dir}/logs`,
    ],
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
  try {
    const log = `${dir}/logs/seed-127.0.0.1-${port}.jsonl`;
    await waitForEvent(log, "listening");
    const peer = cluster.peer(0, FAST_PEER_ARGS);
    // Registration needs the seed alive well after its stdin ended.
    await waitForEvent(peer.logPath, "joined");
    assertEquals(events(log, "stopping"), []);
  } finally {
    child.kill("SIGTERM");
    assertEquals((await child.status).code, 0);
  }
});

Deno.test("--max-peers: a full seed refuses with a reason the peer logs and prints", async (t) => {
  await using cluster = await Cluster.create({ seeds: 1, peerSlots: 2 });
  const seed = cluster.seed(0, ["--max-peers", "1"]);
  await allListening([seed]);
  const first = cluster.peer(0, FAST_PEER_ARGS);
  await allJoined([first]);
  await t.step("every seed refusing: one-line error, exit 1", async () => {
    const second = cluster.peer(1, FAST_PEER_ARGS);
    const status = await second.status;
    assertEquals(status.code, 1, second.output);
    const refused = events(second.logPath, "registration_refused");
    assertEquals(refused[0]?.reason, "max_peers");
    assertMatch(
      second.output,
      /seed 127\.0\.0\.1:\d+ refused registration: Peer list is full \(--max-peers 1\)/,
    );
    const errors = second.output.split("\n").filter((l) => l.startsWith("gossipnet:"));
    assertEquals(errors, [
      "gossipnet: Cannot join: 1 of 1 seeds refused registration (peer list full)",
    ]);
    await waitForEvent(seed.logPath, "peer_refused", (e) => e.peer === second.address);
  });
});
