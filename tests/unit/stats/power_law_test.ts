import { assert, assertAlmostEquals, assertEquals } from "@std/assert";
import {
  degreeHistogram,
  expectedCount,
  fitPowerLaw,
  type PowerLawFit,
  type PowerLawOptions,
} from "../../../lib/stats/power_law.ts";
import { seededRng } from "../../support/rng.ts";

/**
 * Draws n degrees from the discrete power law with exponent alpha above kMin,
 * by inverting its cumulative distribution (truncated far out, at 10^5).
 */
function powerLawSample(n: number, alpha: number, kMin: number, seed: number): number[] {
  const rng = seededRng(seed);
  const cdf: number[] = [];
  let total = 0;
  for (let k = kMin; k < 100_000; k++) cdf.push(total += Math.pow(k, -alpha));
  return Array.from({ length: n }, () => {
    const u = rng() * total;
    let lo = 0;
    let hi = cdf.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((cdf[mid] as number) < u) lo = mid + 1;
      else hi = mid;
    }
    return kMin + lo;
  });
}

/** fitPowerLaw() that must succeed (the npm build of std's assert does not narrow types). */
function fitted(degrees: readonly number[], options?: PowerLawOptions): PowerLawFit {
  const fit = fitPowerLaw(degrees, options);
  if (fit === undefined) throw new Error("No fit");
  return fit;
}

Deno.test("fitPowerLaw() recovers the exponent of a known power law", async (t) => {
  for (const [alpha, kMin] of [[2, 1], [2.5, 1], [3, 1], [2.5, 2], [2.5, 6]] as const) {
    await t.step(`alpha ${alpha}, k_min ${kMin}`, () => {
      const fit = fitted(powerLawSample(20_000, alpha, kMin, 7), { kMin });
      // 20,000 samples: σ ≈ 0.01; allow 4σ.
      assertAlmostEquals(fit.alpha, alpha, 4 * fit.sigma + 0.005);
      assertEquals(fit.tail, 20_000);
      assertAlmostEquals(fit.sigma, (fit.alpha - 1) / Math.sqrt(20_000), 1e-12);
      assert(fit.ks < 0.02, `ks ${fit.ks}`);
    });
  }
});

Deno.test("fitPowerLaw() chooses k_min where the power law starts", () => {
  // A power-law tail from 5 on, under a flat body at 1-4 that is no power law.
  const tail = powerLawSample(5_000, 2.5, 5, 3);
  const body = Array.from({ length: 4_000 }, (_, i) => 1 + (i % 4));
  const fit = fitted([...body, ...tail]);
  assert(fit.kMin >= 4 && fit.kMin <= 6, `k_min ${fit.kMin}`);
  assertAlmostEquals(fit.alpha, 2.5, 0.15);
  assert(fit.ks < 0.05, `ks ${fit.ks}`);
  // Forcing k_min = 1 fits the flat body too, and worse.
  const forced = fitted([...body, ...tail], { kMin: 1 });
  assert(forced.ks > fit.ks);
});

Deno.test("fitPowerLaw() ignores isolated nodes and refuses too little data", () => {
  assertEquals(fitPowerLaw([]), undefined);
  assertEquals(fitPowerLaw([0, 0, 3]), undefined);
  const withZeros = fitPowerLaw([0, 0, 1, 1, 2, 3], { kMin: 1 });
  const without = fitPowerLaw([1, 1, 2, 3], { kMin: 1 });
  assertEquals(withZeros, without);
  // A small network: fewer nodes than the minimum tail still gets a fit over all of them.
  assertEquals(fitPowerLaw([1, 2, 2])?.kMin, 1);
  // No spread, no estimate.
  assertEquals(fitPowerLaw([3, 3, 3], { kMin: 3 }), undefined);
});

Deno.test("degreeHistogram() counts each degree, ascending", () => {
  assertEquals(degreeHistogram([3, 1, 3, 0]), [
    { k: 0, count: 1 },
    { k: 1, count: 1 },
    { k: 3, count: 2 },
  ]);
});

Deno.test("expectedCount() sums to the tail over all degrees", () => {
  const fit = { alpha: 2.5, sigma: 0, kMin: 2, tail: 1000, ks: 0 };
  let total = 0;
  for (let k = 1; k < 100_000; k++) total += expectedCount(fit, k);
  assertEquals(expectedCount(fit, 1), 0);
  assertAlmostEquals(total, 1000, 1);
});
