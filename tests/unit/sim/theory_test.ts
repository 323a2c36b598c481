import { assert, assertEquals } from "@std/assert";
import { growOverlay } from "../../../lib/sim/overlay_model.ts";
import { summarize } from "../../../lib/sim/sim_summary.ts";
import { Simulation } from "../../../lib/sim/simulation.ts";
import { fitPowerLaw } from "../../../lib/stats/power_law.ts";

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
  // Counted again on the wire: each flood crosses every link both ways but
  // for the N-1 links its first receipts came in on.
  const floodFrames = summary.traffic.byKind.find((k) => k.kind === "app_message")?.frames;
  assertEquals(floodFrames, 12 * (2 * shot.edges - (shot.peers - 1)));
  assertEquals(
    summary.traffic.byKind.reduce((sum, k) => sum + k.frames, 0),
    summary.traffic.frames,
  );
  assertEquals(summary.traffic.byKind.some((k) => k.kind === "unparsed"), false);
});

Deno.test("sim theory: the join rule with sampled peer lists gives a power law, exponent in [2.5, 3.5] at 10,000 peers", () => {
  for (const seed of [1, 2]) {
    const degrees = growOverlay({ peers: 10_000, seed });
    const fit = fitPowerLaw(degrees);
    if (fit === undefined) throw new Error("no fit");
    assert(fit.alpha >= 2.5 && fit.alpha <= 3.5, `seed ${seed}: exponent ${fit.alpha}`);
    // Hubs exist: a power law, not the narrow spread of uniform linking.
    assert(Math.max(...degrees) >= 40, `seed ${seed}: max degree ${Math.max(...degrees)}`);
  }
});
