import { assertEquals } from "@std/assert";
import type { RunRecord } from "../../../lib/up/records.ts";
import { formatStatusLine, LiveStatus, type StatusSnapshot } from "../../../lib/up/status.ts";
import { summarizeRun } from "../../../lib/up/summary.ts";

const TYPICAL: StatusSnapshot = {
  seedsUp: 3,
  seeds: 3,
  peersUp: 30,
  peers: 30,
  links: 120,
  delivered: 4410,
  expected: 4423,
  deadReports: 12,
  removals: 3,
};

Deno.test("formatStatusLine() fits 80 columns, time first, and drops whole figures to fit", () => {
  const line = formatStatusLine(TYPICAL, { elapsedMs: 45_000, durationMs: 45_000, width: 79 });
  assertEquals(
    line,
    "45s/45s  seeds 3/3  peers 30/30  links 120  gossip 99.7%  reports 12  removed 3",
  );
  assertEquals(line.length <= 79, true);
  const narrow = formatStatusLine(TYPICAL, { elapsedMs: 5_000, durationMs: 45_000, width: 41 });
  assertEquals(narrow, "5s/45s  seeds 3/3  peers 30/30  links 120");
  // Never empty: the time always shows.
  assertEquals(formatStatusLine(TYPICAL, { elapsedMs: 5_000, width: 1 }), "5s");
});

Deno.test("formatStatusLine() shows no percentage before anything was expected", () => {
  const line = formatStatusLine({ ...TYPICAL, delivered: 0, expected: 0 }, { elapsedMs: 0 });
  assertEquals(line.includes("gossip –"), true);
});

function peerNode(name: string, port: number) {
  return {
    spec: { name, role: "peer" as const, address: `127.0.0.1:${port}` },
    state: "running" as const,
    outages: [],
  };
}

function record(ts: number, event: string, fields: Record<string, unknown> = {}): RunRecord {
  return { ts, event, fields: { event, ...fields } };
}

/** Two peers: p1 generates two messages; p2 has joined before the first and receives only it. */
const RUN: Array<[address: string, RunRecord]> = [
  ["127.0.0.1:5001", record(1, "listening")],
  ["127.0.0.1:5002", record(1, "listening")],
  ["127.0.0.1:5001", record(2, "joined")],
  ["127.0.0.1:5002", record(2, "joined")],
  ["127.0.0.1:5001", record(3, "neighbor_connected", { neighbor: "127.0.0.1:5002" })],
  ["127.0.0.1:5002", record(3, "neighbor_connected", { neighbor: "127.0.0.1:5001" })],
  ["127.0.0.1:5001", record(10, "gossip_generated", { message: "a", origin: "127.0.0.1:5001" })],
  ["127.0.0.1:5002", record(12, "gossip_received", { message: "a", origin: "127.0.0.1:5001" })],
  ["127.0.0.1:5001", record(20, "gossip_generated", { message: "b", origin: "127.0.0.1:5001" })],
];

Deno.test("LiveStatus counts delivery record by record as the final summary does", () => {
  const nodes = [peerNode("p1", 5001), peerNode("p2", 5002)];
  const status = new LiveStatus(nodes);
  for (const [address, r] of RUN) status.ingest(address, r);
  const batch = summarizeRun(nodes.map((n) => ({
    role: n.spec.role,
    address: n.spec.address,
    name: n.spec.name,
    records: RUN.filter(([a]) => a === n.spec.address).map(([, r]) => r),
    outages: n.outages,
  })));
  assertEquals(status.summary(), batch);
  assertEquals([status.snapshot().delivered, status.snapshot().expected], [1, 2]);
  assertEquals(status.snapshot().links, 1);
});

Deno.test("LiveStatus recomputes a slow summary at most 1/50 of the time", () => {
  let now = 0;
  // Every summary "takes" 10 ms on this clock.
  const status = new LiveStatus([peerNode("p1", 5001), peerNode("p2", 5002)], {
    now: () => (now += 5),
  });
  const [first, ...rest] = RUN;
  status.ingest(...first!);
  const before = status.summary();
  for (const [address, r] of rest) status.ingest(address, r);
  // Changed, but the last summary was slow and recent: the old one stands.
  assertEquals(status.summary(), before);
  now += 1000;
  assertEquals(status.summary().messages, 2);
});
