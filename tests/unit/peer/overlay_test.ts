import { assertEquals } from "@std/assert";
import { MemoryEventLog } from "../../../lib/log/events.ts";
import type { KnownPeer } from "../../../lib/peer/bootstrap.ts";
import { NeighborTable } from "../../../lib/peer/neighbors.ts";
import { Overlay } from "../../../lib/peer/overlay.ts";
import { type Address, formatAddress } from "../../../lib/util/address.ts";
import type { FramedConnection } from "../../../lib/wire/connection.ts";
import { PROTOCOL_VERSION } from "../../../lib/wire/messages.ts";
import { ManualClock } from "../../support/manual_clock.ts";
import { seededRng } from "../../support/rng.ts";
import { settle } from "../../support/fake_stream.ts";

const SELF = "127.0.0.1:6000";

function known(port: number, degree = 0): KnownPeer {
  const address = { host: "127.0.0.1", port };
  return { key: formatAddress(address), address, degree };
}

/** A fake link in the table, as a successful dial (or an inbound link) leaves it. */
function addLink(table: NeighborTable, address: Address, direction: "in" | "out"): void {
  const hello = {
    kind: "hello" as const,
    version: PROTOCOL_VERSION,
    role: "peer" as const,
    nodeId: "0123456789abcdef",
    address,
  };
  const connection = { direction, remoteHello: hello, close() {} };
  table.add(connection as unknown as FramedConnection, hello, 0);
}

function setup(options: { unreachable?: number[]; peers?: KnownPeer[] } = {}) {
  const neighbors = new NeighborTable({ selfKey: SELF, maxInbound: 64 });
  const clock = new ManualClock();
  const log = new MemoryEventLog();
  const dialled: number[] = [];
  let refreshes = 0;
  const overlay = new Overlay({
    neighbors,
    maxNeighbors: 4,
    repairIntervalMs: 1000,
    quarantineMs: 300,
    clock,
    rng: seededRng(7),
    log,
    dial(address) {
      dialled.push(address.port);
      if (options.unreachable?.includes(address.port)) {
        return Promise.reject(new Error("connection refused"));
      }
      addLink(neighbors, address, "out");
      return Promise.resolve();
    },
    refreshPeerLists() {
      refreshes++;
      return Promise.resolve();
    },
    knownPeers: () => options.peers ?? [],
  });
  return { overlay, neighbors, clock, log, dialled, refreshes: () => refreshes };
}

Deno.test("Overlay.link() dials at most the outbound cap, replacing failed dials", async () => {
  const peers = [1, 2, 3, 4, 5, 6, 7].map((i) => known(6000 + i));
  const s = setup({ unreachable: [6001, 6002] });
  await s.overlay.link(peers, 4);
  assertEquals(s.neighbors.outbound, 4);
  assertEquals(s.neighbors.degree, 4);
  const failed = s.log.named("neighbor_dial_failed").map((e) => e.neighbor);
  // Every dial either linked or was a logged failure, and no peer was dialled twice.
  assertEquals(new Set(s.dialled).size, s.dialled.length);
  assertEquals(s.dialled.length, 4 + failed.length);
});

Deno.test("Overlay.link() never exceeds --max-neighbors outbound links across calls", async () => {
  const s = setup();
  await s.overlay.link([known(6001), known(6002), known(6003)], 3);
  await s.overlay.link([known(6004), known(6005), known(6006)], 3);
  assertEquals(s.neighbors.outbound, 4);
});

Deno.test("Overlay.link() skips neighbours and quarantined peers until the quarantine ends", async () => {
  const s = setup();
  s.overlay.quarantine("127.0.0.1:6001");
  await s.overlay.link([known(6001)], 1);
  assertEquals(s.dialled, []);
  s.clock.advance(301);
  await s.overlay.link([known(6001)], 1);
  assertEquals(s.dialled, [6001]);
  await s.overlay.link([known(6001)], 1);
  assertEquals(s.dialled, [6001], "an existing neighbour is not dialled again");
});

Deno.test("Overlay.link() counts a dial that lost to a simultaneous inbound link as linked", async () => {
  const neighbors = new NeighborTable({ selfKey: SELF, maxInbound: 64 });
  const log = new MemoryEventLog();
  const overlay = new Overlay({
    neighbors,
    maxNeighbors: 4,
    repairIntervalMs: 1000,
    quarantineMs: 300,
    clock: new ManualClock(),
    rng: seededRng(1),
    log,
    dial(address) {
      // The other side's link arrived first; ours was refused as a duplicate.
      addLink(neighbors, address, "in");
      return Promise.reject(new Error("Duplicate link"));
    },
    refreshPeerLists: () => Promise.resolve(),
    knownPeers: () => [],
  });
  await overlay.link([known(6001), known(6002)], 1);
  assertEquals(neighbors.degree, 1, "one link counts; no second dial");
  assertEquals(log.named("neighbor_dial_failed"), []);
});

Deno.test("Overlay repairs a peer with too few neighbours, and only then", async (t) => {
  await t.step("no neighbours: refreshes the lists and dials up to 2", async () => {
    const s = setup({ peers: [known(6001, 3), known(6002), known(6003)] });
    s.overlay.start();
    s.clock.advance(1000);
    await settle();
    assertEquals(s.refreshes(), 1);
    assertEquals(s.neighbors.degree, 2);
    s.overlay.stop();
  });
  await t.step("enough neighbours: no refresh at all", async () => {
    const s = setup({ peers: [known(6001), known(6002)] });
    addLink(s.neighbors, known(6003).address, "in");
    addLink(s.neighbors, known(6004).address, "in");
    s.overlay.start();
    s.clock.advance(5000);
    await settle();
    assertEquals(s.refreshes(), 0);
    s.overlay.stop();
  });
  await t.step("one known peer: one neighbour is enough", async () => {
    const s = setup({ peers: [known(6001)] });
    s.overlay.repairSoon(); // not started: does nothing
    assertEquals(s.refreshes(), 0);
    s.overlay.start();
    s.overlay.repairSoon();
    await settle();
    assertEquals(s.neighbors.degree, 1);
    s.overlay.stop();
  });
  await t.step("stopped: no dials, no failure lines", async () => {
    const s = setup({ unreachable: [6001] });
    s.overlay.stop();
    await s.overlay.link([known(6001)], 1);
    assertEquals([s.dialled, s.log.named("neighbor_dial_failed")], [[], []]);
  });
});

Deno.test("Overlay.rejoin() links up to the outbound cap even with enough neighbours", async () => {
  // Cut off by a partition and removed: two links on its own side survived,
  // so the repair check is satisfied, but the rest of the network is not linked.
  const s = setup({ peers: [known(6001), known(6002), known(6003), known(6004), known(6005)] });
  addLink(s.neighbors, known(6001).address, "out");
  addLink(s.neighbors, known(6002).address, "out");
  s.overlay.rejoin(); // not started: does nothing
  await settle();
  assertEquals(s.dialled, []);
  s.overlay.start();
  s.overlay.repairSoon();
  await settle();
  assertEquals(s.dialled, [], "repair alone does not relink");
  s.overlay.rejoin();
  await settle();
  assertEquals(s.dialled.length, 2);
  assertEquals(s.neighbors.outbound, 4);
  assertEquals(s.dialled.every((port) => port >= 6003), true, "only new peers");
  s.overlay.stop();
});

Deno.test("Overlay's repair check ticks only while the peer is short of neighbours", async () => {
  const s = setup({
    peers: [known(6001), known(6002), known(6003)],
    unreachable: [6001, 6002, 6003],
  });
  s.overlay.start();
  assertEquals(s.clock.pending, 1, "armed at start");
  // Every dial fails: it keeps checking, once per interval.
  for (let tick = 1; tick <= 3; tick++) {
    s.clock.advance(1000);
    await settle();
    assertEquals(s.refreshes(), tick);
    assertEquals(s.clock.pending, 1, `still armed after tick ${tick}`);
  }
  // Two links come up: the next tick finds enough and the timer goes idle.
  addLink(s.neighbors, known(6004).address, "in");
  addLink(s.neighbors, known(6005).address, "in");
  s.clock.advance(1000);
  await settle();
  assertEquals([s.refreshes(), s.clock.pending], [3, 0]);
  s.clock.advance(10_000);
  await settle();
  assertEquals(s.refreshes(), 3, "idle: no checks");
  // A registration with enough links arms nothing.
  s.overlay.repairSoon();
  await settle();
  assertEquals([s.refreshes(), s.clock.pending], [3, 0]);
  s.overlay.stop();
});
