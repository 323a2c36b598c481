import { assert, assertEquals, assertNotEquals } from "@std/assert";
import { newNodeId, randomUint32, sample } from "../../../lib/util/random.ts";
import { seededRng } from "../../support/rng.ts";

const ITEMS = ["a", "b", "c", "d", "e", "f", "g", "h"];

Deno.test("sample() returns count distinct items of the input", async (t) => {
  const cases: Array<[count: number, length: number]> = [
    [0, 0],
    [1, 1],
    [3, 3],
    [8, 8],
    [9, 8],
    [1_000, 8],
    [-1, 0],
    [-100, 0],
    [Infinity, 8],
  ];
  for (const [count, length] of cases) {
    await t.step(`count ${count} -> ${length}`, () => {
      const rng = seededRng(17);
      for (let trial = 0; trial < 100; trial++) {
        const picked = sample(ITEMS, count, rng);
        assertEquals(picked.length, length);
        assertEquals(new Set(picked).size, length);
        for (const item of picked) assert(ITEMS.includes(item), item);
      }
    });
  }
  await t.step("empty input", () => {
    assertEquals(sample([], 3, seededRng(1)), []);
  });
  await t.step("the input is not modified", () => {
    const items = ITEMS.slice();
    sample(items, 5, seededRng(1));
    assertEquals(items, ITEMS);
  });
});

Deno.test("sample() draws count values from the rng (partial Fisher-Yates)", () => {
  let calls = 0;
  const rng = () => {
    calls++;
    return 0;
  };
  // rng 0 always swaps position i with itself: the prefix, in order.
  assertEquals(sample(ITEMS, 3, rng), ["a", "b", "c"]);
  assertEquals(calls, 3);
  // rng ~1 swaps position i with the last: [d, b, c, a], then [d, a, c, b].
  assertEquals(sample(["a", "b", "c", "d"], 2, () => 0.999), ["d", "a"]);
});

Deno.test("sample() is deterministic for a seed", () => {
  const first = sample(ITEMS, 5, seededRng(42));
  assertEquals(sample(ITEMS, 5, seededRng(42)), first);
  assertNotEquals(sample(ITEMS, 5, seededRng(43)), first);
  assertEquals(sample(ITEMS, 8, seededRng(42)).toSorted(), ITEMS);
});

Deno.test("sample() is uniform over positions (seeded)", () => {
  const rng = seededRng(99);
  const firsts = new Map<string, number>();
  const draws = 40_000;
  for (let i = 0; i < draws; i++) {
    const [first] = sample(ITEMS, 2, rng);
    if (first) firsts.set(first, (firsts.get(first) ?? 0) + 1);
  }
  assertEquals([...firsts.keys()].sort(), ITEMS);
  for (const [item, count] of firsts) {
    // Expected 5,000 each; 4 standard deviations is about 265.
    assert(Math.abs(count - draws / ITEMS.length) < 300, `${item}: ${count}`);
  }
});

Deno.test("randomUint32() maps [0, 1) onto 0..2^32-1", async (t) => {
  const cases: Array<[draw: number, value: number]> = [
    [0, 0],
    [2 ** -32, 1],
    [0.5, 2 ** 31],
    [0.25, 2 ** 30],
    [1 - 2 ** -32, 2 ** 32 - 1],
    [1 - 2 ** -53, 2 ** 32 - 1],
  ];
  for (const [draw, value] of cases) {
    await t.step(`${draw} -> ${value}`, () => {
      assertEquals(randomUint32(() => draw), value);
    });
  }
  await t.step("seeded draws are integers in range", () => {
    const rng = seededRng(5);
    for (let i = 0; i < 10_000; i++) {
      const n = randomUint32(rng);
      assert(Number.isInteger(n) && n >= 0 && n <= 0xffff_ffff, `${n}`);
    }
  });
});

Deno.test("newNodeId() is 16 lowercase hex digits", () => {
  const ids = new Set(Array.from({ length: 100 }, () => newNodeId()));
  assertEquals(ids.size, 100);
  for (const id of ids) assert(/^[0-9a-f]{16}$/.test(id), id);
});
