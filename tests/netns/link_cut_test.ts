/**
 * Holds up on a real network: cables pulled and plugged back in, and
 * blackhole routes between two hosts. Losses are silent, as on a real
 * network: no connection is refused, packets simply vanish. Needs root.
 */

import { assert, assertEquals } from "@std/assert";
import { NETNS_TIMINGS, removalBoundMs, SCHEDULING_SLACK_MS } from "../support/bounds.ts";
import { HostCluster, type HostNode, NETNS_PEER_ARGS } from "../support/host_cluster.ts";
import { waitForDelivery, waitForOverlay, waitForSettledLinks } from "../support/host_checks.ts";
import { waitFor } from "../support/jsonl_log.ts";
import { ignoreWithoutNetns } from "../support/netns.ts";

const ignore = await ignoreWithoutNetns(import.meta.url);
const REMOVAL_WAIT_MS = removalBoundMs(NETNS_TIMINGS) + SCHEDULING_SLACK_MS;

/** Peer lists of every seed, as `members` sets, for "nobody else was removed" checks. */
function removedBy(seeds: readonly HostNode[], since: number): string[] {
  return seeds.flatMap((s) =>
    s.events("peer_removed").filter((l) => l.ts > since).map((l) =>
      `${s.address} removed ${l.properties.peer}`
    )
  );
}

/** Chance that `helpers` of `others` sampled at random include one of `common`. */
function helperChance(others: number, common: number, helpers = 3): number {
  if (common === 0) return 0;
  let missAll = 1;
  for (let i = 0; i < Math.min(helpers, others); i++) {
    missAll *= (others - common - i) / (others - i);
  }
  return 1 - Math.max(0, missAll);
}

/**
 * Two linked peers that can vouch for each other through a common
 * neighbour. A suspected neighbour is cleared only if one of the (up to 3)
 * neighbours asked at random is linked to it too; a pair with no common
 * neighbour is rightly reported. Picks the pair most likely to clear both
 * ways (with at most 3 other links each, certain).
 */
function blackholePair(peers: readonly HostNode[]): [HostNode, HostNode] {
  const links = new Map(peers.map((p) => [p.address, p.neighbors()]));
  let best: { pair: [HostNode, HostNode]; chance: number } | undefined;
  for (const a of peers) {
    const mine = links.get(a.address)!;
    for (const key of mine) {
      const b = peers.find((p) => p.address === key);
      if (!b) continue;
      const ofA = [...mine].filter((k) => k !== key);
      const ofB = [...links.get(key)!].filter((k) => k !== a.address);
      const common = ofA.filter((k) => ofB.includes(k)).length;
      const chance = helperChance(ofA.length, common) * helperChance(ofB.length, common);
      if (!best || chance > best.chance) best = { pair: [a, b], chance };
    }
  }
  if (!best || best.chance === 0) throw new Error("No linked pair has a common neighbour");
  return best.pair;
}

Deno.test({
  name: "link cuts on separate hosts: a pulled cable, a blackholed pair, an isolated seed",
  ignore,
}, async (t) => {
  await using net = await HostCluster.create({ seeds: 3, peers: 6, spare: 1 });
  const seeds = await net.startSeeds();
  const peers = net.peerHosts.map((_, i) =>
    net.startPeer(i, [...NETNS_PEER_ARGS, "--gossip-count", "1000"])
  );
  await net.explainFailure(async () => {
    await waitForOverlay(seeds, peers);
    const [s1, s2, s3] = seeds as [HostNode, HostNode, HostNode];

    const unplugged = peers[0] as HostNode;
    const others = peers.filter((p) => p !== unplugged);
    let cutAt = Date.now();
    await net.lab.cut(unplugged.host);
    await net.step(t, "a pulled cable: every seed removes that peer, and only it", async () => {
      await waitFor(
        `every seed to remove ${unplugged.address}`,
        () => seeds.every((s) => !s.members().has(unplugged.address)),
        { timeoutMs: REMOVAL_WAIT_MS, intervalMs: 50 },
      );
      await waitForDelivery({ origins: others, after: Date.now() });
      assertEquals(removedBy(seeds, cutAt).filter((r) => !r.endsWith(unplugged.address)), []);
    });

    let restoredAt = Date.now();
    await net.lab.restore(unplugged.host);
    await net.step(
      t,
      "plugged back in: it registers again, relinks and gets every message",
      async () => {
        await waitFor(
          "the peer to register again with a majority and link",
          () =>
            unplugged.events("seed_connected").filter((l) => l.ts > restoredAt).length >= 2 &&
            unplugged.events("neighbor_connected").some((l) => l.ts > restoredAt),
          { timeoutMs: 30_000, intervalMs: 50 },
        );
        await waitForOverlay(seeds, peers);
        await waitForDelivery({ origins: peers, after: await waitForSettledLinks(peers) });
        // While cut off it reported all its neighbours dead to seeds it could
        // not reach; nothing of that removed anyone.
        assertEquals(removedBy(seeds, restoredAt), []);
      },
    );

    await net.step(
      t,
      "a blackholed pair of neighbours: neither is removed, both get everything",
      async () => {
        const [a, b] = blackholePair(peers);
        cutAt = Date.now();
        await net.lab.blackhole(a.host, b.host);
        // Each misses the other's pings; another neighbour answers for it.
        await waitFor(
          `${a.address} to suspect ${b.address} and hear it is alive`,
          () =>
            a.events("suspicion_cleared").some((l) =>
              l.ts > cutAt && l.properties.neighbor === b.address
            ),
          { timeoutMs: REMOVAL_WAIT_MS, intervalMs: 50 },
        );
        await waitForDelivery({ origins: peers, after: Date.now() });
        assertEquals(removedBy(seeds, cutAt), []);
        await net.lab.unblackhole(a.host, b.host);
      },
    );

    await net.step(t, "a seed cut off from the other seeds removes nobody on its own", async () => {
      await net.lab.blackhole(s3.host, s1.host);
      await net.lab.blackhole(s3.host, s2.host);
      const victim = peers[3] as HostNode;
      cutAt = Date.now();
      victim.process.signal("SIGKILL");
      await victim.process.status;
      // The operator reports it to the isolated seed: the peer is dead, but
      // one seed of three is no majority.
      const report = await net.gossipnet(net.spareHosts[0]!, [
        "report-dead",
        "--seed",
        s3.address,
        "--dead",
        victim.address,
      ]);
      assertEquals(report.code, 0, report.stderr);
      assert(/^rejected/.test(report.stdout), report.stdout);
      await waitFor(
        "seeds 1 and 2 to remove the victim",
        () => [s1, s2].every((s) => !s.members().has(victim.address)),
        { timeoutMs: REMOVAL_WAIT_MS, intervalMs: 50 },
      );
      await waitFor(
        "the isolated seed to reject the removal",
        () => s3.events("removal_rejected").some((l) => l.properties.peer === victim.address),
      );
      assert(s3.members().has(victim.address), "the isolated seed removed it alone");
      restoredAt = Date.now();
      await net.lab.unblackhole(s3.host, s1.host);
      await net.lab.unblackhole(s3.host, s2.host);
      // Reconnected, it catches up by sync: the majority's decision, not its own.
      await waitFor(
        "the reconnected seed to catch up",
        () => !s3.members().has(victim.address),
        { timeoutMs: 30_000, intervalMs: 50 },
      );
      const others = peers.filter((p) => p !== victim && p.address !== victim.address);
      assertEquals(removedBy(seeds, cutAt).filter((r) => !r.endsWith(victim.address)), []);
      await waitForDelivery({ origins: others, after: Date.now() });
    });
  });
});
