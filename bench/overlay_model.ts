// deno-lint-ignore-file no-console -- a benchmark reports on the console.
/**
 * The power law with and without sampled peer lists, apart from network
 * timing: the join rule's model overlay (lib/sim/overlay_model.ts) at
 * 1,000, 10,000 and 100,000 peers, three seeds each, with the seeds'
 * threshold (whole lists up to 1,000 members, samples of 32 above);
 * without a cap on inbound links, then with the peers' default of 64.
 *
 *     deno run -A bench/overlay_model.ts
 *
 * @module
 */

import { growOverlay } from "../lib/sim/overlay_model.ts";
import { fitPowerLaw } from "../lib/stats/power_law.ts";

for (
  const [peers, maxInbound] of [
    [1_000, Infinity],
    [10_000, Infinity],
    [100_000, Infinity],
    [1_000, 64],
    [10_000, 64],
    [100_000, 64],
  ] as const
) {
  const rows: string[] = [];
  for (const seed of [1, 2, 3]) {
    const started = performance.now();
    const degrees = growOverlay({ peers, seed, maxInbound });
    const fit = fitPowerLaw(degrees);
    const max = degrees.reduce((a, b) => Math.max(a, b), 0);
    rows.push(
      `seed ${seed}: exponent ${fit?.alpha.toFixed(2)} (k >= ${fit?.kMin}), max degree ${max}, ${
        Math.round(performance.now() - started)
      } ms`,
    );
  }
  console.log(`${peers} peers, max inbound ${maxInbound}\n  ${rows.join("\n  ")}`);
}
