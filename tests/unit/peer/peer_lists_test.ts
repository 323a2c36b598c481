import { assertEquals, assertStrictEquals } from "@std/assert";
import fc from "fast-check";
import { unionPeerLists } from "../../../lib/peer/bootstrap.ts";
import { InternPool } from "../../../lib/node/intern_pool.ts";
import { PeerLists } from "../../../lib/peer/peer_lists.ts";
import type { PeerEntry } from "../../../lib/wire/messages.ts";

function entry(port: number, degree: number): PeerEntry {
  return { address: { host: "10.1.0.1", port }, degree };
}

Deno.test("PeerLists keeps each seed's latest list, entries as given", () => {
  const lists = new PeerLists(new InternPool());
  assertEquals(lists.lists(), []);
  // set() answers with the entries' keys, in order (for the peer_list log line).
  assertEquals(lists.set("seed-a", [entry(1, 3), entry(2, 0)]), ["10.1.0.1:1", "10.1.0.1:2"]);
  lists.set("seed-b", [entry(2, 5)]);
  assertEquals(lists.lists(), [[entry(1, 3), entry(2, 0)], [entry(2, 5)]]);
  // A newer list from a seed replaces its older one.
  lists.set("seed-a", [entry(3, 1)]);
  assertEquals(lists.lists(), [[entry(3, 1)], [entry(2, 5)]]);
  lists.set("seed-b", []);
  assertEquals(lists.lists(), [[entry(3, 1)], []]);
});

Deno.test("PeerLists.has() finds a peer any seed listed", () => {
  const lists = new PeerLists(new InternPool());
  lists.set("seed-a", [entry(1, 3)]);
  lists.set("seed-b", [entry(2, 0)]);
  assertEquals(lists.has("10.1.0.1:1"), true);
  assertEquals(lists.has("10.1.0.1:2"), true);
  assertEquals(lists.has("10.1.0.1:3"), false);
});

Deno.test("PeerLists shares addresses through the pool", () => {
  const pool = new InternPool();
  const a = new PeerLists(pool);
  const b = new PeerLists(pool);
  a.set("seed", [entry(1, 3)]);
  b.set("seed", [entry(1, 4)]);
  assertStrictEquals(a.lists()[0]![0]!.address, b.lists()[0]![0]!.address);
});

Deno.test("PeerLists.union() is unionPeerLists over the kept lists, for any lists", () => {
  // Few hosts and ports, so lists overlap, repeat entries and name self; IPv6
  // and upper-case spellings of one host must still meet under one key.
  const hosts = ["10.1.0.1", "10.1.0.2", "::1", "0:0:0:0:0:0:0:1", "Node.Example", "node.example"];
  const address = fc.record({
    host: fc.constantFrom(...hosts),
    port: fc.integer({ min: 1, max: 4 }),
  });
  const list = fc.array(fc.record({ address, degree: fc.integer({ min: 0, max: 9 }) }), {
    maxLength: 8,
  });
  fc.assert(
    fc.property(fc.array(list, { maxLength: 4 }), address, (seeds, self) => {
      const lists = new PeerLists(new InternPool());
      seeds.forEach((entries, i) => lists.set(`seed-${i}`, entries));
      const expected = unionPeerLists(lists.lists(), self);
      assertEquals(lists.union(self), expected);
    }),
  );
});
