import { assert, assertEquals, assertStrictEquals } from "@std/assert";
import { InternPool } from "../../../lib/node/intern_pool.ts";
import type { MemberRecord, Version } from "../../../lib/protocol/membership_types.ts";
import { compareVersions, Membership } from "../../../lib/seed/membership.ts";
import { ManualClock } from "../../support/manual_clock.ts";
import { randomInt, seededRng } from "../../support/rng.ts";

const START = 1_700_000_000_000;
const P1 = { host: "127.0.0.1", port: 6001 };
const P2 = { host: "127.0.0.1", port: 6002 };
const K1 = "127.0.0.1:6001";
const K2 = "127.0.0.1:6002";

function v(stamp: number, origin = "aaaa"): Version {
  return { stamp, origin };
}

function member(address: { host: string; port: number }, version: Version, degree = 0) {
  return { address, state: "member", version, degree } as const satisfies MemberRecord;
}

function removed(address: { host: string; port: number }, version: Version, degree = 0) {
  return {
    address,
    state: "removed",
    reason: "dead",
    version,
    degree,
  } as const satisfies MemberRecord;
}

Deno.test("compareVersions() orders by stamp, then origin", async (t) => {
  const cases: Array<[Version, Version, number]> = [
    [v(2), v(1), 1],
    [v(1), v(2), -1],
    [v(5, "bbbb"), v(5, "aaaa"), 1],
    [v(5, "aaaa"), v(5, "bbbb"), -1],
    [v(5, "aaaa"), v(5, "aaaa"), 0],
    [v(4, "zzzz"), v(5, "aaaa"), -1],
  ];
  for (const [a, b, sign] of cases) {
    await t.step(`${JSON.stringify(a)} vs ${JSON.stringify(b)}`, () => {
      assertEquals(Math.sign(compareVersions(a, b)), sign);
    });
  }
});

Deno.test("Membership.apply() keeps the newest record per peer", async (t) => {
  type Step = [record: MemberRecord, outcome: string, size: number];
  const cases: Array<{ name: string; steps: Step[]; final: MemberRecord | undefined }> = [
    {
      name: "a new member is added",
      steps: [[member(P1, v(10)), "added", 1]],
      final: member(P1, v(10)),
    },
    {
      name: "the same record twice is stale the second time (idempotent)",
      steps: [[member(P1, v(10)), "added", 1], [member(P1, v(10)), "stale", 1]],
      final: member(P1, v(10)),
    },
    {
      name: "an older record is stale",
      steps: [[member(P1, v(10)), "added", 1], [removed(P1, v(9)), "stale", 1]],
      final: member(P1, v(10)),
    },
    {
      name: "equal stamp, smaller origin is stale",
      steps: [[member(P1, v(10, "bbbb")), "added", 1], [removed(P1, v(10, "aaaa")), "stale", 1]],
      final: member(P1, v(10, "bbbb")),
    },
    {
      name: "equal stamp, bigger origin wins",
      steps: [[member(P1, v(10, "aaaa")), "added", 1], [removed(P1, v(10, "bbbb")), "removed", 0]],
      final: removed(P1, v(10, "bbbb")),
    },
    {
      name: "a newer removal leaves a tombstone",
      steps: [[member(P1, v(10)), "added", 1], [removed(P1, v(11)), "removed", 0]],
      final: removed(P1, v(11)),
    },
    {
      name: "the tombstone blocks a late, older member record",
      steps: [
        [member(P1, v(10)), "added", 1],
        [removed(P1, v(12)), "removed", 0],
        [member(P1, v(11)), "stale", 0],
      ],
      final: removed(P1, v(12)),
    },
    {
      name: "removed, then re-added with a higher version",
      steps: [
        [member(P1, v(10)), "added", 1],
        [removed(P1, v(11)), "removed", 0],
        [member(P1, v(12)), "added", 1],
      ],
      final: member(P1, v(12)),
    },
    {
      name: "a removal of a peer never seen is kept as a tombstone",
      steps: [[removed(P1, v(10)), "updated", 0], [member(P1, v(9)), "stale", 0]],
      final: removed(P1, v(10)),
    },
    {
      name: "a newer member record for a member is an update",
      steps: [[member(P1, v(10)), "added", 1], [member(P1, v(11)), "updated", 1]],
      final: member(P1, v(11)),
    },
    {
      name: "a newer removal of a tombstone is an update",
      steps: [[removed(P1, v(10)), "updated", 0], [removed(P1, v(11)), "updated", 0]],
      final: removed(P1, v(11)),
    },
    {
      name: "other peers are unaffected",
      steps: [
        [member(P1, v(10)), "added", 1],
        [member(P2, v(5)), "added", 2],
        [removed(P1, v(11)), "removed", 1],
      ],
      final: removed(P1, v(11)),
    },
  ];
  for (const c of cases) {
    await t.step(c.name, () => {
      const list = new Membership({ clock: new ManualClock(START) });
      c.steps.forEach(([record, outcome, size], i) => {
        assertEquals(list.apply(record), outcome, `step ${i}`);
        assertEquals(list.size, size, `step ${i}`);
      });
      assertEquals(list.get(K1), c.final);
      assertEquals(list.isMember(K1), c.final?.state === "member");
    });
  }
});

Deno.test("Membership.size and members() count members only", () => {
  const list = new Membership({ clock: new ManualClock(START) });
  list.apply(member(P1, v(1)));
  list.apply(member(P2, v(2)));
  list.apply(removed({ host: "127.0.0.1", port: 6003 }, v(3)));
  assertEquals(list.size, 2);
  assertEquals(list.members().map((r) => r.address.port), [6001, 6002]);
  list.apply(removed(P1, v(4)));
  assertEquals(list.size, 1);
  assertEquals(list.members().map((r) => r.address.port), [6002]);
  // membersExcept(): the same members without one key (a peer's own list leaves it out).
  assertEquals(list.membersExcept(K2), []);
  assertEquals(list.membersExcept(K1).map((r) => r.address.port), [6002]);
  assertEquals(list.snapshot().length, 3); // tombstones included
  assertEquals(list.isMember(K1), false);
  assertEquals(list.isMember(K2), true);
  assertEquals(list.isMember("127.0.0.1:6003"), false);
  assertEquals(list.isMember("127.0.0.1:9999"), false);
});

Deno.test("Membership.snapshot() purges tombstones after the TTL", async (t) => {
  await t.step("at exactly the TTL", () => {
    const clock = new ManualClock(START);
    const list = new Membership({ clock, tombstoneTtlMs: 1_000 });
    list.apply(member(P1, v(1)));
    list.apply(member(P2, v(2)));
    list.apply(removed(P1, v(3)));
    clock.advance(999);
    assertEquals(list.snapshot().map((r) => [r.address.port, r.state]), [
      [6001, "removed"],
      [6002, "member"],
    ]);
    clock.advance(1);
    assertEquals(list.snapshot().map((r) => [r.address.port, r.state]), [[6002, "member"]]);
    assertEquals(list.get(K1), undefined);
    assertEquals(list.size, 1);
    // Once forgotten, a late member record brings the peer back: the TTL must outlast sync lag.
    assertEquals(list.apply(member(P1, v(2))), "added");
  });
  await t.step("members never expire", () => {
    const clock = new ManualClock(START);
    const list = new Membership({ clock, tombstoneTtlMs: 1_000 });
    list.apply(member(P1, v(1)));
    clock.advance(1_000_000);
    assertEquals(list.snapshot(), [member(P1, v(1))]);
  });
  await t.step("re-adding clears the pending purge", () => {
    const clock = new ManualClock(START);
    const list = new Membership({ clock, tombstoneTtlMs: 1_000 });
    list.apply(removed(P1, v(1)));
    clock.advance(500);
    list.apply(member(P1, v(2)));
    clock.advance(5_000);
    assertEquals(list.snapshot(), [member(P1, v(2))]);
  });
  await t.step("a newer removal restarts the TTL", () => {
    const clock = new ManualClock(START);
    const list = new Membership({ clock, tombstoneTtlMs: 1_000 });
    list.apply(removed(P1, v(1)));
    clock.advance(800);
    list.apply(removed(P1, v(2)));
    clock.advance(800);
    assertEquals(list.snapshot(), [removed(P1, v(2))]);
    clock.advance(200);
    assertEquals(list.snapshot(), []);
  });
  await t.step("the default TTL is 10 minutes", () => {
    const clock = new ManualClock(START);
    const list = new Membership({ clock });
    list.apply(removed(P1, v(1)));
    clock.advance(599_999);
    assertEquals(list.snapshot().length, 1);
    clock.advance(1);
    assertEquals(list.snapshot().length, 0);
  });
});

Deno.test("Membership.nextVersion() is monotonic and exceeds every observed stamp", async (t) => {
  await t.step("follows the wall clock when it is ahead", () => {
    const clock = new ManualClock(START + 0.7);
    const list = new Membership({ clock });
    assertEquals(list.nextVersion("aaaa"), { stamp: START, origin: "aaaa" });
    clock.advance(10);
    assertEquals(list.nextVersion("bbbb"), { stamp: START + 10, origin: "bbbb" });
    assertEquals(list.lastStamp, START + 10);
  });
  await t.step("counts up when the clock stands still", () => {
    const list = new Membership({ clock: new ManualClock(START) });
    const stamps = Array.from({ length: 4 }, () => list.nextVersion("aaaa").stamp);
    assertEquals(stamps, [START, START + 1, START + 2, START + 3]);
  });
  await t.step("jumps past stamps observed from elsewhere", () => {
    const list = new Membership({ clock: new ManualClock(START) });
    list.observe(START + 5_000);
    assertEquals(list.nextVersion("aaaa").stamp, START + 5_001);
    list.observe(START); // older: no effect
    assertEquals(list.nextVersion("aaaa").stamp, START + 5_002);
  });
  await t.step("apply() observes record stamps, stale ones included", () => {
    const list = new Membership({ clock: new ManualClock(START) });
    list.apply(member(P1, v(START + 100)));
    assertEquals(list.lastStamp, START + 100);
    list.apply(member(P1, v(START + 50))); // stale
    list.apply(removed(P2, v(START + 200)));
    list.apply(member(P2, v(START + 150))); // stale, but seen
    assertEquals(list.lastStamp, START + 200);
    const next = list.nextVersion("aaaa");
    assertEquals(next.stamp, START + 201);
    assert(compareVersions(next, v(START + 200, "zzzz")) > 0);
  });
  await t.step("seeded: a long mixed run never repeats or goes back", () => {
    const rng = seededRng(3);
    const clock = new ManualClock(START);
    const list = new Membership({ clock });
    let previous = 0;
    for (let i = 0; i < 2_000; i++) {
      if (rng() < 0.3) clock.advance(randomInt(rng, 0, 5));
      if (rng() < 0.2) list.observe(clock.now() + randomInt(rng, -50, 50));
      const stamp = list.nextVersion("aaaa").stamp;
      assert(stamp > previous, `step ${i}: ${stamp} <= ${previous}`);
      assert(stamp >= Math.floor(clock.now()), `step ${i}: behind the clock`);
      previous = stamp;
    }
  });
});

Deno.test("Membership.setDegree() applies to members only", () => {
  const clock = new ManualClock(START);
  const list = new Membership({ clock });
  list.apply(member(P1, v(1)));
  list.apply(removed(P2, v(1)));
  assertEquals(list.setDegree(K1, 7), true);
  assertEquals(list.get(K1)?.degree, 7);
  assertEquals(list.setDegree(K2, 7), false);
  assertEquals(list.get(K2)?.degree, 0);
  assertEquals(list.setDegree("127.0.0.1:9999", 7), false);
  assertEquals(list.get("127.0.0.1:9999"), undefined);
  // Degree is soft state: a newer member record keeps what this seed heard.
  assertEquals(list.apply(member(P1, v(2), 3)), "updated");
  assertEquals(list.get(K1), member(P1, v(2), 7));
  // A removal takes the record's degree, and setDegree() no longer applies.
  list.apply(removed(P1, v(3), 0));
  assertEquals(list.get(K1)?.degree, 0);
  assertEquals(list.setDegree(K1, 9), false);
});

/**
 * A record set with several versions per peer, members and tombstones mixed.
 * Versions are unique per peer, as nextVersion() makes them; stamps collide
 * often so the origin tie-break is exercised.
 */
function recordPool(rng: () => number): MemberRecord[] {
  const records: MemberRecord[] = [];
  for (let port = 6001; port <= 6008; port++) {
    const address = { host: "127.0.0.1", port };
    const seen = new Set<string>();
    const versions = randomInt(rng, 1, 4);
    while (seen.size < versions) {
      const version = v(
        START + randomInt(rng, 0, 3),
        ["aaaa", "bbbb", "cccc"][randomInt(rng, 0, 2)],
      );
      const id = `${version.stamp}/${version.origin}`;
      if (seen.has(id)) continue;
      seen.add(id);
      records.push(rng() < 0.5 ? member(address, version) : removed(address, version));
    }
  }
  return records;
}

function shuffled<T>(items: readonly T[], rng: () => number): T[] {
  const out = items.slice();
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

function sortedSnapshot(list: Membership): MemberRecord[] {
  return list.snapshot().toSorted((a, b) => a.address.port - b.address.port);
}

Deno.test("Membership.apply() merges in any order to the same state (seeded, 200 trials)", () => {
  const rng = seededRng(2024);
  for (let trial = 0; trial < 200; trial++) {
    const records = recordPool(rng);
    const clock = new ManualClock(START);
    const a = new Membership({ clock });
    const b = new Membership({ clock });
    for (const r of shuffled(records, rng)) a.apply(r);
    for (const r of shuffled(records, rng)) b.apply(r);
    const snapshot = sortedSnapshot(a);
    assertEquals(sortedSnapshot(b), snapshot, `trial ${trial}`);
    assertEquals(a.size, b.size, `trial ${trial}`);
    // Each peer ends on its newest record.
    for (const record of snapshot) {
      const newest = records
        .filter((r) => r.address.port === record.address.port)
        .reduce((x, y) => compareVersions(x.version, y.version) >= 0 ? x : y);
      assertEquals(record.version, newest.version, `trial ${trial}`);
      assertEquals(record.state, newest.state, `trial ${trial}`);
    }
    // Idempotent: applying everything again changes nothing.
    for (const r of records) a.apply(r);
    assertEquals(sortedSnapshot(a), snapshot, `trial ${trial}: re-apply`);
    // Syncing from a snapshot converges too.
    const c = new Membership({ clock });
    for (const r of shuffled(a.snapshot(), rng)) c.apply(r);
    assertEquals(sortedSnapshot(c), snapshot, `trial ${trial}: sync`);
  }
});

function memberRecord(
  i: number,
  stamp: number,
  state: "member" | "removed" = "member",
): MemberRecord {
  return {
    address: { host: "10.1.0.1", port: 1000 + i },
    state,
    ...(state === "removed" ? { reason: "dead" as const } : {}),
    version: { stamp, origin: "s" },
    degree: 0,
  };
}

Deno.test("Membership.sample() draws distinct current members uniformly, never `except`", () => {
  const list = new Membership({ clock: new ManualClock(START) });
  for (let i = 0; i < 100; i++) list.apply(memberRecord(i, START + i));
  for (let i = 0; i < 100; i += 2) list.apply(memberRecord(i, START + 1000 + i, "removed"));
  assertEquals(list.size, 50);
  const rng = seededRng(3);
  const hits = new Map<number, number>();
  for (let round = 0; round < 2000; round++) {
    const picked = list.sample(10, rng, "10.1.0.1:1001");
    assertEquals(picked.length, 10);
    assertEquals(new Set(picked.map((r) => r.address.port)).size, 10);
    for (const r of picked) {
      assertEquals(r.state, "member");
      assert(r.address.port !== 1001);
      hits.set(r.address.port, (hits.get(r.address.port) ?? 0) + 1);
    }
  }
  // 49 eligible members, 20,000 draws: about 408 each.
  assertEquals(hits.size, 49);
  for (const count of hits.values()) assert(count > 300 && count < 520, `${count}`);
  assertEquals(list.sample(100, rng).length, 50);
  assertEquals(list.sample(0, rng), []);
});

Deno.test("Membership.sample() hands out each member's current record through adds, updates, degree changes and removals (seeded)", () => {
  const rng = seededRng(77);
  const clock = new ManualClock(START);
  const list = new Membership({ clock, pool: new InternPool({ maxEntries: Infinity }) });
  let stamp = START;
  for (let step = 0; step < 3000; step++) {
    const i = randomInt(rng, 0, 39);
    const key = `10.1.0.1:${1000 + i}`;
    const roll = rng();
    if (roll < 0.4) list.apply(memberRecord(i, ++stamp));
    else if (roll < 0.6) list.apply(memberRecord(i, ++stamp, "removed"));
    else if (roll < 0.7) list.apply(memberRecord(i, stamp - 5)); // stale: ignored
    else list.setDegree(key, randomInt(rng, 0, 50));
    // Asking for more than there are draws every member once (but `except`).
    const except = rng() < 0.5 ? key : undefined;
    const all = list.sample(1000, rng, except);
    const expected = list.members().filter((r) => formatKey(r) !== except);
    assertEquals(all.length, expected.length, `step ${step}`);
    for (const record of all) {
      // The very record the list holds now, not one replaced since.
      assertStrictEquals(record, list.get(formatKey(record)), `step ${step}`);
    }
    assertEquals(new Set(all.map(formatKey)), new Set(expected.map(formatKey)), `step ${step}`);
  }
});

function formatKey(record: MemberRecord): string {
  return `${record.address.host}:${record.address.port}`;
}

Deno.test("Membership.changedSince() gives what changed after a mark, undefined once trimmed", () => {
  const list = new Membership({ clock: new ManualClock(START) });
  list.apply(memberRecord(1, START + 1));
  const mark = list.changeMark;
  assertEquals(list.changedSince(mark), []);
  list.apply(memberRecord(2, START + 2));
  list.apply(memberRecord(1, START + 3, "removed"));
  list.apply(memberRecord(2, START + 1)); // stale: not a change
  const changed = list.changedSince(mark) ?? [];
  assertEquals(changed.map((r) => [r.address.port, r.state]), [[1002, "member"], [
    1001,
    "removed",
  ]]);
  assertEquals(list.changedSince(0)?.length, 2);
  for (let i = 0; i < 3000; i++) list.apply(memberRecord(3, START + 10 + i));
  assertEquals(list.changedSince(mark), undefined);
  assertEquals(list.changedSince(list.changeMark - 1)?.map((r) => r.address.port), [1003]);
});

Deno.test("Membership with a pool shares records' addresses with other lists", () => {
  const pool = new InternPool();
  const a = new Membership({ clock: new ManualClock(START), pool });
  const b = new Membership({ clock: new ManualClock(START), pool });
  // Decoded apart: equal values, distinct objects.
  assertEquals(a.apply(member({ ...P1 }, v(START, ["a", "aaa"].join("")))), "added");
  assertEquals(b.apply(member({ ...P1 }, v(START, ["aa", "aa"].join("")))), "added");
  const [ra] = a.members();
  const [rb] = b.members();
  assertEquals(ra, member(P1, v(START)));
  assertStrictEquals(ra!.address, rb!.address);
  assertEquals(a.isMember(K1), true);
  assertEquals(a.isMember(K2), false);
});
