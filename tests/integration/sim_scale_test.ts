import { assert, assertEquals } from "@std/assert";
import { summarize } from "../../lib/sim/sim_summary.ts";
import { Simulation } from "../../lib/sim/simulation.ts";

// Minutes of CPU: run with GOSSIPNET_SIM_SCALE=1 (figures in docs/benchmarks.md).
const enabled = Deno.env.get("GOSSIPNET_SIM_SCALE") === "1";

Deno.test({
  name: "sim at 10,000 peers: all join, floods reach everyone, the exponent lies in [2.5, 3.5]",
  ignore: !enabled,
  fn: async () => {
    const sim = new Simulation({ seeds: 5, peers: 10_000, origins: 5, joinSpacingMs: 2, seed: 3 });
    await sim.run();
    const s = summarize(sim);
    assertEquals(s.join.joined, 10_000);
    assertEquals(s.delivery.ratio, 1);
    assertEquals(s.duplicates.perMessage, s.duplicates.theory);
    const alpha = s.degrees.exponent;
    assert(alpha !== null && alpha >= 2.5 && alpha <= 3.5, `exponent ${alpha}`);
  },
});
