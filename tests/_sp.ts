import { Simulation } from "/work/gn-sim/lib/sim/simulation.ts";
import { summarize } from "/work/gn-sim/lib/sim/sim_summary.ts";
const peers = Number(Deno.args[0]);
const spacing = Number(Deno.args[1]);
const sim = new Simulation({
  seeds: 3,
  peers,
  joinSpacingMs: spacing,
  seed: Number(Deno.args[2] ?? 1),
});
const t0 = performance.now();
await sim.run();
const s = summarize(sim);
console.log(peers, spacing, s.degrees, s.network.events, Math.round(performance.now() - t0));
