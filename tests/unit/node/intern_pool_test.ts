import { assertEquals, assertNotStrictEquals, assertStrictEquals } from "@std/assert";
import { InternPool } from "../../../lib/node/intern_pool.ts";
import type { HelloMessage } from "../../../lib/wire/messages.ts";

function hello(nodeId: string, port: number, role: HelloMessage["role"] = "peer"): HelloMessage {
  return { kind: "hello", version: 1, role, nodeId, address: { host: "10.0.0.1", port } };
}

Deno.test("InternPool shares equal addresses and their keys", () => {
  const pool = new InternPool();
  const given = { host: "10.0.0.1", port: 6000 };
  const a = pool.address(given);
  assertEquals(a, given);
  // A copy: the caller's object is not the shared one.
  assertNotStrictEquals(a, given);
  assertStrictEquals(pool.address({ host: "10.0.0.1", port: 6000 }), a);
  assertNotStrictEquals(pool.address({ host: "10.0.0.1", port: 6001 }), a);
  assertEquals(pool.key(a), "10.0.0.1:6000");
  assertStrictEquals(pool.key({ host: "10.0.0.1", port: 6000 }), pool.key(a));
  assertEquals(pool.key({ host: "::1", port: 80 }), "[::1]:80");
  assertEquals(pool.size, 3);
});

Deno.test("InternPool shares equal hellos only", () => {
  const pool = new InternPool();
  const first = pool.hello(hello("aaaa", 6000));
  assertEquals(first, hello("aaaa", 6000));
  assertStrictEquals(pool.hello(hello("aaaa", 6000)), first);
  assertStrictEquals(first.address, pool.address({ host: "10.0.0.1", port: 6000 }));
  // Any field that differs makes another hello.
  assertNotStrictEquals(pool.hello(hello("bbbb", 6000)), first);
  assertNotStrictEquals(pool.hello(hello("aaaa", 6001)), first);
  assertNotStrictEquals(pool.hello(hello("aaaa", 6000, "seed")), first);
  assertNotStrictEquals(pool.hello({ ...hello("aaaa", 6000), version: 2 }), first);
});

Deno.test("InternPool starts over past maxEntries, and stays correct", () => {
  const pool = new InternPool({ maxEntries: 2 });
  const a = pool.address({ host: "10.0.0.1", port: 1 });
  pool.address({ host: "10.0.0.1", port: 2 });
  pool.address({ host: "10.0.0.1", port: 3 });
  assertEquals(pool.size, 1);
  const again = pool.address({ host: "10.0.0.1", port: 1 });
  assertEquals(again, a);
  assertEquals(pool.key(again), "10.0.0.1:1");
});

Deno.test("InternPool.shared() tells ports of one host apart, and spellings of one host not", () => {
  const pool = new InternPool();
  const a = pool.shared({ host: "10.0.0.1", port: 6000 });
  const b = pool.shared({ host: "10.0.0.1", port: 6001 });
  assertEquals([a.key, b.key], ["10.0.0.1:6000", "10.0.0.1:6001"]);
  // Back to the first port after the host was last seen with another.
  assertStrictEquals(pool.shared({ host: "10.0.0.1", port: 6000 }), a);
  assertStrictEquals(pool.shared({ host: "10.0.0.1", port: 6001 }), b);
  const v6 = pool.shared({ host: "::1", port: 5000 });
  assertStrictEquals(pool.shared({ host: "0:0:0:0:0:0:0:1", port: 5000 }), v6);
  assertEquals(v6.key, "[::1]:5000");
  assertStrictEquals(pool.shared({ host: "SEED.example", port: 1 }).key, "seed.example:1");
  assertStrictEquals(
    pool.shared({ host: "seed.example", port: 1 }),
    pool.shared({ host: "SEED.example", port: 1 }),
  );
});
