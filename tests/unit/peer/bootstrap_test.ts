import { assertEquals } from "@std/assert";
import { type KnownPeer, unionPeerLists } from "../../../lib/peer/bootstrap.ts";
import type { Address } from "../../../lib/util/address.ts";
import type { PeerEntry } from "../../../lib/wire/messages.ts";

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
