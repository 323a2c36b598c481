import { assert, assertEquals, assertNotEquals } from "@std/assert";
import { formatSimResult, simResult } from "../../../lib/sim/sim_result.ts";
import { formatSimSummary, summarize } from "../../../lib/sim/sim_summary.ts";
import { type SimOptions, Simulation } from "../../../lib/sim/simulation.ts";

const SCENARIO: SimOptions = {
  seeds: 3,
  peers: 60,
  origins: 3,
  messages: 2,
  jitterMs: 15,
  kill: { fraction: 0.05, atMs: 9_000 },
  churnPerSecond: 2,
  tuning: { pingIntervalMs: 1000, pingMisses: 2 },
  untilMs: 25_000,
};

async function runOnce(seed: number) {
  const sim = new Simulation({ ...SCENARIO, seed });
  await sim.run();
  const summary = summarize(sim);
  const edges = sim.livePeers().flatMap((n) =>
    (sim.peer(n.index)?.neighbors() ?? []).map((x) => `${n.key}>${x.key}`)
  ).sort();
  return {
    json: JSON.stringify(summary),
    text: formatSimSummary(summary),
    file: formatSimResult(simResult(sim, summary)),
    edges,
    summary,
  };
}

Deno.test("sim: the same seed gives an identical summary; another seed another overlay", async () => {
  const a = await runOnce(42);
  const b = await runOnce(42);
  assertEquals(b.json, a.json);
  assertEquals(b.text, a.text);
  assertEquals(b.file, a.file);
  assertEquals(b.edges, a.edges);
  // The scenario did run: floods, a kill and churn.
  assertEquals(a.summary.delivery.messages, 6);
  assertEquals(a.summary.killed.count, 3);
  // A person reads it at 80 columns: long figures wrap under their label.
  const long = a.text.split("\n").filter((line) => line.length > 80);
  assertEquals(long, []);
  assert(/\n {17}\S/.test(a.text), `nothing wrapped under a label:\n${a.text}`);
  const c = await runOnce(43);
  assertNotEquals(c.edges, a.edges);
});

Deno.test("sim summary: one seed and one message are counted in the singular", async () => {
  const sim = new Simulation({
    seeds: 1,
    peers: 4,
    origins: 1,
    messages: 1,
    seed: 7,
    untilMs: 8_000,
  });
  await sim.run();
  const text = formatSimSummary(summarize(sim));
  assert(text.startsWith("Simulated 1 seed and 4 peers for"), text);
  assert(text.includes("expected receipts of 1 message)"), text);
});
