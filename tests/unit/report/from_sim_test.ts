import { assert, assertEquals, assertMatch, assertThrows } from "@std/assert";
import { isSimResult, reportFromSimResult } from "../../../lib/report/from_sim.ts";
import { peerDegrees } from "../../../lib/report/model.ts";
import { renderReport } from "../../../lib/report/html.ts";
import {
  formatSimResult,
  SIM_EPOCH_MS,
  type SimResult,
  simResult,
} from "../../../lib/sim/sim_result.ts";
import { Simulation } from "../../../lib/sim/simulation.ts";

async function smallRun() {
  const sim = new Simulation({
    seeds: 3,
    peers: 20,
    origins: 2,
    messages: 2,
    seed: 5,
    kill: { fraction: 0.1, atMs: 9_000 },
    tuning: { pingIntervalMs: 1000, pingMisses: 2 },
    untilMs: 25_000,
  });
  await sim.run();
  // Through the file's text, as `gossipnet report` reads it.
  const parsed: unknown = JSON.parse(formatSimResult(simResult(sim)));
  if (!isSimResult(parsed)) throw new Error("not a sim result");
  return { sim, result: parsed, data: reportFromSimResult(parsed) };
}

Deno.test("reportFromSimResult(): nodes, final overlay, receipts and timeline of the run", async () => {
  const { sim, result, data } = await smallRun();
  assertEquals(data.source, "simulation");
  assertMatch(data.title, /^simulation \(random seed 5\): 3 seeds and 20 peers, 20 ms latency$/);
  assertEquals(data.startTs, SIM_EPOCH_MS);
  assertEquals(data.endTs, SIM_EPOCH_MS + sim.timeline.untilMs);
  // Every node, named like up's: seeds s1.., peers p1.. in start order.
  assertEquals(data.nodes.length, 23);
  assertEquals(data.nodes.filter((n) => n.role === "seed").map((n) => n.name), ["s1", "s2", "s3"]);
  assertEquals(data.nodes[3]?.address, sim.nodes[3]?.key);
  const killed = [...sim.killed.keys()];
  assertEquals(killed.length, 2);
  for (const key of killed) {
    const node = data.nodes.find((n) => n.address === key);
    assert(node && (node.finalState === "killed" || node.finalState === "removed"));
  }
  // The overlay: exactly the running joined peers' neighbour links, each once.
  const nameOf = new Map(data.nodes.map((n) => [n.address, n.name]));
  const live = new Set(sim.livePeers().map((n) => n.key));
  const expected = new Set<string>();
  for (const n of sim.livePeers()) {
    for (const x of sim.peer(n.index)?.neighbors() ?? []) {
      if (live.has(x.key)) expected.add([nameOf.get(n.key), nameOf.get(x.key)].sort().join(" "));
    }
  }
  assert(expected.size >= 19, `only ${expected.size} links`);
  assertEquals(new Set(data.links.map((l) => [...l].sort().join(" "))), expected);
  assertEquals(data.links.length, expected.size);
  assertEquals(
    peerDegrees(data).filter((d) => d > 0).sort((a, b) => a - b),
    result.report.degrees.filter((d) => d > 0),
  );
  // One message per flood, receipts as absolute times, ascending, after generation.
  assertEquals(data.messages.length, 4);
  assertEquals(data.summary.messages, 4);
  for (const m of data.messages) {
    assert(m.receipts.length > 0);
    assert(m.receipts.every((t, i) => t >= m.ts && (i === 0 || t >= (m.receipts[i - 1] ?? 0))));
  }
  assertEquals(data.summary.delivered, result.delivery.received);
  assertEquals(data.summary.disseminationMs.length, 4);
  // Timeline: 20 joins, both deaths, ordered in time.
  // Joins at one instant share an entry; every peer is counted once.
  const joins = data.timeline.filter((e) => e.kind === "join").map((e) => e.text);
  assertEquals(
    joins.reduce((sum, t) => sum + (t.endsWith(" joined") ? 1 : Number(t.split(" ")[0])), 0),
    20,
  );
  assertEquals(data.timeline.filter((e) => e.kind === "death").length, 2);
  assert(data.timeline.every((e, i) => i === 0 || e.ts >= (data.timeline[i - 1]?.ts ?? 0)));
  assert(data.summary.notes.some((n) => n.startsWith("left out of the result file: single votes")));
  const html = renderReport(data);
  assertMatch(html, /<h1>gossipnet simulation report<\/h1>/);
  assertMatch(html, /s of virtual time/);
});

Deno.test("reportFromSimResult(): a big run's file without nodes still draws its degrees", () => {
  const result = {
    format: "gossipnet-sim-result",
    network: {
      seeds: 3,
      peers: 5000,
      seed: 1,
      latencyMs: 20,
      jitterMs: 0,
      bandwidthBps: 0,
      untilMs: 1000,
      events: 1,
    },
    join: { started: 5000, joined: 5000, allJoinedMs: 900 },
    delivery: { messages: 1, expected: 4999, received: 4999, ratio: 1 },
    duplicates: { perMessage: 3, theory: 3, edges: 1, peers: 1 },
    falseRemovals: 0,
    report: {
      epochMs: SIM_EPOCH_MS,
      startTs: SIM_EPOCH_MS,
      endTs: SIM_EPOCH_MS + 1000,
      nodes: [],
      links: [],
      degrees: [1, 2, 2, 3],
      messages: [{ origin: "p1", seq: "1", ts: SIM_EPOCH_MS + 10, expected: 4999, received: 4999 }],
      disseminationMs: [80],
      timeline: [],
      deadReports: 0,
      removed: [],
      omitted: ["nodes and overlay links: 5003 nodes is more than 500 (degrees are kept)"],
    },
  } as unknown as SimResult;
  const data = reportFromSimResult(result);
  assertEquals(data.degrees, [1, 2, 2, 3]);
  assertEquals(data.messages[0]?.receipts, []);
  const html = renderReport(data);
  assertMatch(html, /aria-label="overlay \(not drawn\)"/);
  assertMatch(html, /links not listed \(4 peers&#39; degrees\)/);
  assert(data.summary.notes.includes(
    "left out of the result file: nodes and overlay links: 5003 nodes is more than 500 (degrees are kept)",
  ));
});

Deno.test("isSimResult() and reportFromSimResult() refuse other JSON", () => {
  assert(!isSimResult({}));
  assert(!isSimResult([1]));
  assert(!isSimResult(null));
  // An older sim file: the summary only.
  const old = { format: "gossipnet-sim-result", network: {} } as unknown as SimResult;
  assertThrows(() => reportFromSimResult(old), TypeError, "report section is missing");
});
