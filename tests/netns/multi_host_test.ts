/**
 * Beyond 127.0.0.1: 3 seeds and 6 peers, each on its own host (a network
 * namespace with its own address), as a user runs them on real machines.
 * Needs root; skipped with the reason otherwise.
 */

import { assert, assertEquals } from "@std/assert";
import { FAST_TIMINGS, removalBoundMs, SCHEDULING_SLACK_MS } from "../support/bounds.ts";
import { HostCluster, type HostNode } from "../support/host_cluster.ts";
import { waitFor } from "../support/jsonl_log.ts";
import { FAST_PEER_ARGS } from "../support/network.ts";
import { netnsSkipReason } from "../support/netns.ts";
import { assertLabAddressesOnly, waitForDelivery, waitForOverlay } from "../support/host_checks.ts";

const skip = await netnsSkipReason();
if (skip) {
  // deno-lint-ignore no-console -- say why these tests did not run.
  console.warn(`tests/netns skipped: ${skip}`);
}

Deno.test({
  name: "3 seed hosts + 6 peer hosts: overlay, delivery, removal, forged report, clean sync",
  ignore: skip !== undefined,
}, async (t) => {
  await using net = await HostCluster.create({ seeds: 3, peers: 6, spare: 1 });
  const seeds = await net.startSeeds();
  const peers = net.peerHosts.map((_, i) =>
    net.startPeer(i, [...FAST_PEER_ARGS, "--gossip-count", "1000"])
  );
  await net.explainFailure(async () => {
    await net.step(t, "the overlay forms and every seed lists every peer", async () => {
      await waitForOverlay(seeds, peers);
    });

    await net.step(t, "only the hosts' own addresses appear, never 127.0.0.1", () => {
      assertLabAddressesOnly(net, [...seeds, ...peers]);
    });

    await net.step(
      t,
      "100% delivery of messages generated after the last peer linked",
      async () => {
        await waitForDelivery({ origins: peers, perOrigin: 3 });
      },
    );

    await net.step(t, "the seeds' sync is clean: no warning at all from any seed", () => {
      for (const seed of seeds) assertEquals(seed.warnings(), [], seed.address);
    });

    const victim = peers[2] as HostNode;
    await net.step(t, "a SIGKILLed peer is removed by all 3 seeds within the bound", async () => {
      const bound = removalBoundMs(FAST_TIMINGS);
      const killedAt = Date.now();
      victim.process.signal("SIGKILL");
      await victim.process.status;
      await waitFor(
        `all 3 seeds to remove ${victim.address} (bound ${bound} ms + ${SCHEDULING_SLACK_MS} ms slack)`,
        () => seeds.every((s) => !s.members().has(victim.address)),
        { timeoutMs: bound + SCHEDULING_SLACK_MS },
      );
      for (const seed of seeds) {
        const removed = seed.events("peer_removed").filter((l) =>
          l.properties.peer === victim.address
        );
        assertEquals(removed.map((l) => l.properties.reason), ["dead"], seed.address);
        assert((removed[0]?.ts ?? Infinity) - killedAt < bound + SCHEDULING_SLACK_MS);
      }
      const raw = peers.flatMap((p) => p.events("dead_node_reported"))
        .find((l) => l.properties.dead === victim.address)?.properties.raw;
      assert(
        typeof raw === "string" && raw.startsWith(`Dead Node:${victim.host.address}:6000:`),
        String(raw),
      );
    });

    const alive = peers[4] as HostNode;
    await net.step(t, "report-dead against a live peer is rejected", async () => {
      const operator = net.spareHosts[0]!;
      const outcome = await net.gossipnet(operator, [
        "report-dead",
        "--seed",
        seeds[1]!.address,
        "--dead",
        alive.address,
      ]);
      assertEquals(outcome.code, 0, outcome.stderr);
      assert(/rejected/.test(outcome.stdout), outcome.stdout);
      const report = await waitFor(
        "the seed to log the report",
        () => seeds[1]!.events("dead_node_report").find((l) => l.properties.dead === alive.address),
      );
      // The reporter IP in the text is the operator host's own address.
      assert(String(report.properties.raw).endsWith(`:${operator.address}`), report.message);
      for (const seed of seeds) assert(seed.members().has(alive.address), seed.address);
    });

    await net.step(
      t,
      "no seed link went down; seeds warned only of the kill and the report",
      () => {
        const expected = new Set([victim.address, alive.address]);
        for (const seed of seeds) {
          assertEquals(seed.events("seed_link_down"), [], seed.address);
          const other = seed.warnings().filter((l) =>
            !expected.has(String(l.properties.dead ?? l.properties.peer))
          );
          assertEquals(other, [], seed.address);
        }
      },
    );
  });
});
