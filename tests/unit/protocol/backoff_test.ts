import { assert, assertEquals } from "@std/assert";
import { backoffDelay } from "../../../lib/protocol/backoff.ts";

const ALMOST_ONE = 1 - 2 ** -53;

Deno.test("backoffDelay() stays within [min/2, min * 2^attempt], capped at max", async (t) => {
  const cases = [
    { minMs: 100, maxMs: 30_000 },
    { minMs: 250, maxMs: 5_000 },
    { minMs: 1, maxMs: 60_000 },
    { minMs: 1_000, maxMs: 1_000 },
  ];
  for (const options of cases) {
    await t.step(`min ${options.minMs}, max ${options.maxMs}`, () => {
      let previousHigh = 0;
      for (let attempt = 0; attempt <= 40; attempt++) {
        const low = backoffDelay(attempt, options, () => 0);
        const high = backoffDelay(attempt, options, () => ALMOST_ONE);
        const mid = backoffDelay(attempt, options, () => 0.5);
        const ceiling = Math.min(options.maxMs, options.minMs * 2 ** attempt);
        // Whole milliseconds: min 1 gives round(0.5) = 1.
        assertEquals(low, Math.round(options.minMs / 2), `attempt ${attempt}: rng 0`);
        assert(low >= options.minMs / 2, `attempt ${attempt}: ${low} < min/2`);
        assertEquals(high, ceiling, `attempt ${attempt}: rng ~1`);
        assert(low <= mid && mid <= high, `attempt ${attempt}: ${low} <= ${mid} <= ${high}`);
        assert(high <= options.maxMs, `attempt ${attempt}: ${high} > max`);
        assert(high >= previousHigh, `attempt ${attempt}: ${high} < ${previousHigh}`);
        previousHigh = high;
      }
      assertEquals(previousHigh, options.maxMs);
    });
  }
});

Deno.test("backoffDelay() doubles the ceiling per attempt until the cap", () => {
  const options = { minMs: 100, maxMs: 5_000 };
  const highs = Array.from({ length: 9 }, (_, a) => backoffDelay(a, options, () => ALMOST_ONE));
  assertEquals(highs, [100, 200, 400, 800, 1_600, 3_200, 5_000, 5_000, 5_000]);
  // Full jitter: the spread is uniform between min/2 and the ceiling.
  assertEquals(backoffDelay(3, options, () => 0.5), 425);
  assertEquals(backoffDelay(6, options, () => 0.25), 1_288); // 50 + 0.25 * 4950, rounded
});

Deno.test("backoffDelay() handles huge attempt numbers without overflow", () => {
  const options = { minMs: 100, maxMs: 30_000 };
  for (const attempt of [31, 64, 1_000, 1e9, Infinity]) {
    assertEquals(backoffDelay(attempt, options, () => ALMOST_ONE), 30_000, `attempt ${attempt}`);
    assertEquals(backoffDelay(attempt, options, () => 0), 50, `attempt ${attempt}`);
  }
});
