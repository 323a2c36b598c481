/**
 * Looking into a running network of real processes: `gossipnet members`,
 * `gossipnet status` (tables and `--json`) and a Prometheus scrape of
 * `/metrics`, each parsed and checked against what the network did.
 */

import { assert, assertEquals, assertMatch, assertStringIncludes } from "@std/assert";
import type { MemberJson } from "../../lib/cli/inspect_text.ts";
import { type NodeStatus, parseNodeStatus } from "../../lib/node/node_status.ts";
import { Cluster } from "../support/cluster.ts";
import { events, waitFor, waitForEvent } from "../support/jsonl_log.ts";
import { allJoined, FAST_PEER_ARGS } from "../support/network.ts";
import { freePortBlock } from "../support/ports.ts";
import { describeOutcome, runCli } from "../support/run_cli.ts";

async function cli(args: string[]): Promise<string> {
  const outcome = await runCli(args);
  assertEquals(outcome.code, 0, describeOutcome(args, outcome));
  assertEquals(outcome.stderr, "", describeOutcome(args, outcome));
  return outcome.stdout;
}

async function status(address: string): Promise<NodeStatus> {
  return parseNodeStatus(await cli(["status", "--node", address, "--json"]));
}

/** `name{labels}` → value, from Prometheus text. */
async function scrape(address: string): Promise<Map<string, number>> {
  const response = await fetch(`http://${address}/metrics`);
  assertEquals(response.status, 200);
  assertMatch(response.headers.get("content-type") ?? "", /^text\/plain; version=0\.0\.4/);
  const samples = new Map<string, number>();
  for (const line of (await response.text()).split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const match = /^(gossipnet_\w+(?:\{[^}]*\})?) (\S+)$/.exec(line);
    if (!match) throw new Error(`Not a gossipnet sample: ${line}`);
    samples.set(match[1]!, Number(match[2]));
  }
  return samples;
}

Deno.test("members, status and /metrics describe a running network", async () => {
  await using cluster = await Cluster.create({ seeds: 3, peerSlots: 3 });
  const metricsBase = freePortBlock(2);
  const seedMetrics = `127.0.0.1:${metricsBase}`;
  const peerMetrics = `127.0.0.1:${metricsBase + 1}`;
  await cluster.explainFailure(async () => {
    const seeds = [0, 1, 2].map((i) => cluster.seed(i, i === 0 ? ["--metrics", seedMetrics] : []));
    const args = [...FAST_PEER_ARGS, "--gossip-count", "3"];
    const peers = [0, 1, 2].map((i) =>
      cluster.peer(i, i === 0 ? [...args, "--metrics", peerMetrics] : args)
    );
    await allJoined(peers);
    const [seed] = seeds;
    const [p0, p1, p2] = peers;
    if (!seed || !p0 || !p1 || !p2) throw new Error("nodes missing");
    // Every peer has had time to generate and spread its gossip.
    await waitFor(
      "each peer to receive the other two peers' 6 gossip messages",
      () => [p0, p1, p2].every((p) => events(p.logPath, "gossip_received").length === 6),
    );
    await waitForEvent(seed.logPath, "metrics_listening", (e) => e.address === seedMetrics);
    const published = await cli(["send", "--peer", p1.address, "counted"]);
    await waitForEvent(p0.logPath, "message_received", (e) => e.id === published.trim());

    // members: each peer once, as a member, with the degree it reported.
    const members = JSON.parse(
      await cli(["members", "--seed", seed.address, "--json"]),
    ) as MemberJson[];
    assertEquals(members.map((m) => m.address).sort(), peers.map((p) => p.address).sort());
    for (const member of members) {
      assertEquals(member.state, "member");
      // Degree updates go to the peer's own majority of seeds; this seed may know an older one.
      assert(member.degree >= 0 && member.degree <= 2, `degree ${member.degree}`);
      assert(member.since > 0);
    }
    const table = await cli(["members", "--seed", seed.address]);
    assertStringIncludes(table, `3 members in the Peer List of ${seed.address} (0 removed)\n`);
    for (const peer of peers) {
      assertMatch(table, new RegExp(`^${peer.address}\\s+member\\s+[012]\\s`, "m"));
    }

    // status of a peer: role, neighbours with RTT, Message List, counters.
    const peerStatus = await waitFor("p0's first ping round trips", async () => {
      const s = await status(p0.address);
      return s.role === "peer" && s.neighbors.every((n) => n.rttMs !== null) ? s : undefined;
    });
    if (peerStatus.role !== "peer") throw new Error("p0 is not a peer");
    assertEquals(peerStatus.address, p0.address);
    assertEquals(peerStatus.joined, true);
    assertEquals(peerStatus.seeds.length, 2);
    assert(peerStatus.neighborCount >= 1);
    assertEquals(peerStatus.neighbors.length, peerStatus.neighborCount);
    for (const n of peerStatus.neighbors) {
      assert(n.rttMs! >= 0 && n.rttMs! < 1000, `rtt ${n.rttMs}`);
    }
    assertEquals(peerStatus.counters.gossip_generated, 3);
    assertEquals(peerStatus.counters.gossip_received, 6);
    assertEquals(peerStatus.counters.message_received, 1);
    // 9 gossip messages and 1 application message, each remembered once.
    assertEquals(peerStatus.messageList.entries, 10);
    assert(peerStatus.traffic.framesReceived > 0 && peerStatus.uptimeMs > 0);
    const peerText = await cli(["status", "--node", p0.address]);
    assertStringIncludes(peerText, `peer ${p0.address} (node ${peerStatus.nodeId})`);
    assertStringIncludes(peerText, "Message List: 10 entries");

    // status of a seed.
    const seedStatus = await status(seed.address);
    if (seedStatus.role !== "seed") throw new Error("not a seed");
    assertEquals(seedStatus.ready, true);
    assertEquals(seedStatus.members, 3);
    assertEquals(seedStatus.seedLinks.length, 2);
    assertStringIncludes(await cli(["status", "--node", seed.address]), "3 peers in the Peer List");

    // /metrics agrees with status and the logs.
    const s = await scrape(seedMetrics);
    assertEquals(s.get("gossipnet_members"), 3);
    assertEquals(s.get("gossipnet_seed_links"), 2);
    assertEquals(s.get("gossipnet_ready"), 1);
    const proposals = events(seed.logPath, "registration_proposed").length;
    assertEquals(
      s.get("gossipnet_registrations_total"),
      events(seed.logPath, "peer_registered").length,
    );
    assert((s.get('gossipnet_votes_total{answer="yes"}') ?? 0) >= proposals, "votes");
    assert((s.get("gossipnet_frames_received_total") ?? 0) > 0);
    const p = await scrape(peerMetrics);
    assertEquals(p.get("gossipnet_gossip_generated_total"), 3);
    assertEquals(p.get("gossipnet_gossip_received_total"), 6);
    assertEquals(p.get("gossipnet_messages_received_total"), 1);
    assertEquals(p.get("gossipnet_message_list_entries"), 10);
    assertEquals(p.get("gossipnet_neighbors"), peerStatus.neighborCount);
    assertEquals(p.get("gossipnet_joined"), 1);
    assert((p.get("gossipnet_bytes_sent_total") ?? 0) > 0);
    assert(
      p.has(
        `gossipnet_info{role="peer",node_id="${peerStatus.nodeId}",address="${p0.address}",version="${peerStatus.version}"}`,
      ),
    );
    const missing = await fetch(`http://${peerMetrics}/`);
    assertEquals(missing.status, 404);
    await missing.body?.cancel();
  });
});

Deno.test("members and status fail with one line when they cannot get an answer", async () => {
  await using cluster = await Cluster.create({ seeds: 1, peerSlots: 2 });
  await cluster.explainFailure(async () => {
    cluster.seed(0);
    const peer = cluster.peer(0, FAST_PEER_ARGS);
    await allJoined([peer]);
    const nobody = `127.0.0.1:${cluster.peerPorts[1]}`;
    const cases: Array<[string[], string]> = [
      [
        ["members", "--seed", peer.address],
        `${peer.address} is a peer, not a seed: ask a seed for the members`,
      ],
      [["status", "--node", nobody], `Cannot reach ${nobody}: connection refused`],
      [["members", "--seed", nobody], `Cannot reach ${nobody}: connection refused`],
    ];
    for (const [args, message] of cases) {
      const outcome = await runCli(args);
      assertEquals(outcome.code, 1, describeOutcome(args, outcome));
      assertEquals(outcome.stderr, `gossipnet: ${message}\n`);
      assertEquals(outcome.stdout, "");
    }
  });
});
