import { assert, assertEquals, assertNotEquals } from "@std/assert";
import { InternPool } from "../../../lib/node/intern_pool.ts";
import { hashKey, MessageList, type MessageRecord } from "../../../lib/peer/message_list.ts";
import { ManualClock } from "../../support/manual_clock.ts";

const A = "127.0.0.1:6001";
const B = "127.0.0.1:6002";
const C = "127.0.0.1:6003";
const START = 1_700_000_000_000;

function text(seq: number, host = "127.0.0.1"): string {
  return `${START}:${host}:${seq}`;
}

Deno.test("MessageList.record() tells new from duplicate", async (t) => {
  type Receipt = [origin: string, text: string, from: string, expected: "new" | "duplicate"];
  const cases: Array<{ name: string; receipts: Receipt[]; size: number; duplicates: number }> = [
    {
      name: "first receipt is new, the same again from anyone is a duplicate",
      receipts: [[A, text(1), B, "new"], [A, text(1), C, "duplicate"], [
        A,
        text(1),
        B,
        "duplicate",
      ]],
      size: 1,
      duplicates: 2,
    },
    {
      name: "same text from a different origin is a different message",
      receipts: [[A, text(1), B, "new"], [B, text(1), B, "new"], [C, text(1), A, "new"]],
      size: 3,
      duplicates: 0,
    },
    {
      name: "same origin, different text",
      receipts: [[A, text(1), B, "new"], [A, text(2), B, "new"], [A, text(1), C, "duplicate"]],
      size: 2,
      duplicates: 1,
    },
    {
      name: "own messages are recorded too",
      receipts: [[A, text(1), "self", "new"], [A, text(1), B, "duplicate"]],
      size: 1,
      duplicates: 1,
    },
  ];
  for (const c of cases) {
    await t.step(c.name, () => {
      const list = new MessageList({ clock: new ManualClock(START) });
      for (const [origin, body, from, expected] of c.receipts) {
        assertEquals(list.record(origin, body, from), expected, `${origin} ${body}`);
        assertEquals(list.has(origin, body), true);
      }
      assertEquals(list.size, c.size);
      assertEquals(list.duplicates, c.duplicates);
    });
  }
});

Deno.test("MessageList.entries() keeps the first receipt, oldest first", () => {
  const clock = new ManualClock(START);
  const list = new MessageList({ clock });
  list.record(A, text(1), B);
  clock.advance(5);
  list.record(B, text(1), "self");
  clock.advance(5);
  list.record(A, text(1), C); // duplicate: changes nothing
  const expected: MessageRecord[] = [
    { text: text(1), origin: A, firstSeen: START, from: B },
    { text: text(1), origin: B, firstSeen: START + 5, from: "self" },
  ];
  assertEquals(list.entries(), expected);
});

Deno.test("MessageList.repeated() counts a remembered message as record() does, and only that", () => {
  const clock = new ManualClock(START);
  const list = new MessageList({ clock, maxAgeMs: 1000 });
  assertEquals(list.repeated(A, text(1)), false, "never recorded");
  assertEquals(list.size, 0, "a miss records nothing");
  list.record(A, text(1), B);
  assertEquals(list.repeated(A, text(1)), true);
  assertEquals(list.repeated(B, text(1)), false, "another origin");
  assertEquals(list.duplicates, 1);
  assertEquals(list.entries()[0]?.from, B, "the first receipt stays");
  clock.advance(1001);
  assertEquals(list.repeated(A, text(1)), false, "expired");
  assertEquals(list.duplicates, 1);
});

Deno.test("MessageList.has() is false for messages never recorded", () => {
  const list = new MessageList({ clock: new ManualClock(START) });
  list.record(A, text(1), B);
  assertEquals(list.has(A, text(2)), false);
  assertEquals(list.has(B, text(1)), false);
  assertEquals(list.has("127.0.0.1:600", `1${text(1)}`), false);
});

Deno.test("hashKey() separates origin from text", async (t) => {
  const pairs: Array<[[string, string], [string, string]]> = [
    [["a", "bc"], ["ab", "c"]],
    [["", "abc"], ["abc", ""]],
    [["127.0.0.1:600", "11:h:1"], ["127.0.0.1:6001", "1:h:1"]],
  ];
  for (const [[o1, t1], [o2, t2]] of pairs) {
    await t.step(`("${o1}", "${t1}") vs ("${o2}", "${t2}")`, () => {
      assertNotEquals(hashKey(o1, t1), hashKey(o2, t2));
      const list = new MessageList({ clock: new ManualClock(START) });
      assertEquals(list.record(o1, t1, B), "new");
      assertEquals(list.record(o2, t2, B), "new");
      assertEquals(list.size, 2);
    });
  }
  await t.step("deterministic and a safe integer", () => {
    const h = hashKey(A, text(1));
    assertEquals(hashKey(A, text(1)), h);
    assert(Number.isSafeInteger(h) && h >= 0, `hash ${h}`);
  });
});

Deno.test("MessageList evicts the oldest entries beyond maxEntries", async (t) => {
  await t.step("size never exceeds the bound, oldest go first", () => {
    const list = new MessageList({ clock: new ManualClock(START), maxEntries: 3 });
    for (let seq = 1; seq <= 5; seq++) {
      assertEquals(list.record(A, text(seq), B), "new");
      assertEquals(list.size, Math.min(seq, 3));
    }
    assertEquals(list.entries().map((e) => e.text), [text(3), text(4), text(5)]);
    assertEquals([1, 2, 3, 4, 5].map((seq) => list.has(A, text(seq))), [
      false,
      false,
      true,
      true,
      true,
    ]);
  });
  await t.step("an evicted message counts as new again", () => {
    const list = new MessageList({ clock: new ManualClock(START), maxEntries: 2 });
    list.record(A, text(1), B);
    list.record(A, text(2), B);
    list.record(A, text(3), B);
    assertEquals(list.record(A, text(1), C), "new");
    assertEquals(list.entries().map((e) => e.text), [text(3), text(1)]);
    assertEquals(list.duplicates, 0);
  });
  await t.step("a duplicate does not refresh an entry's place", () => {
    const list = new MessageList({ clock: new ManualClock(START), maxEntries: 2 });
    list.record(A, text(1), B);
    list.record(A, text(2), B);
    assertEquals(list.record(A, text(1), C), "duplicate");
    list.record(A, text(3), B);
    assertEquals(list.entries().map((e) => e.text), [text(2), text(3)]);
  });
  await t.step("the default bound is 100,000", () => {
    const list = new MessageList({ clock: new ManualClock(START) });
    for (let seq = 1; seq <= 100_001; seq++) list.record(A, text(seq), B);
    assertEquals(list.size, 100_000);
    assertEquals(list.has(A, text(1)), false);
    assertEquals(list.has(A, text(2)), true);
  });
});

Deno.test("MessageList stays flat over 100,000 inserts", () => {
  const clock = new ManualClock(START);
  const list = new MessageList({ clock, maxEntries: 1_000, maxAgeMs: 3_600_000 });
  let maxSize = 0;
  for (let seq = 1; seq <= 100_000; seq++) {
    list.record(`127.0.0.${seq % 7}:6000`, text(seq), B);
    if (seq % 10 === 0) clock.advance(1);
    maxSize = Math.max(maxSize, list.size);
  }
  assertEquals(maxSize, 1_000);
  assertEquals(list.size, 1_000);
  const kept = list.entries();
  assertEquals(kept.length, 1_000);
  assertEquals(kept[0]?.text, text(99_001));
  assertEquals(kept.at(-1)?.text, text(100_000));
});

Deno.test("MessageList forgets entries older than maxAgeMs", async (t) => {
  const MAX_AGE = 1_000;

  await t.step("entries() drops them at exactly maxAgeMs + 1", () => {
    const clock = new ManualClock(START);
    const list = new MessageList({ clock, maxAgeMs: MAX_AGE });
    list.record(A, text(1), B); // t = 0
    clock.advance(400);
    list.record(A, text(2), B); // t = 400
    clock.advance(600); // t = 1000: text(1) is exactly maxAgeMs old, still kept
    assertEquals(list.entries().map((e) => e.text), [text(1), text(2)]);
    clock.advance(1); // t = 1001
    assertEquals(list.entries().map((e) => e.text), [text(2)]);
    assertEquals(list.size, 1);
    clock.advance(400); // t = 1401
    assertEquals(list.entries(), []);
    assertEquals(list.size, 0);
  });

  await t.step("a new record evicts what has expired", () => {
    const clock = new ManualClock(START);
    const list = new MessageList({ clock, maxAgeMs: MAX_AGE });
    list.record(A, text(1), B);
    list.record(A, text(2), B);
    clock.advance(MAX_AGE + 1);
    assertEquals(list.record(A, text(3), B), "new");
    assertEquals(list.size, 1);
    assertEquals(list.has(A, text(1)), false);
    assertEquals(list.record(A, text(1), C), "new");
    assertEquals(list.duplicates, 0);
  });

  await t.step("the default age is 10 minutes", () => {
    const clock = new ManualClock(START);
    const list = new MessageList({ clock });
    list.record(A, text(1), B);
    clock.advance(600_000);
    assertEquals(list.entries().length, 1);
    clock.advance(1);
    assertEquals(list.entries().length, 0);
  });
});

// These two read an expired entry before anything else has evicted it. The
// docs say entries older than maxAgeMs "are forgotten"; has() and record()
// should not depend on whether entries() or another record() ran first.
Deno.test("MessageList.has() is false for an expired entry with no call in between", () => {
  const clock = new ManualClock(START);
  const list = new MessageList({ clock, maxAgeMs: 1_000 });
  list.record(A, text(1), B);
  clock.advance(1_001);
  assertEquals(list.has(A, text(1)), false);
});

Deno.test("MessageList.record() treats an expired entry as new with no call in between", () => {
  const clock = new ManualClock(START);
  const list = new MessageList({ clock, maxAgeMs: 1_000 });
  list.record(A, text(1), B);
  clock.advance(1_001);
  assertEquals(list.record(A, text(1), C), "new");
  assertEquals(list.duplicates, 0);
  assertEquals(list.entries(), [{ text: text(1), origin: A, firstSeen: START + 1_001, from: C }]);
});

Deno.test("MessageList with a pool answers and keeps entries as without one", () => {
  const pool = new InternPool();
  const one = new MessageList({ clock: new ManualClock(START), pool });
  const two = new MessageList({ clock: new ManualClock(START), pool });
  // Equal strings built apart, as two decoders would.
  assertEquals(one.record([A].join(""), text(1), B), "new");
  assertEquals(two.record([A].join(""), text(1), C), "new");
  assertEquals(one.record(A, text(1), C), "duplicate");
  const [a] = one.entries();
  const [b] = two.entries();
  // (Strings are shared, not copied, but JS cannot tell: only the values are checked.)
  assertEquals(a, { text: text(1), origin: A, firstSeen: START, from: B });
  assertEquals(b, { text: text(1), origin: A, firstSeen: START, from: C });
});
