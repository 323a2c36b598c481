import { assert, assertEquals } from "@std/assert";
import { type Candidate, chooseNeighbors } from "../../../lib/peer/topology.ts";
import { type Rng, sample } from "../../../lib/util/random.ts";
import { seededRng } from "../../support/rng.ts";

function candidates(degrees: readonly number[]): Candidate[] {
  return degrees.map((degree, i) => ({ key: `10.0.0.${i}:6000`, degree }));
}

/** An rng that returns `values` in turn (and fails the test if asked for more). */
function scriptedRng(values: readonly number[]): Rng {
  let at = 0;
  return () => {
    const value = values[at++];
    if (value === undefined) throw new Error(`scriptedRng: asked for value ${at}`);
    return value;
  };
}

Deno.test("chooseNeighbors() walks the cumulative weights (degree + 1)", async (t) => {
  // Weights 10, 1, 3 (total 14): a owns [0, 10), b [10, 11), c [11, 14).
  const pool = candidates([9, 0, 2]);
  const cases: Array<{ name: string; draws: number[]; count: number; keys: number[] }> = [
    { name: "0 lands on the first", draws: [0], count: 1, keys: [0] },
    { name: "just below a boundary stays left", draws: [9.99 / 14], count: 1, keys: [0] },
    { name: "exactly on a boundary moves right", draws: [10 / 14], count: 1, keys: [1] },
    { name: "the top of the range is the last", draws: [0.999999], count: 1, keys: [2] },
    // After a (weight 10) is drawn, the rest weigh 1 + 3 = 4: 0.3 * 4 = 1.2 lands on c.
    { name: "weights shrink after a draw", draws: [0, 0.3], count: 2, keys: [0, 2] },
    { name: "three draws empty the pool", draws: [0.9, 0.9, 0.9], count: 3, keys: [2, 0, 1] },
  ];
  for (const c of cases) {
    await t.step(c.name, () => {
      const picked = chooseNeighbors(pool, c.count, scriptedRng(c.draws));
      assertEquals(picked, c.keys.map((i) => pool[i]));
    });
  }
  await t.step("a negative degree weighs like degree 0", () => {
    // Weights 1, 1: 0.5 * 2 = 1 is the second candidate's range.
    const picked = chooseNeighbors(candidates([-7, 0]), 1, scriptedRng([0.5]));
    assertEquals(picked.map((c) => c.degree), [0]);
  });
});

Deno.test("chooseNeighbors() returns distinct candidates, never more than asked", async (t) => {
  for (const [size, count] of [[1, 1], [5, 2], [10, 4], [10, 9], [50, 49]] as const) {
    await t.step(`${count} of ${size}`, () => {
      const rng = seededRng(size * 100 + count);
      for (let trial = 0; trial < 200; trial++) {
        const pool = candidates(Array.from({ length: size }, (_, i) => (i * 7 + trial) % 13));
        const picked = chooseNeighbors(pool, count, rng);
        assertEquals(picked.length, count);
        assertEquals(new Set(picked.map((c) => c.key)).size, count);
        for (const c of picked) assert(pool.includes(c), `${c.key} is not a candidate`);
      }
    });
  }
});

Deno.test("chooseNeighbors() returns every candidate when count >= candidates", async (t) => {
  const pool = candidates([3, 0, 1, 8]);
  const sortedKeys = pool.map((c) => c.key).sort();
  for (const count of [4, 5, 100, Infinity]) {
    await t.step(`count ${count}`, () => {
      const picked = chooseNeighbors(pool, count, seededRng(count === Infinity ? 0 : count));
      assertEquals(picked.map((c) => c.key).sort(), sortedKeys);
    });
  }
});

Deno.test("chooseNeighbors() handles empty input and non-positive counts", async (t) => {
  const cases: Array<{ name: string; pool: Candidate[]; count: number }> = [
    { name: "no candidates", pool: [], count: 4 },
    { name: "count 0", pool: candidates([1, 2]), count: 0 },
    { name: "negative count", pool: candidates([1, 2]), count: -3 },
  ];
  for (const c of cases) {
    await t.step(c.name, () => {
      // The rng is never consulted when nothing is drawn.
      assertEquals(chooseNeighbors(c.pool, c.count, scriptedRng([])), []);
    });
  }
});

Deno.test("chooseNeighbors() does not modify its input", () => {
  const pool = candidates([4, 1, 0, 2]);
  const copy = structuredClone(pool);
  chooseNeighbors(pool, 3, seededRng(9));
  assertEquals(pool, copy);
});

Deno.test("chooseNeighbors() picks in proportion to degree + 1 (seeded)", () => {
  // Degree 9 weighs 10 and degree 0 weighs 1, among decoys weighing 5 each.
  const pool = [
    { key: "rich:1", degree: 9 },
    { key: "poor:1", degree: 0 },
    ...candidates([4, 4, 4, 4]),
  ];
  const rng = seededRng(7);
  const counts = new Map<string, number>();
  const draws = 60_000;
  for (let i = 0; i < draws; i++) {
    const [picked] = chooseNeighbors(pool, 1, rng);
    if (picked) counts.set(picked.key, (counts.get(picked.key) ?? 0) + 1);
  }
  const rich = counts.get("rich:1") ?? 0;
  const poor = counts.get("poor:1") ?? 0;
  // Expected 60000 * 10/31 = 19355 and 60000 * 1/31 = 1935.
  assert(Math.abs(rich - 19_355) < 600, `rich picked ${rich} times`);
  assert(Math.abs(poor - 1_935) < 200, `poor picked ${poor} times`);
  const ratio = rich / poor;
  assert(ratio > 8.5 && ratio < 11.5, `ratio ${ratio.toFixed(2)} is not about 10`);
});

interface Growth {
  degrees: number[];
  median: number;
  max: number;
}

type Choose = (pool: readonly Candidate[], count: number, rng: Rng) => Candidate[];

/** Grows a network one node at a time; each new node links to up to `links` existing nodes. */
function grow(nodes: number, links: number, choose: Choose, rng: Rng): Growth {
  const degrees: number[] = [];
  for (let node = 0; node < nodes; node++) {
    const pool = degrees.map((degree, i) => ({ key: String(i), degree }));
    const picked = choose(pool, links, rng);
    degrees.push(picked.length);
    for (const c of picked) degrees[Number(c.key)] = (degrees[Number(c.key)] ?? 0) + 1;
  }
  const sorted = degrees.toSorted((a, b) => a - b);
  return {
    degrees,
    median: sorted[Math.floor(sorted.length / 2)] ?? 0,
    max: sorted[sorted.length - 1] ?? 0,
  };
}

/**
 * Least-squares slope of log P(K >= k) against log k over the distinct
 * degrees k >= `kMin` (the complementary CDF of a power law P(k) ~ k^-γ has
 * slope 1 - γ).
 */
function ccdfSlope(degrees: readonly number[], kMin: number): number {
  const xs: number[] = [];
  const ys: number[] = [];
  for (const k of new Set(degrees)) {
    if (k < kMin) continue;
    const atLeast = degrees.filter((d) => d >= k).length;
    xs.push(Math.log(k));
    ys.push(Math.log(atLeast / degrees.length));
  }
  const mean = (v: number[]) => v.reduce((s, x) => s + x, 0) / v.length;
  const mx = mean(xs);
  const my = mean(ys);
  let num = 0;
  let den = 0;
  xs.forEach((x, i) => {
    num += (x - mx) * ((ys[i] ?? 0) - my);
    den += (x - mx) ** 2;
  });
  return num / den;
}

const NODES = 2_000;
const LINKS = 4;
const K_MIN = 8;
// Every node i draws min(i, LINKS) neighbours, and each link adds 2 to the degree sum.
const DEGREE_SUM = 2 * (LINKS * NODES - (LINKS * (LINKS + 1)) / 2);

Deno.test("chooseNeighbors() grows a heavy-tailed network (preferential attachment)", async (t) => {
  await t.step("2,000 nodes, seed 1: hubs, and a power-law tail", () => {
    const net = grow(NODES, LINKS, chooseNeighbors, seededRng(1));
    assertEquals(net.degrees.reduce((s, d) => s + d, 0), DEGREE_SUM);
    const slope = ccdfSlope(net.degrees, K_MIN);
    // deno-lint-ignore no-console
    console.log(
      `preferential attachment, ${NODES} nodes: max degree ${net.max}, median ${net.median}, ` +
        `CCDF log-log slope (k >= ${K_MIN}) ${slope.toFixed(3)} (exponent ${
          (1 - slope).toFixed(2)
        })`,
    );
    assert(net.max >= 5 * net.median, `max ${net.max} < 5 x median ${net.median}`);
    assert(slope > -3.5 && slope < -1.0, `CCDF slope ${slope} is not in (-3.5, -1.0)`);
  });

  await t.step("the tail holds for other seeds", () => {
    for (let seed = 2; seed <= 5; seed++) {
      const net = grow(NODES, LINKS, chooseNeighbors, seededRng(seed));
      const slope = ccdfSlope(net.degrees, K_MIN);
      assert(net.max >= 5 * net.median, `seed ${seed}: max ${net.max}, median ${net.median}`);
      assert(slope > -3.5 && slope < -1.0, `seed ${seed}: CCDF slope ${slope}`);
    }
  });

  await t.step("uniform choice grows no hubs and no power-law tail", () => {
    for (let seed = 1; seed <= 3; seed++) {
      const pa = grow(NODES, LINKS, chooseNeighbors, seededRng(seed));
      const uniform = grow(NODES, LINKS, sample, seededRng(seed));
      assertEquals(uniform.degrees.reduce((s, d) => s + d, 0), DEGREE_SUM);
      // Same number of links, very different spread.
      assert(pa.max >= 2 * uniform.max, `seed ${seed}: PA max ${pa.max}, uniform ${uniform.max}`);
      const slope = ccdfSlope(uniform.degrees, K_MIN);
      // An exponential tail falls far faster on log-log axes than a power law.
      assert(slope < -3.5, `seed ${seed}: uniform CCDF slope ${slope}`);
      assert(slope < ccdfSlope(pa.degrees, K_MIN) - 1.5, `seed ${seed}: slopes too close`);
    }
  });
});
