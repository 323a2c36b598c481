import { assertEquals } from "@std/assert";
import { formatStatusLine, type StatusSnapshot } from "../../../lib/up/status.ts";

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
