import { assert, assertEquals, assertStringIncludes } from "@std/assert";
import type { RunSummary } from "../../../lib/up/summary.ts";
import { formatMs, formatPercent, formatSummary } from "../../../lib/up/summary_text.ts";

const FULL: RunSummary = {
  seeds: 3,
  peers: 6,
  messages: 30,
  unsettledMessages: 0,
  settleMs: 2000,
  expected: 150,
  delivered: 150,
  delivery: 1,
  incompleteMessages: 0,
  resumedMessages: 0,
  resumeSettleMs: 2000,
  dissemination: { p50Ms: 1.234, p99Ms: 5.5, maxMs: 6, messages: 30 },
  disseminationTimesMs: [1.234, 5.5, 6],
  deadReportsSent: 2,
  deadReportsReceived: 4,
  reportedDead: [{ peer: "127.0.0.1:5005", name: "p3" }],
  removals: [{ peer: "127.0.0.1:5005", name: "p3", seeds: 3 }],
  removalsRejected: 0,
  neverJoined: [],
};

Deno.test("formatPercent() never rounds a shortfall up to 100%", () => {
  assertEquals(formatPercent(1), "100%");
  assertEquals(formatPercent(149 / 150), "99.3%");
  assertEquals(formatPercent(0.99999), "99.9%");
  assertEquals(formatPercent(0), "0.0%");
});

Deno.test("formatMs() keeps sub-millisecond precision for small times", () => {
  assertEquals([formatMs(0.5), formatMs(12.34), formatMs(2500)], ["0.50 ms", "12.3 ms", "2.50 s"]);
});

Deno.test("formatSummary() states delivery, its definition, timing, reports and removals", () => {
  const text = formatSummary(FULL, { elapsedMs: 12_345, logDir: "logs/run-x", seedCount: 3 });
  assert(text.startsWith("Summary: 3 seeds, 6 peers, ran 12.3 s\n"), text);
  assertStringIncludes(
    text,
    "delivery       100% (150 of 150 expected first receipts, 30 messages)",
  );
  assertStringIncludes(text, "expected = each message × the peers that had joined");
  assertStringIncludes(text, "p50 1.23 ms, p99 5.50 ms, max 6.00 ms (30 messages");
  assertStringIncludes(text, "2 sent by peers about p3 (127.0.0.1:5005); 4 received by seeds");
  assertStringIncludes(text, "p3 (127.0.0.1:5005) removed by 3 of 3 seeds");
  assertStringIncludes(text, "logs           logs/run-x");
});

Deno.test("formatSummary() says so when nothing could be counted", () => {
  const text = formatSummary({
    ...FULL,
    expected: 0,
    delivered: 0,
    delivery: undefined,
    dissemination: undefined,
    removals: [],
    reportedDead: [],
    messages: 0,
    unsettledMessages: 4,
  });
  assertStringIncludes(text, "no gossip to count");
  assertStringIncludes(text, "4 messages generated in the last 2s before the stop not counted");
  assertStringIncludes(text, "removals       none");
});
