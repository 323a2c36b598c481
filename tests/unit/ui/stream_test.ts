import { assertEquals } from "@std/assert";
import type { RunRecord } from "../../../lib/up/records.ts";
import { toStreamEvent } from "../../../lib/ui/stream.ts";

const NAMES = new Map([
  ["127.0.0.1:5000", "s1"],
  ["127.0.0.1:5001", "s2"],
  ["127.0.0.1:5003", "p1"],
  ["127.0.0.1:5004", "p2"],
]);
const name = (address: string) => NAMES.get(address) ?? address;

function rec(event: string, fields: Record<string, unknown> = {}): RunRecord {
  return { ts: 10, event, fields: { event, ...fields } };
}

Deno.test("toStreamEvent() maps each dashboard event, naming nodes", async (t) => {
  const cases: Array<[string, RunRecord, unknown]> = [
    ["listening", rec("listening", { address: "127.0.0.1:5003" }), {
      type: "listening",
      ts: 10,
      node: "p1",
    }],
    ["joined", rec("joined", { seeds: [] }), { type: "joined", ts: 10, node: "p1" }],
    [
      "neighbor_connected",
      rec("neighbor_connected", { neighbor: "127.0.0.1:5004", direction: "in" }),
      { type: "link", ts: 10, node: "p1", peer: "p2", up: true },
    ],
    [
      "neighbor_lost",
      rec("neighbor_lost", { neighbor: "127.0.0.1:5004", reason: "neighbour left" }),
      { type: "link", ts: 10, node: "p1", peer: "p2", up: false, reason: "neighbour left" },
    ],
    [
      "gossip_generated",
      rec("gossip_generated", { message: "9:127.0.0.1:1", origin: "127.0.0.1:5003", seq: 1 }),
      { type: "generated", ts: 10, node: "p1", id: "p1 9:127.0.0.1:1", origin: "p1" },
    ],
    [
      "gossip_received",
      rec("gossip_received", {
        message: "9:127.0.0.1:1",
        origin: "127.0.0.1:5004",
        from: "127.0.0.1:5004",
      }),
      { type: "received", ts: 10, node: "p1", id: "p2 9:127.0.0.1:1", origin: "p2", from: "p2" },
    ],
    [
      "suspect",
      rec("suspect", { neighbor: "127.0.0.1:5004", misses: 3, helpers: [] }),
      { type: "suspect", ts: 10, node: "p1", peer: "p2" },
    ],
    [
      "suspicion_cleared",
      rec("suspicion_cleared", { neighbor: "127.0.0.1:5004", by: "x" }),
      { type: "cleared", ts: 10, node: "p1", peer: "p2" },
    ],
    [
      "dead_node_reported",
      rec("dead_node_reported", { dead: "127.0.0.1:5004", seeds: [], raw: "" }),
      { type: "reported", ts: 10, node: "p1", peer: "p2" },
    ],
    [
      "removal_proposed",
      rec("removal_proposed", { peer: "127.0.0.1:5004", proposal: "a-1", reason: "dead" }),
      { type: "proposed", ts: 10, node: "p1", peer: "p2", proposal: "a-1", reason: "dead" },
    ],
    [
      "vote",
      rec("vote", {
        proposal: "a-1",
        peer: "127.0.0.1:5004",
        voter: "127.0.0.1:5001",
        answer: "yes",
        reason: "",
      }),
      { type: "vote", ts: 10, node: "p1", peer: "p2", voter: "s2", answer: "yes", proposal: "a-1" },
    ],
    [
      "peer_removed",
      rec("peer_removed", { peer: "127.0.0.1:5004", reason: "dead" }),
      { type: "removed", ts: 10, node: "p1", peer: "p2", reason: "dead" },
    ],
    [
      "stats",
      rec("stats", {
        neighbors: [{ neighbor: "127.0.0.1:5004", rttMs: 0.5 }, {
          neighbor: "127.0.0.1:9",
          rttMs: null,
        }],
        messages: 7,
      }),
      { type: "stats", ts: 10, node: "p1", rtts: { p2: 0.5, "127.0.0.1:9": null }, messages: 7 },
    ],
  ];
  for (const [label, record, expected] of cases) {
    await t.step(label, () => assertEquals(toStreamEvent("p1", record, name), expected));
  }
});

Deno.test("toStreamEvent() skips other events and malformed records", () => {
  for (
    const record of [
      rec("traffic", { framesSent: 1 }),
      rec("ping_missed", { neighbor: "127.0.0.1:5004" }),
      rec("neighbor_connected", {}),
      rec("gossip_received", { message: "x", origin: "127.0.0.1:5004" }),
      rec("vote", { peer: "127.0.0.1:5004", voter: "127.0.0.1:5001", answer: "maybe" }),
    ]
  ) {
    assertEquals(toStreamEvent("p1", record, name), undefined, record.event);
  }
});
