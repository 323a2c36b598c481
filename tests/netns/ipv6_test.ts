/**
 * IPv6 across hosts, with the config spelling every seed's address the
 * long way (`fdxx:0abc:0000:…:0001`) and the seeds started with the short
 * one: the seeds must still find themselves and each other, and every log
 * must name each node one way. Needs root.
 */

import { assert, assertEquals } from "@std/assert";
import { NETNS_TIMINGS, removalBoundMs, SCHEDULING_SLACK_MS } from "../support/bounds.ts";
import { HostCluster, type HostNode, NETNS_PEER_ARGS, SEED_PORT } from "../support/host_cluster.ts";
import { assertLabAddressesOnly, waitForDelivery, waitForOverlay } from "../support/host_checks.ts";
import { waitFor } from "../support/jsonl_log.ts";
import { ignoreWithoutNetns } from "../support/netns.ts";

const ignore = await ignoreWithoutNetns(import.meta.url);

/** `fd12:34::1` → `fd12:0034:0000:0000:0000:0000:0000:0001`. */
function longForm(address: string): string {
  const [head = "", tail = ""] = address.split("::");
  const front = head.split(":").filter((g) => g !== "");
  const back = tail.split(":").filter((g) => g !== "");
  const zeros = Array<string>(8 - front.length - back.length).fill("0");
  return [...front, ...zeros, ...back].map((g) => g.padStart(4, "0")).join(":");
}

Deno.test({
  name: "IPv6 on separate hosts, seeds spelt two ways: one address each, overlay and removal",
  ignore,
}, async (t) => {
  await using net = await HostCluster.create({ seeds: 3, peers: 4, ipv6: true });
  const long = net.seedHosts.map((h) => longForm(net.hostAddress(h)));
  assert(long.every((a) => a.length === 39), long.join(" "));
  await Deno.writeTextFile(
    `${net.dir}/config.csv`,
    "host,port\n" + long.map((a) => `${a},${SEED_PORT}\n`).join(""),
  );
  const seeds = await net.startSeeds();
  const peers = net.peerHosts.map((_, i) =>
    net.startPeer(i, [...NETNS_PEER_ARGS, "--gossip-count", "1000"])
  );
  await net.explainFailure(async () => {
    await net.step(t, "the overlay forms; every address is logged in one form", async () => {
      await waitForOverlay(seeds, peers);
      assertLabAddressesOnly(net, [...seeds, ...peers]);
      assert(seeds[0]!.address.startsWith("[fd"), seeds[0]!.address);
    });

    await net.step(t, "100% delivery", async () => {
      await waitForDelivery({ origins: peers });
    });

    await net.step(t, "a killed peer is removed by every seed", async () => {
      const victim = peers[1] as HostNode;
      victim.process.signal("SIGKILL");
      await victim.process.status;
      await waitFor(
        `every seed to remove ${victim.address}`,
        () => seeds.every((s) => !s.members().has(victim.address)),
        { timeoutMs: removalBoundMs(NETNS_TIMINGS) + SCHEDULING_SLACK_MS, intervalMs: 50 },
      );
      const raw = peers.flatMap((p) => p.events("dead_node_reported"))
        .find((l) => l.properties.dead === victim.address)?.properties.raw;
      assertEquals(String(raw).split(":").slice(0, 1), ["Dead Node"]);
      assert(String(raw).includes(`[${victim.host.address6}]:`), String(raw));
    });
  });
});
