import { assert, assertEquals } from "@std/assert";
import type { LogEvent } from "../../../lib/log/events.ts";
import { Simulation } from "../../../lib/sim/simulation.ts";

// Fast liveness so a crash is found in a few virtual seconds.
const TUNING = { pingIntervalMs: 1000, pingMisses: 2 };

interface Seen {
  node: number;
  at: number;
  event: LogEvent;
}

function build() {
  const sim = new Simulation({
    seeds: 3,
    peers: 20,
    origins: 0,
    seed: 11,
    tuning: TUNING,
    // Four peers are cut off from 40 s to 50 s.
    partition: { fraction: 0.2, fromMs: 40_000, toMs: 50_000 },
  });
  const seen: Seen[] = [];
  sim.collector.tap = (node, at, event) => seen.push({ node, at, event });
  return { sim, seen };
}

function removedBy(seen: Seen[], peer: string, reason: string, after = 0): number {
  return new Set(
    seen.filter((s) =>
      s.at >= after && s.event.event === "peer_removed" && s.event.peer === peer &&
      s.event.reason === reason
    ).map((s) => s.node),
  ).size;
}

function members(sim: Simulation): Set<string>[] {
  return sim.seedNodes.map((seed) =>
    new Set(seed.peers().map((p) => `${p.address.host}:${p.address.port}`))
  );
}

Deno.test("sim: 3 seeds and 20 peers join, gossip, lose a crashed peer and a leaver, and heal a partition", async () => {
  const { sim, seen } = build();
  const peers = () => sim.nodes.filter((n) => n.kind === "peer");

  // Join: every peer registers with a majority and every seed lists all 20.
  await sim.runUntil(3_000);
  assertEquals(sim.collector.joinedAt.size, 20);
  for (const list of members(sim)) assertEquals(list.size, 20);
  assert(sim.livePeers().every((n) => (sim.peer(n.index)?.neighbors().length ?? 0) > 0));

  // Gossip: a message reaches the 19 others, each once.
  const [first, crashed, leaver] = peers();
  const id = sim.publish(first!.index, "hello")!;
  await sim.runUntil(4_000);
  const receipts = seen.filter((s) => s.event.event === "message_received" && s.event.id === id);
  assertEquals(receipts.length, 19);
  assertEquals(new Set(receipts.map((s) => s.node)).size, 19);

  // Crash: reported dead by a neighbour and removed by a seed majority.
  sim.crash(crashed!.index);
  await sim.runUntil(20_000);
  assert(
    seen.some((s) => s.event.event === "dead_node_reported" && s.event.dead === crashed!.key),
    "the crash was reported",
  );
  assert(removedBy(seen, crashed!.key, "dead") >= 2, "a majority removed the crashed peer");
  for (const list of members(sim)) assert(!list.has(crashed!.key));

  // Clean leave: removed as left, never reported dead.
  sim.leave(leaver!.index);
  await sim.runUntil(30_000);
  assert(removedBy(seen, leaver!.key, "left") >= 2, "a majority removed the leaver as left");
  assert(!seen.some((s) => s.event.event === "dead_node_reported" && s.event.dead === leaver!.key));
  for (const list of members(sim)) assertEquals(list.size, 18);

  // Partition: the cut-off peers look dead to the rest and are removed...
  const isolated = sim.isolated.filter((key) => key !== crashed!.key && key !== leaver!.key);
  assert(isolated.length >= 2);
  await sim.runUntil(50_000);
  for (const key of isolated) {
    assert(removedBy(seen, key, "dead", 40_000) >= 2, `${key} removed while cut off`);
  }
  // ...and after the heal they register again and a message reaches every running peer.
  await sim.runUntil(70_000);
  for (const list of members(sim)) {
    for (const key of isolated) assert(list.has(key), `${key} listed again after the heal`);
  }
  const after = sim.publish(first!.index, "after the heal")!;
  await sim.runUntil(75_000);
  const reached = new Set(
    seen.filter((s) => s.event.event === "message_received" && s.event.id === after).map((s) =>
      s.node
    ),
  );
  const running = sim.nodes.filter((n) =>
    n.kind === "peer" && n.state === "running" && n.index !== first!.index
  );
  assertEquals(running.length, 17);
  assert(isolated.every((key) => running.some((n) => n.key === key)));
  for (const n of running) assert(reached.has(n.index), `${n.key} got the message after the heal`);
});
