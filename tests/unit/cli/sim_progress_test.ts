import { assert, assertEquals } from "@std/assert";
import { progressLine } from "../../../lib/cli/sim.ts";

const HALF = { virtualMs: 67_500, events: 500_000 };

Deno.test("progressLine() draws a 20-wide bar with room to spare", () => {
  assertEquals(
    progressLine(HALF, 135_000, 5_000),
    "sim [##########----------]  50%  virtual 67.5s/135.0s  wall 5.0s  100000 events/s",
  );
});

Deno.test("progressLine() never fills a terminal's last column, so redraws stay on one line", async (t) => {
  // A 100,000-peer run near its end: the longest figures sim prints.
  const late = { virtualMs: 185_900, events: 37_457_691 };
  for (const columns of [120, 80, 60, 40, 10, 1]) {
    await t.step(`${columns} columns`, () => {
      const line = progressLine(late, 186_000, 1_046_300, columns);
      assert(line.length <= columns - 1 || line === "", `${line.length}: ${line}`);
    });
  }
  await t.step("the bar narrows before any figure is cut", () => {
    const line = progressLine(late, 186_000, 1_046_300, 80);
    assert(line.endsWith("events/s"), line);
    assert(line.startsWith("sim [####"), line);
  });
});
