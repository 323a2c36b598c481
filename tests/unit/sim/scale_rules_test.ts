import { assert, assertEquals } from "@std/assert";
import { PEER_LIST_SAMPLE } from "../../../lib/seed/peer_requests.ts";
import { summarize } from "../../../lib/sim/sim_summary.ts";
import { Simulation } from "../../../lib/sim/simulation.ts";

async function run(thresholds?: { peerListFullMax: number; syncFullMax: number }) {
  const sim = new Simulation({
    seeds: 3,
    peers: 80,
    origins: 2,
    messages: 2,
    seed: 9,
    kill: { fraction: 0.05, atMs: 12_000 },
    tuning: { pingIntervalMs: 1000, pingMisses: 2 },
    ...(thresholds ? { thresholds } : {}),
  });
  const listSizes: number[] = [];
  sim.collector.tap = (_node, _at, event) => {
    if (event.event === "peer_list") listSizes.push(event.peers.length);
  };
  await sim.run();
  return { sim, listSizes, summary: summarize(sim) };
}

function seedLists(sim: Simulation): string[] {
  return sim.seedNodes.map((seed) =>
    seed.peers().map((p) => `${p.address.host}:${p.address.port}`).sort().join(",")
  );
}

Deno.test("sim: below the threshold peer lists are whole, as in process mode", async () => {
  const { listSizes, summary } = await run();
  // The last joiners hear of (almost) everyone before them.
  assert(Math.max(...listSizes) >= 70, `largest list ${Math.max(...listSizes)}`);
  assertEquals(summary.delivery.ratio, 1);
});

Deno.test("sim: above the threshold seeds send samples and sync deltas; the network still works", async () => {
  const { sim, listSizes, summary } = await run({ peerListFullMax: 20, syncFullMax: 20 });
  assert(listSizes.length > 0);
  assert(listSizes.every((n) => n <= Math.max(20, PEER_LIST_SAMPLE)), `${Math.max(...listSizes)}`);
  assert(listSizes.some((n) => n === PEER_LIST_SAMPLE));
  assertEquals(summary.join.joined, 80);
  assertEquals(summary.delivery.ratio, 1);
  assertEquals(summary.killed.removed, summary.killed.count);
  assertEquals(summary.falseRemovals, 0);
  // The seeds agree on the membership.
  const lists = seedLists(sim);
  assertEquals(new Set(lists).size, 1);
  assertEquals(lists[0]!.split(",").length, 80 - summary.killed.count);
});
