import { assert, assertEquals } from "@std/assert";
import { backoffDelay, type KnownPeer, unionPeerLists } from "../../../lib/peer/bootstrap.ts";
import type { Address } from "../../../lib/util/address.ts";
import type { PeerEntry } from "../../../lib/wire/messages.ts";

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

function entry(host: string, port: number, degree: number): PeerEntry {
  return { address: { host, port }, degree };
}

function known(host: string, port: number, degree: number): KnownPeer {
  const address: Address = { host, port };
  const key = host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
  return { key, address, degree };
}

const SELF: Address = { host: "127.0.0.1", port: 6000 };

Deno.test("unionPeerLists() merges the seeds' lists", async (t) => {
  const cases: Array<{ name: string; lists: PeerEntry[][]; expected: KnownPeer[] }> = [
    { name: "no lists", lists: [], expected: [] },
    { name: "empty lists", lists: [[], [], []], expected: [] },
    {
      name: "one list passes through, in order",
      lists: [[entry("127.0.0.1", 6002, 1), entry("127.0.0.1", 6001, 0)]],
      expected: [known("127.0.0.1", 6002, 1), known("127.0.0.1", 6001, 0)],
    },
    {
      name: "self is left out",
      lists: [[entry("127.0.0.1", 6000, 3), entry("127.0.0.1", 6001, 1)], [
        entry("127.0.0.1", 6000, 4),
      ]],
      expected: [known("127.0.0.1", 6001, 1)],
    },
    {
      name: "same host, other port is not self",
      lists: [[entry("127.0.0.1", 6001, 0), entry("10.0.0.1", 6000, 0)]],
      expected: [known("127.0.0.1", 6001, 0), known("10.0.0.1", 6000, 0)],
    },
    {
      name: "a peer listed by several seeds appears once, with the highest degree",
      lists: [
        [entry("127.0.0.1", 6001, 2), entry("127.0.0.1", 6002, 5)],
        [entry("127.0.0.1", 6001, 7), entry("127.0.0.1", 6003, 0)],
        [entry("127.0.0.1", 6001, 3), entry("127.0.0.1", 6002, 1)],
      ],
      expected: [
        known("127.0.0.1", 6001, 7),
        known("127.0.0.1", 6002, 5),
        known("127.0.0.1", 6003, 0),
      ],
    },
    {
      name: "duplicates within one list collapse too",
      lists: [[entry("127.0.0.1", 6001, 1), entry("127.0.0.1", 6001, 4)]],
      expected: [known("127.0.0.1", 6001, 4)],
    },
    {
      name: "IPv6 peers are keyed in brackets",
      lists: [[entry("::1", 6001, 1)], [entry("::1", 6001, 2), entry("::1", 6000, 9)]],
      expected: [known("::1", 6001, 2), known("::1", 6000, 9)],
    },
  ];
  for (const c of cases) {
    await t.step(c.name, () => {
      assertEquals(unionPeerLists(c.lists, SELF), c.expected);
    });
  }
  await t.step("accepts any iterable of lists", () => {
    function* lists(): Generator<PeerEntry[]> {
      yield [entry("127.0.0.1", 6001, 1)];
      yield [entry("127.0.0.1", 6001, 2)];
    }
    assertEquals(unionPeerLists(lists(), SELF), [known("127.0.0.1", 6001, 2)]);
  });
});
