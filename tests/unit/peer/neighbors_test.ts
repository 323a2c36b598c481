import { assertEquals, assertStrictEquals } from "@std/assert";
import { NeighborTable } from "../../../lib/peer/neighbors.ts";
import { type Address, formatAddress, parseAddress } from "../../../lib/util/address.ts";
import type { FramedConnection } from "../../../lib/wire/connection.ts";
import { type HelloMessage, PROTOCOL_VERSION } from "../../../lib/wire/messages.ts";

/** The parts of a FramedConnection that NeighborTable touches, plus a log of close() calls. */
interface FakeConnection {
  readonly direction: "in" | "out";
  remoteHello: HelloMessage | undefined;
  readonly closes: Array<[reason: string, detail: string]>;
  close(reason: string, detail: string): void;
}

function hello(address: Address): HelloMessage {
  return {
    kind: "hello",
    version: PROTOCOL_VERSION,
    role: "peer",
    nodeId: "0123456789abcdef",
    address,
  };
}

function fake(direction: "in" | "out", remote: Address | undefined): FakeConnection {
  return {
    direction,
    remoteHello: remote && hello(remote),
    closes: [],
    close(reason, detail) {
      this.closes.push([reason, detail]);
    },
  };
}

/** Views a fake as the real type (the table only reads direction/remoteHello and calls close). */
function asConnection(connection: FakeConnection): FramedConnection {
  return connection as unknown as FramedConnection;
}

function addr(key: string): Address {
  const address = parseAddress(key);
  if (!address) throw new Error(`bad test address ${key}`);
  return address;
}

const SELF = "127.0.0.1:6001";

/** Adds a fake link to `remote`, returning the fake and the table's answer. */
function link(table: NeighborTable, direction: "in" | "out", remote: string, now = 0) {
  const connection = fake(direction, addr(remote));
  const result = table.add(asConnection(connection), hello(addr(remote)), now);
  return { connection, result };
}

Deno.test("NeighborTable.add() and remove() track degree and outbound count", () => {
  const table = new NeighborTable({ selfKey: SELF, maxInbound: 8 });
  assertEquals([table.degree, table.outbound], [0, 0]);

  const b = link(table, "out", "127.0.0.1:6002", 100);
  assertEquals(b.result.kind, "added");
  const c = link(table, "in", "127.0.0.1:6003", 200);
  const d = link(table, "out", "[::1]:6004", 300);
  assertEquals([table.degree, table.outbound], [3, 2]);
  assertEquals(table.list().map((n) => [n.key, n.direction, n.since]), [
    ["127.0.0.1:6002", "out", 100],
    ["127.0.0.1:6003", "in", 200],
    ["[::1]:6004", "out", 300],
  ]);
  assertEquals(table.has("[::1]:6004"), true);
  assertEquals(table.get("[::1]:6004")?.address, { host: "::1", port: 6004 });
  assertStrictEquals(table.get("127.0.0.1:6003")?.connection, asConnection(c.connection));

  assertEquals(table.remove(asConnection(b.connection))?.key, "127.0.0.1:6002");
  assertEquals([table.degree, table.outbound], [2, 1]);
  assertEquals(table.has("127.0.0.1:6002"), false);
  assertEquals(table.remove(asConnection(b.connection)), undefined); // already gone
  assertEquals(table.remove(asConnection(c.connection))?.key, "127.0.0.1:6003");
  assertEquals(table.remove(asConnection(d.connection))?.key, "[::1]:6004");
  assertEquals([table.degree, table.outbound], [0, 0]);
  assertEquals(table.list(), []);
  // The table never closes what it adds or removes.
  for (const x of [b, c, d]) assertEquals(x.connection.closes, []);
});

Deno.test("NeighborTable.add() rejects a link to itself", async (t) => {
  for (const self of ["127.0.0.1:6001", "[::1]:6001", "peer.example:7"]) {
    await t.step(self, () => {
      const table = new NeighborTable({ selfKey: self, maxInbound: 8 });
      for (const direction of ["in", "out"] as const) {
        const { result } = link(table, direction, self);
        assertEquals(result, { kind: "rejected", text: "Cannot link to itself" });
      }
      assertEquals(table.degree, 0);
    });
  }
});

Deno.test("NeighborTable.add() caps inbound links only", async (t) => {
  await t.step("inbound beyond the cap is rejected", () => {
    const table = new NeighborTable({ selfKey: SELF, maxInbound: 2 });
    assertEquals(link(table, "in", "127.0.0.1:7001").result.kind, "added");
    assertEquals(link(table, "in", "127.0.0.1:7002").result.kind, "added");
    const third = link(table, "in", "127.0.0.1:7003");
    assertEquals(third.result, { kind: "rejected", text: "Too many inbound links (2)" });
    assertEquals(third.connection.closes, []); // the caller closes a rejected link
    assertEquals([table.degree, table.outbound], [2, 0]);
  });
  await t.step("outbound links do not count against it", () => {
    const table = new NeighborTable({ selfKey: SELF, maxInbound: 1 });
    link(table, "in", "127.0.0.1:7001");
    for (let port = 7100; port < 7105; port++) {
      assertEquals(link(table, "out", `127.0.0.1:${port}`).result.kind, "added");
    }
    assertEquals(link(table, "in", "127.0.0.1:7002").result.kind, "rejected");
    assertEquals([table.degree, table.outbound], [6, 5]);
  });
  await t.step("a removed inbound link frees its slot", () => {
    const table = new NeighborTable({ selfKey: SELF, maxInbound: 1 });
    const first = link(table, "in", "127.0.0.1:7001");
    assertEquals(link(table, "in", "127.0.0.1:7002").result.kind, "rejected");
    table.remove(asConnection(first.connection));
    assertEquals(link(table, "in", "127.0.0.1:7002").result.kind, "added");
  });
  await t.step("cap 0 refuses every inbound link", () => {
    const table = new NeighborTable({ selfKey: SELF, maxInbound: 0 });
    assertEquals(link(table, "in", "127.0.0.1:7001").result, {
      kind: "rejected",
      text: "Too many inbound links (0)",
    });
    assertEquals(link(table, "out", "127.0.0.1:7001").result.kind, "added");
  });
});

Deno.test("NeighborTable.add() refuses a second link to a neighbour whose link is live", async (t) => {
  // Anyone can claim any address: a newer link must not displace a working one.
  for (const remote of ["127.0.0.1:6002", "127.0.0.1:6000"]) {
    for (
      const [first, second] of [["out", "in"], ["in", "out"], ["in", "in"], ["out", "out"]] as const
    ) {
      await t.step(`${first} then, 3 s later, ${second} to ${remote}`, () => {
        const table = new NeighborTable({ selfKey: SELF, maxInbound: 8 });
        const old = link(table, first, remote, 100);
        const claim = link(table, second, remote, 3100);
        assertEquals(claim.result, {
          kind: "rejected",
          text: `Duplicate link: ${remote} already has a live link`,
        });
        assertEquals(old.connection.closes, []);
        assertStrictEquals(table.get(remote)?.connection, asConnection(old.connection));
        assertEquals(table.degree, 1);
      });
    }
  }
  await t.step("even at once, in the same direction", () => {
    const table = new NeighborTable({ selfKey: SELF, maxInbound: 8 });
    const old = link(table, "in", "127.0.0.1:6002", 100);
    assertEquals(link(table, "in", "127.0.0.1:6002", 100).result.kind, "rejected");
    assertEquals(old.connection.closes, []);
  });
});

Deno.test("NeighborTable.add() replaces a link that failed its liveness check (a reconnect)", async (t) => {
  for (const direction of ["out", "in"] as const) {
    await t.step(`${direction} twice, the first one missing pings`, () => {
      const failing = new Set<string>();
      const table = new NeighborTable({
        selfKey: SELF,
        maxInbound: 8,
        failing: (neighbor) => failing.has(neighbor.key),
      });
      const remote = "127.0.0.1:6002";
      const first = link(table, direction, remote, 100);
      failing.add(remote);
      const second = link(table, direction, remote, 200);
      assertEquals(second.result.kind, "replaced");
      assertEquals(first.connection.closes, [
        ["local", "replaced by a newer link to the same neighbour"],
      ]);
      const neighbor = table.get(remote);
      assertStrictEquals(neighbor?.connection, asConnection(second.connection));
      // Same neighbour entry: it keeps the time the neighbour first came up.
      if (first.result.kind !== "added") throw new Error("expected added");
      assertStrictEquals(neighbor, first.result.neighbor);
      assertEquals([neighbor?.since, neighbor?.direction], [100, direction]);
      assertEquals([table.degree, table.outbound], [1, direction === "out" ? 1 : 0]);
    });
  }
  await t.step("a closed link is replaced too", () => {
    const table = new NeighborTable({ selfKey: SELF, maxInbound: 8 });
    const first = link(table, "in", "127.0.0.1:6002", 100);
    (first.connection as unknown as { isClosed: boolean }).isClosed = true;
    assertEquals(link(table, "in", "127.0.0.1:6002", 5000).result.kind, "replaced");
  });
});

Deno.test("NeighborTable.add() keeps the link dialled by the smaller address", async (t) => {
  // [self, neighbour, the direction self keeps when both dialled]
  const cases: Array<[string, string, "in" | "out"]> = [
    ["127.0.0.1:6001", "127.0.0.1:6002", "out"], // self is smaller: keep what self dialled
    ["127.0.0.1:6002", "127.0.0.1:6001", "in"], // neighbour is smaller: keep what it dialled
  ];
  for (const [self, other, keep] of cases) {
    for (const firstDirection of ["in", "out"] as const) {
      const secondDirection = firstDirection === "in" ? "out" : "in";
      await t.step(`${self} with ${other}: ${firstDirection} then ${secondDirection}`, () => {
        const table = new NeighborTable({ selfKey: self, maxInbound: 8 });
        const first = link(table, firstDirection, other);
        const second = link(table, secondDirection, other);
        if (secondDirection === keep) {
          assertEquals(second.result.kind, "replaced");
          assertEquals(first.connection.closes.length, 1);
        } else {
          assertEquals(second.result, {
            kind: "rejected",
            text: "Duplicate link (both dialled at once; the other one stays)",
          });
          assertEquals(first.connection.closes, []);
        }
        assertEquals(table.get(other)?.direction, keep);
        assertEquals(table.degree, 1);
        assertEquals(table.outbound, keep === "out" ? 1 : 0);
      });
    }
  }
  await t.step("the replacing inbound link is kept even at the inbound cap", () => {
    // Refusing it would break the rule: the other side keeps this link and
    // drops its twin, so both links would be lost.
    const table = new NeighborTable({ selfKey: "127.0.0.1:6002", maxInbound: 0 });
    link(table, "out", "127.0.0.1:6001");
    assertEquals(link(table, "in", "127.0.0.1:6001").result.kind, "replaced");
    assertEquals([table.degree, table.outbound], [1, 0]);
  });
});

function permutations<T>(items: readonly T[]): T[][] {
  if (items.length <= 1) return [items.slice()];
  return items.flatMap((item, i) =>
    permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest])
  );
}

/**
 * Two peers dial each other at once: two links, each with an end on both
 * sides. Each end's handshake completes at some point, in any order. A
 * closed end closes its twin, which the other side removes from its table.
 */
function simultaneousDial(keyA: string, keyB: string, order: ReadonlyArray<[0 | 1, 0 | 1]>) {
  const tables = [keyA, keyB].map((selfKey) => new NeighborTable({ selfKey, maxInbound: 8 }));
  const keys = [keyA, keyB];
  // ends[link][side]; link i is dialled by side i.
  const ends = [0, 1].map((dialler) =>
    [0, 1].map((side) => fake(side === dialler ? "out" : "in", addr(keys[1 - side] as string)))
  );
  const dead = [false, false];
  const kill = (linkIndex: number) => {
    if (dead[linkIndex]) return;
    dead[linkIndex] = true;
    ends[linkIndex]?.forEach((end, side) => tables[side]?.remove(asConnection(end)));
  };
  for (const end of ends.flat()) {
    const close = end.close.bind(end);
    end.close = (reason, detail) => {
      close(reason, detail);
      kill(ends.findIndex((pair) => pair.includes(end)));
    };
  }
  for (const [side, linkIndex] of order) {
    if (dead[linkIndex]) continue; // its twin closed before this end's handshake finished
    const end = ends[linkIndex]?.[side] as FakeConnection;
    const table = tables[side] as NeighborTable;
    const result = table.add(asConnection(end), hello(addr(keys[1 - side] as string)), 0);
    if (result.kind === "rejected") end.close("local", result.text);
  }
  return { tables, ends, dead };
}

Deno.test("NeighborTable.add() resolves a simultaneous dial the same way on both ends", async (t) => {
  const pairs: Array<[string, string]> = [
    ["127.0.0.1:6001", "127.0.0.1:6002"],
    ["127.0.0.1:6002", "127.0.0.1:6001"],
    // String order decides: ":10000" < ":9000"; both sides compare the same strings.
    ["127.0.0.1:9000", "127.0.0.1:10000"],
    ["[::1]:6001", "127.0.0.1:6001"],
  ];
  const events: Array<[0 | 1, 0 | 1]> = [[0, 0], [0, 1], [1, 0], [1, 1]];
  const orders = permutations(events);
  assertEquals(orders.length, 24);
  for (const [keyA, keyB] of pairs) {
    await t.step(`${keyA} and ${keyB}, all 24 handshake orders`, () => {
      const survivor = keyA < keyB ? 0 : 1; // the link dialled by the smaller key
      for (const order of orders) {
        const at = JSON.stringify(order);
        const { tables, ends, dead } = simultaneousDial(keyA, keyB, order);
        assertEquals(dead, survivor === 0 ? [false, true] : [true, false], at);
        for (const side of [0, 1] as const) {
          const table = tables[side] as NeighborTable;
          assertEquals(table.degree, 1, at);
          const other = side === 0 ? keyB : keyA;
          assertStrictEquals(
            table.get(other)?.connection,
            asConnection(ends[survivor]?.[side] as FakeConnection),
            at,
          );
          assertEquals(table.outbound, side === survivor ? 1 : 0, at);
        }
      }
    });
  }
});

Deno.test("NeighborTable.remove() ignores connections that are not current", async (t) => {
  await t.step("a replaced connection", () => {
    const table = new NeighborTable({ selfKey: SELF, maxInbound: 8, failing: () => true });
    const old = link(table, "out", "127.0.0.1:6002");
    const current = link(table, "out", "127.0.0.1:6002");
    assertEquals(table.remove(asConnection(old.connection)), undefined);
    assertEquals(table.degree, 1);
    assertEquals(table.remove(asConnection(current.connection))?.key, "127.0.0.1:6002");
    assertEquals(table.degree, 0);
  });
  await t.step("a rejected duplicate", () => {
    const table = new NeighborTable({ selfKey: SELF, maxInbound: 8 });
    link(table, "out", "127.0.0.1:6002");
    const refused = link(table, "in", "127.0.0.1:6002");
    assertEquals(refused.result.kind, "rejected");
    assertEquals(table.remove(asConnection(refused.connection)), undefined);
    assertEquals(table.degree, 1);
  });
  await t.step("a connection to an unknown neighbour", () => {
    const table = new NeighborTable({ selfKey: SELF, maxInbound: 8 });
    link(table, "out", "127.0.0.1:6002");
    assertEquals(table.remove(asConnection(fake("out", addr("127.0.0.1:6003")))), undefined);
    assertEquals(table.degree, 1);
  });
  await t.step("a connection that never finished its handshake", () => {
    const table = new NeighborTable({ selfKey: SELF, maxInbound: 8 });
    link(table, "in", "127.0.0.1:6002");
    assertEquals(table.remove(asConnection(fake("in", undefined))), undefined);
    assertEquals(table.degree, 1);
  });
  await t.step("keys come from formatAddress()", () => {
    const table = new NeighborTable({ selfKey: SELF, maxInbound: 8 });
    const v6 = link(table, "out", "[2001:db8::1]:6002");
    assertEquals(table.list().map((n) => n.key), [formatAddress(addr("[2001:db8::1]:6002"))]);
    assertEquals(table.remove(asConnection(v6.connection))?.key, "[2001:db8::1]:6002");
  });
});
