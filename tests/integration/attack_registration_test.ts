/**
 * Issue 10, unchecked registration: a registration is accepted only from
 * the node that answers at the advertised address, and never for a seed's
 * address, so nobody can list phantoms or squat a seed's port for the
 * links of new peers.
 */

import { assert, assertEquals, assertMatch } from "@std/assert";
import type { Message } from "../../lib/wire/messages.ts";
import { assertUnharmed, startNetwork } from "../support/attack.ts";
import { FakePeer } from "../support/fake_peer.ts";
import { events, waitForEvent } from "../support/jsonl_log.ts";
import { FAST_PEER_ARGS, seedMembers } from "../support/network.ts";
import { helloAs, RawClient } from "../support/raw_client.ts";

/** Registers the claimed address with a seed; returns the seed's answer. */
async function register(seedPort: number, hello: Message): Promise<Message | undefined> {
  await using registrant = await RawClient.saying(seedPort, hello);
  await registrant.send({ kind: "register", degree: 3 });
  return await registrant.receive((m) => m.kind === "refused" || m.kind === "registered", 8000);
}

Deno.test("registration is checked: phantoms, borrowed addresses and seeds' ports are refused", async (t) => {
  const network = await startNetwork({ seeds: 3, peers: 2, spare: 3 });
  await using _cluster = network.cluster;
  await network.cluster.explainFailure(async () => {
    const { cluster, seeds, peers } = network;
    const s1 = seeds[0]!;
    const nobody = cluster.peerPorts.at(-1)!;

    await t.step("an address where nothing listens", async () => {
      const answer = await register(s1.port, helloAs("peer", nobody));
      assertEquals(answer?.kind, "refused");
      if (answer?.kind !== "refused") return;
      assertEquals(answer.reason, "unverified");
      assertMatch(answer.text, /^Cannot verify 127\.0\.0\.1:\d+: unreachable: /);
    });

    await t.step("a live peer's address, from another node", async () => {
      const live = peers[0]!;
      const answer = await register(s1.port, helloAs("peer", live.port, "00000000000000d1"));
      assertEquals(answer?.kind === "refused" && answer.reason, "unverified");
      assertMatch(answer?.kind === "refused" ? answer.text : "", /another node answers there/);
    });

    await t.step("a hostname that is not an address (a fuzzer's 127.0.0n1)", async () => {
      const hello: Message = {
        kind: "hello",
        version: 1,
        role: "peer",
        nodeId: "00000000000000d2",
        address: { host: "127.0.0n1", port: 9 },
      };
      const answer = await register(s1.port, hello);
      assertEquals(answer?.kind === "refused" && answer.reason, "unverified");
    });

    await t.step("a stopped seed's port, squatted by a node that answers as a peer", async () => {
      const stopped = seeds[2]!;
      await stopped.stop();
      await using squatter = new FakePeer(stopped.port);
      const answer = await register(s1.port, helloAs("peer", stopped.port, "00000000000000fe"));
      assertEquals(answer?.kind === "refused" && answer.reason, "unverified");
      assertMatch(answer?.kind === "refused" ? answer.text : "", /is a seed's address/);
      // A new peer joins: it never hears of the squatter, and links only to real peers.
      const late = cluster.peer(peers.length, FAST_PEER_ARGS);
      await waitForEvent(late.logPath, "neighbor_connected");
      const offered = events(late.logPath, "peer_list").flatMap((e) => e.peers as string[]);
      assert(!offered.includes(stopped.address), JSON.stringify(offered));
      const linked = events(late.logPath, "neighbor_connected").map((e) => e.neighbor);
      assert(!linked.includes(stopped.address), JSON.stringify(linked));
      assertEquals(squatter.links.size, 0);
      peers.push(late);
      network.seeds = seeds.slice(0, 2);
      // Each live seed applies the majority's decision on its own: wait for both.
      for (const seed of network.seeds) {
        await waitForEvent(seed.logPath, "peer_registered", (e) => e.peer === late.address);
      }
    });

    await t.step("nothing was listed but the real peers", () => {
      for (const seed of network.seeds) {
        assertEquals([...seedMembers(seed)].sort(), peers.map((p) => p.address).sort());
        const refusals = events(seed.logPath, "peer_refused");
        assert(refusals.every((r) => r.reason === "unverified"), JSON.stringify(refusals));
      }
      assertUnharmed(network);
    });
  });
});
