import { assert, assertEquals } from "@std/assert";
import { unionPeerLists } from "../../../lib/peer/bootstrap.ts";
import { chooseNeighbors } from "../../../lib/peer/topology.ts";
import { Membership } from "../../../lib/seed/membership.ts";
import { PEER_LIST_FULL_MAX, PEER_LIST_SAMPLE } from "../../../lib/seed/peer_requests.ts";
import { summarize } from "../../../lib/sim/sim_summary.ts";
import { Simulation } from "../../../lib/sim/simulation.ts";
import { fitPowerLaw } from "../../../lib/stats/power_law.ts";
import { formatAddress } from "../../../lib/util/address.ts";
import { seededRng } from "../../../lib/util/random.ts";
import type { PeerEntry } from "../../../lib/wire/messages.ts";

Deno.test("sim theory: on a static overlay each flood gives N-1 first receipts and 2E-2(N-1) duplicates", async () => {
  const sim = new Simulation({ seeds: 3, peers: 150, origins: 4, messages: 3, seed: 5 });
  await sim.run();
  const shot = sim.snapshots[0]!;
  const final = sim.snapshots.at(-1)!;
  // Static: nothing joined, left or relinked while the floods ran.
  assertEquals(shot.peers, 150);
  assertEquals(final.edges, shot.edges);
  assertEquals(sim.floods.length, 12);
  for (const flood of sim.floods) {
    assertEquals(flood.expected, 149);
    assertEquals(sim.collector.receipts.get(flood.id)?.length, 149, flood.id);
  }
  const theory = 2 * shot.edges - 2 * (shot.peers - 1);
  assertEquals(sim.floodDuplicates, 12 * theory);
  const summary = summarize(sim);
  assertEquals(summary.duplicates.perMessage, theory);
  assertEquals(summary.duplicates.theory, theory);
  assertEquals(summary.delivery.ratio, 1);
});

// The overlay the join rule builds when degrees are current: each joiner gets
// the seeds' peer lists (whole up to PEER_LIST_FULL_MAX members, a uniform
// sample above) from a majority of 3 seeds and links to 4 of them by
// preferential attachment.
function growOverlay(peers: number, seed: number): number[] {
  const rng = seededRng(seed);
  const clock = { now: () => 0, setTimeout: () => 0, clearTimeout() {} };
  const membership = new Membership({ clock });
  const degrees: number[] = [];
  const indexOf = new Map<string, number>();
  const address = (i: number) => ({
    host: `10.${1 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}`,
    port: 6000,
  });
  for (let i = 0; i < peers; i++) {
    const self = address(i);
    const key = formatAddress(self);
    const lists: PeerEntry[][] = [];
    for (let s = 0; s < 2; s++) {
      const records = membership.size <= PEER_LIST_FULL_MAX
        ? membership.members()
        : membership.sample(PEER_LIST_SAMPLE, rng, key);
      lists.push(records.map((r) => ({
        address: r.address,
        degree: degrees[indexOf.get(formatAddress(r.address)) as number] as number,
      })));
    }
    const chosen = chooseNeighbors(unionPeerLists(lists, self), 4, rng);
    degrees.push(chosen.length);
    for (const c of chosen) degrees[indexOf.get(c.key) as number]! += 1;
    indexOf.set(key, i);
    membership.apply({
      address: self,
      state: "member",
      version: { stamp: i + 1, origin: "seed" },
      degree: 0,
    });
  }
  return degrees;
}

Deno.test("sim theory: the join rule with sampled peer lists gives a power law, exponent in [2.5, 3.5] at 10,000 peers", () => {
  for (const seed of [1, 2]) {
    const degrees = growOverlay(10_000, seed);
    const fit = fitPowerLaw(degrees);
    if (fit === undefined) throw new Error("no fit");
    assert(fit.alpha >= 2.5 && fit.alpha <= 3.5, `seed ${seed}: exponent ${fit.alpha}`);
    // Hubs exist: a power law, not the narrow spread of uniform linking.
    assert(Math.max(...degrees) >= 40, `seed ${seed}: max degree ${Math.max(...degrees)}`);
  }
});
