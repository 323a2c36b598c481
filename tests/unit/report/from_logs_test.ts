import { assert, assertEquals } from "@std/assert";
import { reportFromRunLogs } from "../../../lib/report/from_logs.ts";
import { renderReport } from "../../../lib/report/html.ts";
import { peerDegrees } from "../../../lib/report/model.ts";
import type { RunRecord } from "../../../lib/up/records.ts";
import type { RunNode } from "../../../lib/up/summary.ts";

const S1 = "127.0.0.1:5000";
const S2 = "127.0.0.1:5001";
const [A, B, C] = ["127.0.0.1:5003", "127.0.0.1:5004", "127.0.0.1:5005"];

function rec(ts: number, event: string, fields: Record<string, unknown> = {}): RunRecord {
  return { ts, event, fields: { event, ...fields } };
}

function peer(address: string, name: string, records: RunRecord[], killedAt?: number): RunNode {
  return {
    role: "peer",
    address,
    name,
    records: [rec(0, "listening", { address }), rec(1, "joined"), ...records],
    outages: killedAt === undefined ? [] : [{ kind: "kill", fromTs: killedAt }],
  };
}

function seed(address: string, name: string, records: RunRecord[]): RunNode {
  return { role: "seed", address, name, records: [rec(0, "listening", { address }), ...records] };
}

const NODES: RunNode[] = [
  seed(S1, "s1", [
    rec(1, "peer_registered", { peer: C }),
    rec(50, "removal_proposed", { peer: C, proposal: "x-1", reason: "dead" }),
    rec(51, "vote", { proposal: "x-1", peer: C, voter: S1, answer: "yes" }),
    rec(52, "vote", { proposal: "x-1", peer: C, voter: S2, answer: "yes" }),
    rec(53, "peer_removed", { peer: C, reason: "dead" }),
  ]),
  // s2 logged the registration late; the removal is still shown once.
  seed(S2, "s2", [
    rec(2, "peer_registered", { peer: C }),
    rec(54, "peer_removed", { peer: C, reason: "dead" }),
  ]),
  peer(A, "p1", [
    rec(2, "neighbor_connected", { neighbor: B }),
    rec(3, "neighbor_connected", { neighbor: C }),
    rec(10, "gossip_generated", { message: "10:127.0.0.1:1", origin: A }),
    rec(45, "neighbor_lost", { neighbor: C, reason: "remote_closed" }),
    rec(48, "dead_node_reported", { dead: C, seeds: [S1], raw: "" }),
  ]),
  peer(B, "p2", [
    rec(2, "neighbor_connected", { neighbor: A }),
    rec(12, "gossip_received", { message: "10:127.0.0.1:1", origin: A, from: A }),
  ]),
  // Killed at 40: its own list still has p1, which must not count.
  peer(C, "p3", [
    rec(3, "neighbor_connected", { neighbor: A }),
    rec(13, "gossip_received", { message: "10:127.0.0.1:1", origin: A, from: A }),
  ], 40),
];

Deno.test("reportFromRunLogs() builds the final overlay, messages and timeline", () => {
  const data = reportFromRunLogs({ nodes: NODES }, { title: "t" });
  assertEquals(data.links, [["p1", "p2"]]);
  assertEquals(data.nodes.map((n) => [n.name, n.finalState]), [
    ["s1", "up"],
    ["s2", "up"],
    ["p1", "up"],
    ["p2", "up"],
    ["p3", "removed"],
  ]);
  assertEquals(peerDegrees(data), [1, 1, 0]);
  assertEquals(data.messages, [{ origin: "p1", seq: "1", ts: 10, receipts: [12, 13] }]);
  assertEquals(data.timeline.filter((e) => e.kind !== "join").map((e) => e.text), [
    "p3 killed",
    "p1 reports p3 dead",
    "seeds vote on removing p3: yes s1, s2",
    "p3 removed as dead",
  ]);
  assertEquals(data.summary.removed, ["p3"]);
});

Deno.test("renderReport() writes self-contained HTML with an SVG per chart", () => {
  const html = renderReport(reportFromRunLogs({ nodes: NODES }, { title: "a <run>" }));
  assert(html.includes("gossipnet report: a &#60;run&#62;"));
  assertEquals(html.match(/<svg /g)?.length, 5);
  assertEquals(html.match(/<circle class="node"/g)?.length, 5);
  assertEquals(html.match(/<line class="link"/g)?.length, 1);
  assert(!/https?:|<script|src=|href=/.test(html));
});
