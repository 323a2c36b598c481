import { assertEquals } from "@std/assert";
import { parseDuration } from "../../../lib/config/duration.ts";

Deno.test("parseDuration() accepts every documented form", async (t) => {
  const cases: Array<[string, number]> = [
    ["0", 0],
    ["200", 200],
    ["007", 7],
    ["86400000", 86_400_000],
    ["0ms", 0],
    ["200ms", 200],
    ["1.5ms", 1.5],
    ["1s", 1_000],
    ["1.5s", 1_500],
    [".5s", 500],
    ["0.25s", 250],
    ["0.001s", 1],
    ["2m", 120_000],
    ["1.5m", 90_000],
    ["1h", 3_600_000],
    ["0.5h", 1_800_000],
    ["10.000s", 10_000],
    [" 5s ", 5_000],
    ["\t300\n", 300],
  ];
  for (const [text, ms] of cases) {
    await t.step(JSON.stringify(text), () => {
      assertEquals(parseDuration(text), ms);
    });
  }
});

Deno.test("parseDuration() rejects everything else", async (t) => {
  const cases = [
    "",
    "   ",
    "soon",
    "ms",
    "s",
    "-1",
    "-1s",
    "+5",
    "1.5",
    "1.",
    "1.s",
    ".s",
    "5 s",
    "5sec",
    "5S",
    "5MS",
    "1d",
    "1w",
    "1e3",
    "1e3ms",
    "0x10",
    "1,5s",
    "1_000",
    "1m30s",
    "Infinity",
    "NaN",
    "9".repeat(400) + "ms",
  ];
  for (const text of cases) {
    await t.step(JSON.stringify(text.length > 20 ? text.slice(0, 20) + "…" : text), () => {
      assertEquals(parseDuration(text), undefined);
    });
  }
});

Deno.test("parseDuration() rounds to microseconds", () => {
  assertEquals(parseDuration("0.0001ms"), 0);
  assertEquals(parseDuration("0.0004s"), 0.4);
  assertEquals(parseDuration("1.23456ms"), 1.235);
});

Deno.test("parseDuration() rejects a bare number too large to be finite", () => {
  // With a unit this is undefined (the result is checked with
  // Number.isFinite); without one, the bare-digits branch returns Infinity.
  assertEquals(parseDuration("9".repeat(400)), undefined);
});
