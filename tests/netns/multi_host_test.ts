/**
 * Beyond 127.0.0.1: 3 seeds and 6 (then 12) peers, each on its own host (a
 * network namespace with its own address), as a user runs them on real
 * machines. Needs root; skipped with the reason otherwise.
 */

import { assert, assertEquals } from "@std/assert";
import { NETNS_TIMINGS, removalBoundMs, SCHEDULING_SLACK_MS } from "../support/bounds.ts";
import { HostCluster, type HostNode, NETNS_PEER_ARGS } from "../support/host_cluster.ts";
import {
  assertLabAddressesOnly,
  reportFigure,
  waitForDelivery,
  waitForOverlay,
} from "../support/host_checks.ts";
import { waitFor } from "../support/jsonl_log.ts";
import { ignoreWithoutNetns } from "../support/netns.ts";

const ignore = await ignoreWithoutNetns(import.meta.url);

for (const peerCount of [6, 12]) {
  Deno.test({
    name:
      `3 seed hosts + ${peerCount} peer hosts: overlay, delivery, removal, forged report, clean sync`,
    ignore,
  }, (t) => multiHost(t, peerCount));
}

async function multiHost(t: Deno.TestContext, peerCount: number): Promise<void> {
  await using net = await HostCluster.create({ seeds: 3, peers: peerCount, spare: 1 });
  const seeds = await net.startSeeds();
  const peers = net.peerHosts.map((_, i) =>
    net.startPeer(i, [...NETNS_PEER_ARGS, "--gossip-count", "1000"])
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

    // From the moment the last seed listens, every seed is up.
    const allUp = Math.max(...seeds.map((s) => s.events("listening")[0]?.ts ?? Infinity));
    const warnings = (seed: HostNode) => seed.warnings().filter((l) => l.ts > allUp);
    await net.step(t, "the seeds' sync is clean: no warning at all from any seed", () => {
      for (const seed of seeds) assertEquals(warnings(seed), [], seed.address);
    });

    const victim = peers[2] as HostNode;
    await net.step(t, "a SIGKILLed peer is removed by all 3 seeds within the bound", async () => {
      const bound = removalBoundMs(NETNS_TIMINGS);
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
      const last = Math.max(
        ...seeds.map((s) =>
          s.events("peer_removed").find((l) => l.properties.peer === victim.address)!.ts
        ),
      );
      reportFigure(
        `${peerCount} peers: kill → removed by all 3 seeds`,
        `${Math.round(last - killedAt)} ms (bound ${bound} ms)`,
      );
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
      const printed = `exit ${outcome.code}\n${outcome.stdout}${outcome.stderr}`;
      assertEquals(outcome.code, 0, printed);
      assert(/^rejected/.test(outcome.stdout), printed);
      // The reporter IP in the text is the operator host's own address.
      await waitFor(
        "the seed to log the operator's report",
        () =>
          seeds[1]!.events("dead_node_report").find((l) =>
            l.properties.dead === alive.address &&
            String(l.properties.raw).endsWith(`:${operator.address}`)
          ),
      );
      for (const seed of seeds) {
        const removals = JSON.stringify(seed.events("peer_removed").map((l) => l.message));
        assert(seed.members().has(alive.address), `${seed.address}: ${removals}`);
      }
    });

    await net.step(
      t,
      "no seed link went down; seeds warned only of the kill and the report",
      () => {
        const expected = new Set([victim.address, alive.address]);
        for (const seed of seeds) {
          assertEquals(seed.events("seed_link_down").filter((l) => l.ts > allUp), [], seed.address);
          const other = warnings(seed).filter((l) =>
            !expected.has(String(l.properties.dead ?? l.properties.peer))
          );
          assertEquals(other, [], seed.address);
        }
      },
    );
  });
}
