import { assertEquals, assertThrows } from "@std/assert";
import {
  DEFAULT_PEER_TUNING,
  DEFAULT_SEED_TUNING,
  PEER_LIMITS,
  type PeerTuning,
  resolvePeerTuning,
  resolveSeedTuning,
  SEED_LIMITS,
  type SeedTuning,
} from "../../../lib/config/node_config.ts";
import { ConfigError } from "../../../lib/util/errors.ts";

/** The `keys` of `value`: knobs added later do not break tests of these. */
function only<T extends object>(value: T, keys: readonly (keyof T)[]): Partial<T> {
  return Object.fromEntries(keys.map((k) => [k, value[k]])) as Partial<T>;
}

function peerError(partial: Partial<PeerTuning>): string {
  return (assertThrows(() => resolvePeerTuning(partial), ConfigError) as Error).message;
}

function seedError(partial: Partial<SeedTuning>): string {
  return (assertThrows(() => resolveSeedTuning(partial), ConfigError) as Error).message;
}

Deno.test("resolvePeerTuning() defaults to the contract's timings", () => {
  // Written out, not copied from DEFAULT_PEER_TUNING: CONTRACT.md fixes
  // 4 neighbours, 5 s gossip x10, 13 s pings, 3 misses.
  const expected: Partial<PeerTuning> = {
    maxNeighbors: 4,
    maxInbound: 64,
    gossipIntervalMs: 5_000,
    gossipCount: 10,
    pingIntervalMs: 13_000,
    pingMisses: 3,
    repairIntervalMs: 2_000,
    dialTimeoutMs: 2_000,
    seedRetryMinMs: 250,
    seedRetryMaxMs: 2_000,
    messageListMaxEntries: 100_000,
    messageListMaxAgeMs: 600_000,
  };
  const keys = Object.keys(expected) as (keyof PeerTuning)[];
  assertEquals(only(resolvePeerTuning(), keys), expected);
  assertEquals(resolvePeerTuning({}), DEFAULT_PEER_TUNING);
});

Deno.test("resolvePeerTuning() merges a partial over the defaults", () => {
  const tuning = resolvePeerTuning({ gossipCount: 0, pingIntervalMs: 100 });
  assertEquals(tuning, { ...DEFAULT_PEER_TUNING, gossipCount: 0, pingIntervalMs: 100 });
  // The defaults themselves are untouched.
  assertEquals(DEFAULT_PEER_TUNING.gossipCount, 10);
});

Deno.test("resolvePeerTuning() accepts each knob at both ends of its range", async (t) => {
  for (const [knob, [min, max]] of Object.entries(PEER_LIMITS)) {
    await t.step(knob, () => {
      for (const value of [min, max]) {
        // Keep seedRetryMin <= seedRetryMax while probing either one.
        const partial: Partial<PeerTuning> = knob === "seedRetryMinMs"
          ? { seedRetryMinMs: value, seedRetryMaxMs: 600_000 }
          : knob === "seedRetryMaxMs"
          ? { seedRetryMinMs: 1, seedRetryMaxMs: value }
          : { [knob]: value };
        assertEquals(resolvePeerTuning(partial)[knob as keyof PeerTuning], value);
      }
    });
  }
});

Deno.test("resolvePeerTuning() names the knob that is out of range", async (t) => {
  const cases: Array<[Partial<PeerTuning>, string]> = [
    [{ maxNeighbors: 0 }, "Invalid maxNeighbors: must be 1-64, got 0"],
    [{ maxNeighbors: 65 }, "Invalid maxNeighbors: must be 1-64, got 65"],
    [{ maxInbound: -1 }, "Invalid maxInbound: must be 0-4096, got -1"],
    [{ gossipIntervalMs: 0 }, "Invalid gossipIntervalMs: must be 1-86400000, got 0"],
    [{ gossipCount: 1_000_001 }, "Invalid gossipCount: must be 0-1000000, got 1000001"],
    [{ pingIntervalMs: 86_400_001 }, "Invalid pingIntervalMs: must be 1-86400000, got 86400001"],
    [{ pingMisses: 0 }, "Invalid pingMisses: must be 1-1000, got 0"],
    [{ repairIntervalMs: -5 }, "Invalid repairIntervalMs: must be 1-86400000, got -5"],
    [{ dialTimeoutMs: 600_001 }, "Invalid dialTimeoutMs: must be 1-600000, got 600001"],
    [{ seedRetryMinMs: 0 }, "Invalid seedRetryMinMs: must be 1-600000, got 0"],
    [{ seedRetryMaxMs: 700_000 }, "Invalid seedRetryMaxMs: must be 1-600000, got 700000"],
    [
      { messageListMaxEntries: 0 },
      "Invalid messageListMaxEntries: must be 1-100000000, got 0",
    ],
    [
      { messageListMaxAgeMs: 604_800_001 },
      "Invalid messageListMaxAgeMs: must be 1-604800000, got 604800001",
    ],
    [{ gossipCount: NaN }, "Invalid gossipCount: must be 0-1000000, got NaN"],
    [{ gossipIntervalMs: Infinity }, "Invalid gossipIntervalMs: must be 1-86400000, got Infinity"],
    [
      { pingMisses: "3" as unknown as number },
      "Invalid pingMisses: must be 1-1000, got 3",
    ],
  ];
  for (const [partial, message] of cases) {
    await t.step(message, () => {
      assertEquals(peerError(partial), message);
    });
  }
});

Deno.test("resolvePeerTuning() rejects seedRetryMinMs above seedRetryMaxMs", () => {
  assertEquals(
    peerError({ seedRetryMinMs: 3_000 }),
    "Invalid seedRetryMinMs: must not exceed seedRetryMaxMs (2000), got 3000",
  );
  assertEquals(
    peerError({ seedRetryMinMs: 500, seedRetryMaxMs: 499 }),
    "Invalid seedRetryMinMs: must not exceed seedRetryMaxMs (499), got 500",
  );
  const equal = resolvePeerTuning({ seedRetryMinMs: 500, seedRetryMaxMs: 500 });
  assertEquals([equal.seedRetryMinMs, equal.seedRetryMaxMs], [500, 500]);
});

Deno.test("resolveSeedTuning() defaults and limits", async (t) => {
  await t.step("defaults", () => {
    assertEquals(only(resolveSeedTuning(), ["maxPeers", "dialTimeoutMs"]), {
      maxPeers: Infinity,
      dialTimeoutMs: 2_000,
    });
    assertEquals(resolveSeedTuning(), DEFAULT_SEED_TUNING);
  });
  await t.step("accepts in-range values", () => {
    assertEquals(resolveSeedTuning({ maxPeers: 0 }).maxPeers, 0);
    assertEquals(resolveSeedTuning({ maxPeers: 1_000_000_000 }).maxPeers, 1_000_000_000);
    assertEquals(resolveSeedTuning({ dialTimeoutMs: 1 }).dialTimeoutMs, 1);
    assertEquals(SEED_LIMITS.maxPeers, [0, Infinity]);
    assertEquals(SEED_LIMITS.dialTimeoutMs, [1, 600_000]);
  });
  await t.step("names the knob that is out of range", () => {
    assertEquals(seedError({ maxPeers: -1 }), "Invalid maxPeers: must be at least 0, got -1");
    assertEquals(seedError({ maxPeers: NaN }), "Invalid maxPeers: must be at least 0, got NaN");
    assertEquals(
      seedError({ dialTimeoutMs: 0 }),
      "Invalid dialTimeoutMs: must be 1-600000, got 0",
    );
  });
});
