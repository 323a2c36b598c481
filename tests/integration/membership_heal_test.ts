/**
 * Issue 10, local trouble and stale membership: a seed out of file
 * descriptors abstains instead of voting a live peer dead; a removal that
 * lacks a seed majority is logged and retried when the seeds return; and
 * seeds re-check members nobody watches.
 */

import { assert, assertEquals, assertMatch } from "@std/assert";
import { assertUnharmed, ATTACK_SEED_ARGS, type Network } from "../support/attack.ts";
import { Cluster } from "../support/cluster.ts";
import { events, waitFor, waitForEvent } from "../support/jsonl_log.ts";
import { allJoined, allListening, FAST_PEER_ARGS, seedMembers } from "../support/network.ts";
import { closeAll, helloAs, openMany, type RawClient } from "../support/raw_client.ts";

const MAIN = new URL("../../main.ts", import.meta.url).pathname;

async function reportDead(seedPort: number, deadPort: number): Promise<string> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      MAIN,
      "report-dead",
      "--seed",
      `127.0.0.1:${seedPort}`,
      "--dead",
      `127.0.0.1:${deadPort}`,
    ],
    env: { NO_COLOR: "1" },
  }).output();
  return new TextDecoder().decode(output.stdout) + new TextDecoder().decode(output.stderr);
}

Deno.test({
  name: "seeds out of file descriptors abstain: a live peer reported dead is not removed",
  ignore: Deno.build.os !== "linux",
  fn: async () => {
    await using cluster = await Cluster.create({ seeds: 3, peerSlots: 2 });
    // Two of three seeds with few descriptors, and connections held a minute.
    const starved = ["--pending-timeout", "60s"];
    const seeds = [
      cluster.seed(0, starved, { maxOpenFiles: 64 }),
      cluster.seed(1, starved, { maxOpenFiles: 64 }),
      cluster.seed(2),
    ];
    await allListening(seeds);
    const peers = [0, 1].map((i) => cluster.peer(i, FAST_PEER_ARGS));
    await allJoined(peers);
    const network: Network = { cluster, seeds, peers };
    await cluster.explainFailure(async () => {
      for (const seed of seeds) {
        await waitFor(`${seed.address} lists both peers`, () => seedMembers(seed).size === 2);
      }
      // Use up the starved seeds' descriptors with connections that say hello and wait.
      const held: RawClient[] = [];
      for (const seed of seeds.slice(0, 2)) {
        const clients = await openMany(seed.port, 120, 16);
        await Promise.all(clients.map((c) => c.send(helloAs("client", 0)).catch(() => {})));
        held.push(...clients);
      }
      try {
        const victim = peers[0]!;
        const out = await reportDead(seeds[2]!.port, victim.port);
        assertMatch(out, /^rejected: /m);
        const votes = await waitFor("the starved seeds' votes", () => {
          const removals = new Set(
            events(seeds[2]!.logPath, "removal_proposed").map((e) => e.proposal),
          );
          const all = events(seeds[2]!.logPath, "vote").filter((v) =>
            removals.has(v.proposal) && v.voter !== seeds[2]!.address
          );
          return all.length >= 1 && all;
        });
        // Whatever the starved seeds answered, it was no yes: they could not check.
        for (const vote of votes) {
          assert(vote.answer !== "yes", JSON.stringify(vote));
          assertMatch(String(vote.reason), /^(abstain: cannot check|alive)/);
        }
        assert(votes.some((v) => v.answer === "abstain"), JSON.stringify(votes));
      } finally {
        await closeAll(held);
      }
      assertUnharmed(network);
    });
  },
});

Deno.test("a removal without a seed majority is logged, kept, and made when the seeds return", async () => {
  await using cluster = await Cluster.create({ seeds: 3, peerSlots: 3 });
  // No periodic re-check in this test: only the retry can make the removal.
  const args = [...ATTACK_SEED_ARGS, "--recheck-interval", "10m"];
  const seeds = [0, 1, 2].map((i) => cluster.seed(i, args));
  await allListening(seeds);
  const peers = [0, 1, 2].map((i) => cluster.peer(i, FAST_PEER_ARGS));
  await allJoined(peers);
  await cluster.explainFailure(async () => {
    for (const seed of seeds) {
      await waitFor(`${seed.address} lists every peer`, () => seedMembers(seed).size === 3);
    }
    const [kept, ,] = seeds as [typeof seeds[0], typeof seeds[0], typeof seeds[0]];
    await seeds[1]!.stop();
    await seeds[2]!.stop();
    const dead = peers.find((p) => events(p.logPath, "joined")[0] && true)!;
    // Reports go only to seeds a peer is registered with: those that had
    // only the stopped two must be registered with the kept one first.
    for (const peer of peers.filter((p) => p !== dead)) {
      await waitForEvent(peer.logPath, "seed_connected", (e) => e.seed === kept.address);
    }
    dead.signal("SIGKILL");
    await dead.status;
    await waitForEvent(kept.logPath, "removal_stalled", (e) => e.peer === dead.address);
    assert(seedMembers(kept).has(dead.address), "without a majority it stays listed");
    // The seeds return: the kept removal goes through the usual majority.
    const back = [cluster.seed(1, args), cluster.seed(2, args)];
    await allListening(back);
    await waitForEvent(kept.logPath, "peer_removed", (e) => e.peer === dead.address, {
      timeoutMs: 20_000,
    });
    const live = peers.filter((p) => p !== dead);
    for (const seed of [kept, ...back]) {
      await waitFor(
        `${seed.address} lists only the live peers`,
        () =>
          JSON.stringify([...seedMembers(seed)].sort()) ===
            JSON.stringify(live.map((p) => p.address).sort()),
      );
    }
    assertUnharmed({ cluster, seeds: [kept, ...back], peers: live });
  });
});

Deno.test("seeds re-check members nobody watches, and remove the dead ones by majority", async () => {
  await using cluster = await Cluster.create({ seeds: 3, peerSlots: 1 });
  const seeds = [0, 1, 2].map((i) =>
    cluster.seed(i, [...ATTACK_SEED_ARGS, "--recheck-interval", "200ms"])
  );
  await allListening(seeds);
  // A lone peer: no neighbour will ever report it.
  const lone = cluster.peer(0, FAST_PEER_ARGS);
  await allJoined([lone]);
  await cluster.explainFailure(async () => {
    for (const seed of seeds) {
      await waitFor(
        `${seed.address} lists the lone peer`,
        () => seedMembers(seed).has(lone.address),
      );
    }
    lone.signal("SIGKILL");
    await lone.status;
    for (const seed of seeds) {
      await waitForEvent(
        seed.logPath,
        "peer_removed",
        (e) => e.peer === lone.address && e.reason === "dead",
      );
    }
    const found = seeds.flatMap((s) => events(s.logPath, "member_unreachable"));
    assert(found.some((e) => e.peer === lone.address), JSON.stringify(found));
    assertEquals(
      seeds.flatMap((s) => events(s.logPath, "dead_node_report")),
      [],
      "nobody reported it",
    );
  });
});
