import { assertEquals } from "@std/assert";
import type { RunRecord } from "../../../lib/up/records.ts";
import { type Outage, percentile, type RunNode, summarizeRun } from "../../../lib/up/summary.ts";
import { trafficTotals } from "../../../lib/up/traffic.ts";

const A = "127.0.0.1:5001";
const B = "127.0.0.1:5002";
const C = "127.0.0.1:5003";
const D = "127.0.0.1:5004";
const S1 = "127.0.0.1:5000";

function rec(ts: number, event: string, fields: Record<string, unknown> = {}): RunRecord {
  return { ts, event, fields: { event, ...fields } };
}

/** listening, joined and a first link at `at`, `at + 1`, `at + 2`. */
function up(at: number, neighbor = A): RunRecord[] {
  return [
    rec(at, "listening", { address: "x" }),
    rec(at + 1, "joined", { seeds: [S1], candidates: 1 }),
    rec(at + 2, "neighbor_connected", { neighbor, direction: "out" }),
  ];
}

function gen(ts: number, origin: string, seq: number): RunRecord {
  return rec(ts, "gossip_generated", { message: `${ts}:127.0.0.1:${seq}`, origin, seq });
}

function got(ts: number, genTs: number, origin: string, seq: number): RunRecord {
  return rec(ts, "gossip_received", { message: `${genTs}:127.0.0.1:${seq}`, origin, from: A });
}

function peer(address: string, records: RunRecord[], outages: Outage[] = []): RunNode {
  return { role: "peer", address, name: `p${address.slice(-1)}`, records, outages };
}

Deno.test("summarizeRun() counts expected and delivered first receipts exactly", () => {
  const nodes = [
    peer(A, [...up(0, B), gen(1000, A, 1), gen(2000, A, 2)]),
    peer(B, [...up(10), got(1001.5, 1000, A, 1), got(2002, 2000, A, 2)]),
    // C misses message 2.
    peer(C, [...up(20), got(1003.25, 1000, A, 1)]),
  ];
  const s = summarizeRun(nodes);
  assertEquals([s.messages, s.expected, s.delivered], [2, 4, 3]);
  assertEquals(s.delivery, 0.75);
  assertEquals(s.incompleteMessages, 1);
  // Only message 1 reached everyone: 1003.25 - 1000.
  assertEquals(s.dissemination, { p50Ms: 3.25, p99Ms: 3.25, maxMs: 3.25, messages: 1 });
  assertEquals([s.seeds, s.peers], [0, 3]);
});

Deno.test("summarizeRun() reports nearest-rank p50 and p99 over messages", () => {
  const a: RunRecord[] = [...up(0, B)];
  const b: RunRecord[] = [...up(10)];
  // 100 messages taking 1..100 ms to reach B.
  for (let i = 1; i <= 100; i++) {
    a.push(gen(1000 * i, A, i));
    b.push(got(1000 * i + i, 1000 * i, A, i));
  }
  const s = summarizeRun([peer(A, a), peer(B, b)]);
  assertEquals(s.delivery, 1);
  assertEquals(s.dissemination, { p50Ms: 50, p99Ms: 99, maxMs: 100, messages: 100 });
});

Deno.test("summarizeRun() expects a message at a late joiner only within the catch-up window", () => {
  const nodes = (caughtUp: boolean) => [
    peer(A, [...up(0, B), gen(1000, A, 1), gen(2000, A, 2)]),
    peer(B, [...up(10), got(1001, 1000, A, 1), got(2001, 2000, A, 2)]),
    // D listens before message 1 but links only after it.
    peer(D, [
      rec(500, "listening", {}),
      rec(900, "joined", {}),
      rec(1500, "neighbor_connected", { neighbor: A }),
      ...(caughtUp
        ? [{ ...got(1600, 1000, A, 1), fields: { ...got(1600, 1000, A, 1).fields, catchUp: true } }]
        : []),
      got(2003, 2000, A, 2),
    ]),
  ];
  // Without catching up (a window of 0), D is not expected to have message 1.
  let s = summarizeRun(nodes(false), { catchUpWindowMs: 0 });
  assertEquals([s.expected, s.delivered, s.delivery], [3, 3, 1]);
  // Joining 500 ms after it, D is expected to catch up on it...
  s = summarizeRun(nodes(false));
  assertEquals([s.expected, s.delivered, s.incompleteMessages], [4, 3, 1]);
  // ...and when it has, its catch-up receipt does not stretch message 1's dissemination time.
  s = summarizeRun(nodes(true));
  assertEquals([s.expected, s.delivered, s.delivery], [4, 4, 1]);
  assertEquals(s.dissemination?.maxMs, 3);
});

Deno.test("summarizeRun() does not expect a message at a registered peer with no link yet", () => {
  const nodes = [
    peer(A, [...up(0, B), gen(1000, A, 1)]),
    peer(B, [...up(10), got(1001, 1000, A, 1)]),
    peer(D, [rec(5, "listening", {}), rec(6, "joined", {})]),
  ];
  const s = summarizeRun(nodes);
  assertEquals([s.expected, s.delivered], [1, 1]);
  assertEquals(s.neverJoined, [D]);
});

Deno.test("summarizeRun() excludes a peer killed after a message, even its receipts", () => {
  const nodes = [
    peer(A, [...up(0, B), gen(1000, A, 1), gen(2000, A, 2)]),
    peer(B, [...up(10), got(1001, 1000, A, 1), got(2001, 2000, A, 2)]),
    peer(C, [...up(20), got(1002, 1000, A, 1)], [{ kind: "kill", fromTs: 1500 }]),
  ];
  const s = summarizeRun(nodes);
  assertEquals([s.expected, s.delivered, s.delivery], [2, 2, 1]);
});

Deno.test("summarizeRun() counts a paused peer only for messages after its resume", () => {
  const nodes = [
    peer(A, [...up(0, B), gen(1000, A, 1), gen(1600, A, 2), gen(2000, A, 3)]),
    peer(B, [...up(10), got(1001, 1000, A, 1), got(1601, 1600, A, 2), got(2001, 2000, A, 3)]),
    // Paused 1500-1800; misses nothing it could have got afterwards.
    peer(C, [...up(20), got(1002, 1000, A, 1), got(2002, 2000, A, 3)], [
      { kind: "pause", fromTs: 1500, toTs: 1800 },
    ]),
  ];
  const s = summarizeRun(nodes, { resumeSettleMs: 100 });
  // B: 3; C: only message 3 (200 ms after the resume, past the settle window).
  assertEquals([s.expected, s.delivered], [4, 4]);
  // With the default 2 s window, C is not yet expected for message 3 either.
  const settled = summarizeRun(nodes);
  assertEquals([settled.expected, settled.delivered], [3, 3]);
});

Deno.test("summarizeRun() does not count a resumed origin's first messages as missed", () => {
  const nodes = [
    // A is paused 1000-3000; its neighbours dropped it. Its message at 3001 reaches
    // nobody (stale links); the one at 6000, after it relinked, reaches B.
    peer(A, [...up(0, B), gen(3001, A, 1), gen(6000, A, 2)], [
      { kind: "pause", fromTs: 1000, toTs: 3000 },
    ]),
    peer(B, [...up(10), got(6001, 6000, A, 2)]),
  ];
  const s = summarizeRun(nodes);
  assertEquals([s.messages, s.resumedMessages, s.expected, s.delivered], [1, 1, 1, 1]);
  assertEquals(s.delivery, 1);
  assertEquals(s.disseminationTimesMs, [1]);
  // The window is what excuses it: without one, the stale-link message is a miss.
  const strict = summarizeRun(nodes, { resumeSettleMs: 0 });
  assertEquals([strict.messages, strict.resumedMessages, strict.delivery], [2, 0, 0.5]);
});

Deno.test("summarizeRun() counts a restarted peer once its new process has joined", () => {
  const nodes = [
    peer(A, [
      ...up(0, C),
      gen(1000, A, 1),
      gen(1720, A, 2),
      gen(1765, A, 3),
      gen(1800, A, 4),
    ]),
    peer(C, [
      ...up(20),
      got(1001, 1000, A, 1),
      // Killed at 1500, started again at 1700, listening at 1750, linked at 1770.
      rec(1750, "listening", {}),
      rec(1760, "joined", {}),
      rec(1770, "neighbor_connected", { neighbor: A }),
      got(1801, 1800, A, 4),
    ], [{ kind: "kill", fromTs: 1500, toTs: 1700 }]),
  ];
  const s = summarizeRun(nodes);
  // 1: killed afterwards; 2: no process yet; 3: not linked yet; 4: expected.
  assertEquals([s.expected, s.delivered], [1, 1]);
});

Deno.test("summarizeRun() leaves out messages generated just before the stop", () => {
  const nodes = [
    peer(A, [...up(0, B), gen(1000, A, 1), gen(4000, A, 2)]),
    peer(B, [...up(10), got(1001, 1000, A, 1)]),
  ];
  const s = summarizeRun(nodes, { stopTs: 5000, settleMs: 2000 });
  assertEquals([s.messages, s.unsettledMessages, s.expected, s.delivered], [1, 1, 1, 1]);
  const all = summarizeRun(nodes);
  assertEquals([all.messages, all.expected, all.delivered], [2, 2, 1]);
});

Deno.test("summarizeRun() still expects receipts at a peer that exited on its own", () => {
  // An exit up did not cause is a failure, not an excuse.
  const nodes = [
    peer(A, [...up(0, B), gen(1000, A, 1), gen(2000, A, 2)]),
    peer(B, [...up(10), got(1001, 1000, A, 1), rec(1500, "stopping", { reason: "SIGINT" })]),
  ];
  assertEquals(summarizeRun(nodes).delivery, 0.5);
});

Deno.test("summarizeRun() counts dead reports and removals as dead", () => {
  const seed = (address: string, records: RunRecord[]): RunNode => ({
    role: "seed",
    address,
    records,
  });
  const nodes: RunNode[] = [
    seed(S1, [
      rec(1, "dead_node_report", { dead: C, reporter: A, raw: "r" }),
      rec(2, "dead_node_report", { dead: C, reporter: B, raw: "r" }),
      rec(3, "peer_removed", { peer: C, reason: "dead" }),
      rec(9, "peer_removed", { peer: A, reason: "left" }),
    ]),
    seed("127.0.0.1:4999", [
      rec(3, "peer_removed", { peer: C, reason: "dead" }),
      rec(4, "removal_rejected", { peer: B }),
      // Too few seeds could check: retried, not refuted; after the stop, not the run's.
      rec(5, "removal_rejected", { peer: B, alive: false }),
      rec(20, "removal_rejected", { peer: B, alive: false }),
      rec(21, "removal_rejected", { peer: B, alive: true }),
    ]),
    peer(A, [rec(0, "dead_node_reported", { dead: C, seeds: [S1], raw: "r" })]),
    peer(B, [rec(0, "dead_node_reported", { dead: C, seeds: [S1], raw: "r" })]),
    peer(C, []),
  ];
  const s = summarizeRun(nodes, { stopTs: 20 });
  assertEquals([s.seeds, s.peers], [2, 3]);
  assertEquals([s.deadReportsSent, s.deadReportsReceived, s.removalsRejected], [2, 2, 1]);
  assertEquals(s.removalsUndecided, 1);
  assertEquals(summarizeRun(nodes).removalsRejected, 2);
  assertEquals(s.reportedDead, [{ peer: C, name: "p3" }]);
  assertEquals(s.removals, [{ peer: C, name: "p3", seeds: 2 }]);
  assertEquals(s.delivery, undefined);
  assertEquals(s.dissemination, undefined);
});

Deno.test("trafficTotals() sums each peer's traffic lines", () => {
  const traffic = (n: number) =>
    rec(9, "traffic", {
      framesSent: n,
      bytesSent: n * 10,
      duplicates: n,
      peakRssBytes: n * 1000,
      cpuMs: n === 2 ? -1 : n * 100,
      privateRssBytes: n * 100,
    });
  const joined = rec(1, "joined", { cpuMs: 150 });
  const totals = trafficTotals([peer(A, [traffic(1), traffic(2)]), peer(B, [joined, traffic(5)])]);
  assertEquals(totals, {
    peers: 2,
    framesSent: 8,
    bytesSent: 80,
    duplicates: 8,
    maxFramesSent: 5,
    maxBytesSent: 50,
    maxPeakRssBytes: 5000,
    sumPeakRssBytes: 8000,
    // -1 means "unknown" and is left out.
    cpuMs: 600,
    // Only B logged its CPU at joining: 500 - 150.
    cpuAfterJoinMs: 350,
    sumPrivateRssBytes: 800,
  });
});

Deno.test("percentile() uses the nearest rank", () => {
  assertEquals(percentile([7], 50), 7);
  assertEquals(percentile([1, 2, 3, 4], 50), 2);
  assertEquals(percentile([1, 2, 3, 4], 99), 4);
  assertEquals(percentile([], 50), NaN);
});
