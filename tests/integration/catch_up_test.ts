/**
 * Late joiners catch up: a peer that joins after gossip has flowed gets the
 * earlier messages from its first neighbour, marked `catchUp`, and `up`'s
 * summary counts it as an expected receiver of those messages.
 */

import { assert, assertEquals } from "@std/assert";
import { readRunLogs } from "../../lib/up/run_logs.ts";
import { summarizeRun } from "../../lib/up/summary.ts";
import { Cluster } from "../support/cluster.ts";
import { events, readLog, waitFor, waitForEvent } from "../support/jsonl_log.ts";
import {
  allJoined,
  allListening,
  FAST_PEER_ARGS,
  generated,
  messageKey,
} from "../support/network.ts";

Deno.test("a late joiner catches up on earlier gossip and counts as an expected receiver", async () => {
  await using cluster = await Cluster.create({ seeds: 3, peerSlots: 5 });
  const seeds = [0, 1, 2].map((i) => cluster.seed(i));
  await allListening(seeds);
  const early = Array.from(
    { length: 4 },
    (_, i) => cluster.peer(i, [...FAST_PEER_ARGS, "--gossip-count", "3"]),
  );
  await cluster.explainFailure(async () => {
    await allJoined(early);
    await waitFor("the early peers' 12 messages", () => generated(early).length === 12);
    const late = cluster.peer(4, [...FAST_PEER_ARGS, "--gossip-count", "0"]);
    const caught = await waitForEvent(late.logPath, "catch_up");
    const before = generated(early);
    const joinedAt = readLog(late.logPath).find((l) => l.properties.event === "joined")!.ts;
    assert(before.every((g) => g.ts < joinedAt), "every early message predates the join");
    const caughtUp = new Set(
      events(late.logPath, "gossip_received").filter((e) => e.catchUp === true)
        .map((e) => messageKey(e.origin, e.message)),
    );
    const firsts = new Set(
      events(late.logPath, "gossip_received").map((e) => messageKey(e.origin, e.message)),
    );
    for (const g of before) {
      assert(firsts.has(messageKey(g.origin, g.message)), `late peer lacks ${g.message}`);
    }
    assert(caughtUp.size > 0, "some messages came by catch-up");
    assertEquals(caught.messages, caughtUp.size);
    assertEquals(
      events(late.logPath, "gossip_received").length,
      firsts.size,
      "each message recorded once",
    );

    await Promise.all(cluster.nodes.map((n) => n.stop()));
    const { nodes } = await readRunLogs(`${cluster.dir}/logs`);
    const summary = summarizeRun(nodes);
    // 12 messages × 3 other early peers, plus 12 for the late joiner.
    assertEquals(summary.expected, 12 * 3 + 12);
    assertEquals(summary.delivered, summary.expected);
  });
});

Deno.test("a peer alone holds its messages and floods them once a neighbour links", async () => {
  await using cluster = await Cluster.create({ seeds: 1, peerSlots: 3 });
  await allListening([cluster.seed(0)]);
  const alone = cluster.peer(0, [...FAST_PEER_ARGS, "--gossip-count", "2"]);
  await cluster.explainFailure(async () => {
    await waitFor("the lone peer's 2 messages", () => generated([alone]).length === 2);
    const others = [1, 2].map((i) => cluster.peer(i, [...FAST_PEER_ARGS, "--gossip-count", "0"]));
    const released = await waitForEvent(alone.logPath, "gossip_released");
    assertEquals(released.messages, 2);
    for (const peer of others) {
      await waitFor(
        `${peer.logPath} has both messages`,
        () => events(peer.logPath, "gossip_received").length === 2,
      );
    }
  });
});

Deno.test("a peer that joined with no neighbour catches up from the first one it links to later", async () => {
  await using cluster = await Cluster.create({ seeds: 1, peerSlots: 3 });
  await allListening([cluster.seed(0)]);
  const first = cluster.peer(0, [...FAST_PEER_ARGS, "--gossip-count", "0"]);
  await cluster.explainFailure(async () => {
    await allJoined([first]);
    // Frozen, it cannot answer the others' handshakes: they link to each other only.
    first.signal("SIGSTOP");
    const others = [1, 2].map((i) => cluster.peer(i, [...FAST_PEER_ARGS, "--gossip-count", "2"]));
    await allJoined(others);
    await waitFor(
      "the others' 4 messages reach both",
      () => others.every((p) => events(p.logPath, "gossip_received").length === 2),
    );
    first.signal("SIGCONT");
    const caught = await waitForEvent(first.logPath, "catch_up");
    const received = new Set(
      events(first.logPath, "gossip_received").map((e) => messageKey(e.origin, e.message)),
    );
    for (const g of generated(others)) {
      assert(received.has(messageKey(g.origin, g.message)), `the first peer lacks ${g.message}`);
    }
    assertEquals(caught.messages, 4);
  });
});
