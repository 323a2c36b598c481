/**
 * Issue 3 acceptance: real seed and peer processes on 127.0.0.1, intervals
 * in milliseconds, every check waiting on log events.
 */

import { assert, assertEquals } from "@std/assert";
import { Cluster } from "../support/cluster.ts";
import { events, readLog, waitFor, waitForEvent } from "../support/jsonl_log.ts";
import {
  allJoined,
  allListening,
  FAST_PEER_ARGS,
  generated,
  missing,
  neighborsOf,
  receipts,
  received,
  seedMembers,
} from "../support/network.ts";

Deno.test({
  name: "3 seeds + 8 peers: join, deliver, survive kill, stop and leave",
  // SIGSTOP does not exist on Windows, and SIGTERM there cannot be caught for
  // a clean leave.
  ignore: Deno.build.os === "windows",
}, async (t) => {
  await using cluster = await Cluster.create({ seeds: 3, peerSlots: 8 });
  const seeds = [0, 1, 2].map((i) => cluster.seed(i));
  await allListening(seeds);
  const peers = Array.from(
    { length: 8 },
    (_, i) => cluster.peer(i, [...FAST_PEER_ARGS, "--gossip-count", "1000"]),
  );
  await cluster.explainFailure(async () => {
    await t.step(
      "every peer joins through at least 2 seeds, with 1..4 dialled neighbours",
      async () => {
        await allJoined(peers);
        for (const peer of peers) {
          const seedsOf = events(peer.logPath, "seed_connected").map((e) => e.seed);
          assert(new Set(seedsOf).size >= 2, `${peer.address} registered with ${seedsOf}`);
        }
        await waitFor(
          "every peer to have a neighbour",
          () => peers.every((p) => neighborsOf(p).size >= 1),
        );
        for (const peer of peers) {
          const dialled = events(peer.logPath, "neighbor_connected").filter((e) =>
            e.direction === "out"
          );
          assert(dialled.length <= 4, `${peer.address} dialled ${dialled.length}`);
        }
        for (const seed of seeds) {
          await waitFor(`${seed.address} to list all 8 peers`, () => seedMembers(seed).size === 8);
        }
      },
    );

    await t.step(
      "every message generated after the overlay formed reaches every other peer once",
      async () => {
        const formed = Math.max(
          ...peers.map((p) =>
            readLog(p.logPath).find((l) => l.properties.event === "neighbor_connected")?.ts ??
              Infinity
          ),
        );
        // Wait for three fresh messages from every peer, then for their floods to settle.
        await waitFor(
          "3 messages per peer after the overlay formed",
          () => peers.every((p) => generated([p]).filter((g) => g.ts > formed).length >= 3),
        );
        const messages = generated(peers).filter((g) => g.ts > formed);
        await waitFor(
          "every message to reach every other peer",
          () => messages.every((m) => missing(peers, m).length === 0),
        );
        for (const peer of peers) {
          const firsts = receipts(peer);
          assertEquals(
            firsts.length,
            new Set(firsts).size,
            `${peer.address} logged a receipt twice`,
          );
          // A peer never logs receipt of its own messages.
          assert(
            ![...received(peer)].some((key) => key.startsWith(`${peer.address}|`)),
            `${peer.address} received its own message`,
          );
        }
      },
    );

    await t.step(
      "SIGKILL: a neighbour reports it, every seed removes it, gossip goes on",
      async () => {
        const victim = peers[2]!;
        victim.signal("SIGKILL");
        await victim.status;
        const others = peers.filter((p) => p !== victim);
        await waitFor(
          "a Dead Node report about the victim",
          () =>
            others.some((p) =>
              events(p.logPath, "dead_node_reported").some((e) => e.dead === victim.address)
            ),
        );
        for (const seed of seeds) {
          await waitForEvent(
            seed.logPath,
            "peer_removed",
            (e) => e.peer === victim.address && e.reason === "dead",
          );
        }
        const raw = others.flatMap((p) => events(p.logPath, "dead_node_reported"))
          .find((e) => e.dead === victim.address)?.raw;
        assert(
          typeof raw === "string" && raw.startsWith(`Dead Node:127.0.0.1:${victim.port}:`),
          String(raw),
        );
        const after = Date.now();
        await waitFor("fresh gossip to keep flowing among the survivors", () => {
          const fresh = generated(others).filter((g) => g.ts > after);
          return fresh.length >= others.length &&
            fresh.every((m) => missing(others, m).length === 0);
        });
      },
    );

    await t.step("SIGSTOP: reported and removed; after SIGCONT nothing crashes", async () => {
      const victim = peers[5]!;
      victim.signal("SIGSTOP");
      for (const seed of seeds) {
        await waitForEvent(
          seed.logPath,
          "peer_removed",
          (e) => e.peer === victim.address && e.reason === "dead",
        );
      }
      victim.signal("SIGCONT");
      // It is alive, so it registers again and gets back into the overlay.
      await waitFor(
        "the resumed peer to register again",
        () => seeds.every((s) => seedMembers(s).has(victim.address)),
      );
      const exited = await Promise.race([
        victim.status,
        new Promise((r) => setTimeout(() => r("running"), 100)),
      ]);
      assertEquals(exited, "running", victim.output);
    });

    await t.step("clean exit: seeds remove it as left, nobody reports it dead", async () => {
      const leaver = peers[7]!;
      const status = await leaver.stop();
      assertEquals(status.code, 0, leaver.output);
      assert(
        readLog(leaver.logPath).some((l) => l.properties.event === "traffic"),
        "the traffic line is flushed before exit",
      );
      for (const seed of seeds) {
        await waitForEvent(
          seed.logPath,
          "peer_removed",
          (e) => e.peer === leaver.address && e.reason === "left",
        );
      }
      // Let every survivor run more ping rounds than it takes to report a
      // crash, then check that nobody did.
      const survivors = peers.filter((p) => p !== leaver && p !== peers[2]);
      const after = Date.now();
      await waitFor(
        "4 more gossip rounds everywhere",
        () => survivors.every((p) => generated([p]).filter((g) => g.ts > after).length >= 4),
      );
      for (const peer of survivors) {
        const reports = events(peer.logPath, "dead_node_reported").filter((e) =>
          e.dead === leaver.address
        );
        assertEquals(reports, [], `${peer.address} reported the leaver`);
      }
    });
  });
});
