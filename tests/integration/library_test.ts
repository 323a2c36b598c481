/**
 * The library, through `mod.ts` alone, in one process: 3 seeds and 8 peers
 * on real TCP, 50 binary payloads (empty, the largest allowed, and sizes
 * between) from 5 origins. Every payload must reach every other peer
 * exactly once, byte for byte, under a unique id.
 */

import { assert, assertEquals, assertRejects, assertThrows } from "@std/assert";
import {
  MAX_PAYLOAD_BYTES,
  type PeerHandle,
  type ReceivedMessage,
  type SeedHandle,
  startPeer,
  startSeed,
} from "../../mod.ts";
import { freePortBlock } from "../support/ports.ts";
import { seededRng } from "../support/rng.ts";
import { waitFor } from "../support/jsonl_log.ts";

const SEEDS = 3;
const PEERS = 8;
const ORIGINS = 5;
const PER_ORIGIN = 10;

function payload(size: number, rng: () => number): Uint8Array {
  const bytes = new Uint8Array(size);
  for (let i = 0; i < size; i++) bytes[i] = Math.floor(rng() * 256);
  return bytes;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}

/** Reads a peer's messages into a list until the stream ends. */
function collect(peer: PeerHandle): ReceivedMessage[] {
  const got: ReceivedMessage[] = [];
  (async () => {
    for await (const message of peer.messages()) got.push(message);
  })();
  return got;
}

Deno.test("mod.ts: 50 payloads from 5 origins reach every other peer exactly once, unchanged", async () => {
  const base = freePortBlock(SEEDS);
  const seedList = Array.from({ length: SEEDS }, (_, i) => `127.0.0.1:${base + i}`);
  const seeds: SeedHandle[] = [];
  const peers: PeerHandle[] = [];
  try {
    for (let i = 0; i < SEEDS; i++) {
      seeds.push(await startSeed({ port: base + i, seeds: seedList }));
    }
    await Promise.all(seeds.map((s) => s.ready));
    // One at a time, so each newcomer links to peers already in the network.
    for (let i = 0; i < PEERS; i++) {
      const peer = await startPeer({
        port: 0,
        seeds: seedList,
        gossipCount: 0,
        repairInterval: "100ms",
      });
      peers.push(peer);
      await peer.joined;
    }
    await waitFor(
      "every seed to list all 8 peers",
      () => seeds.every((s) => s.members().length === PEERS),
    );
    const inboxes = peers.map(collect);
    const events = peers[PEERS - 1]!.events();

    const rng = seededRng(11);
    const sent = new Map<string, { origin: string; data: Uint8Array }>();
    for (let k = 0; k < PER_ORIGIN; k++) {
      for (let o = 0; o < ORIGINS; o++) {
        const n = k * ORIGINS + o;
        const size = n === 0 ? 0 : n === 1 ? MAX_PAYLOAD_BYTES : Math.floor(rng() * 4096) * 16;
        const data = payload(size, rng);
        const origin = peers[o]!;
        const id = origin.publish(data);
        assert(!sent.has(id), `id ${id} given twice`);
        sent.set(id, { origin: origin.address, data });
      }
    }
    assertEquals(sent.size, ORIGINS * PER_ORIGIN);

    const expected = (i: number) => i < ORIGINS ? sent.size - PER_ORIGIN : sent.size;
    await waitFor(
      "every peer to receive every other peer's messages",
      () => inboxes.every((got, i) => got.length >= expected(i)),
    );
    // A barrier: one more message from each peer, received everywhere. Any
    // duplicate of an earlier message would have had as long to arrive.
    const barrier = new Set(peers.map((p) => p.publish("barrier")));
    await waitFor(
      "the barrier messages",
      () => inboxes.every((got) => got.filter((m) => barrier.has(m.id)).length === PEERS - 1),
    );

    for (const [i, got] of inboxes.entries()) {
      const peer = peers[i]!;
      const real = got.filter((m) => !barrier.has(m.id));
      assertEquals(real.length, expected(i), `${peer.address} got a message more than once`);
      assertEquals(new Set(real.map((m) => m.id)).size, real.length);
      for (const message of real) {
        const original = sent.get(message.id);
        if (!original) throw new Error(`${peer.address} got unknown id ${message.id}`);
        assert(original.origin !== peer.address, `${peer.address} got its own ${message.id}`);
        assertEquals(message.origin, original.origin);
        assert(sameBytes(message.data, original.data), `${message.id} changed on its way`);
        assert(message.hops >= 1 && message.hops < PEERS, `hops ${message.hops}`);
        assert(message.id.startsWith(peers.find((p) => p.address === message.origin)!.nodeId));
      }
    }
    // The event stream carries the same typed events as the log file.
    const received: string[] = [];
    for await (const event of events) {
      if (event.event === "message_received") received.push(event.id);
      if (received.length === sent.size) break;
    }
    assertEquals(new Set(received), new Set(sent.keys()));
    // Flooding over redundant links produced duplicates, and they were dropped.
    const duplicates = peers.reduce((n, p) => n + p.status().messageList.duplicates, 0);
    assert(duplicates > 0, "no duplicate was ever dropped: the test did not exercise dedup");
  } finally {
    await Promise.all(peers.map((p) => p.stop()));
    await Promise.all(seeds.map((s) => s.stop()));
  }
});

Deno.test("mod.ts: bad input is refused before anything is sent or bound", async () => {
  await using seed = await startSeed({ port: 0, seeds: [] });
  await using peer = await startPeer({ port: 0, seeds: [seed.address], gossipCount: 0 });
  await peer.joined;
  assertThrows(
    () => peer.publish(new Uint8Array(MAX_PAYLOAD_BYTES + 1)),
    RangeError,
    `exceeds the limit of ${MAX_PAYLOAD_BYTES} bytes`,
  );
  assertEquals(peer.status().counters.message_published, 0);
  await assertRejects(
    () => startPeer({ port: 0, seeds: [seed.address], gossipInterval: "soon" }),
    Error,
    "Invalid option gossipInterval",
  );
  await assertRejects(
    () => startPeer({ port: 0, seeds: [seed.address], onMessage: "no-such-command-xyz" }),
    Error,
    'no command "no-such-command-xyz" on PATH',
  );
  await assertRejects(
    () => startPeer({ port: 0, host: "0.0.0.0", seeds: [seed.address] }),
    Error,
    "which other nodes cannot dial",
  );
  await assertRejects(
    () => startSeed({ port: 0, seeds: ["127.0.0.1:1"] }),
    Error,
    "can only run alone",
  );
});

/** A one-port TCP forwarder on 127.0.0.1, as NAT or a container's published port would be. */
function forward(from: number, to: number): { close(): void } {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: from });
  const open = new Set<Deno.Conn>();
  (async () => {
    for await (const inbound of listener) {
      try {
        const outbound = await Deno.connect({ hostname: "127.0.0.1", port: to });
        open.add(inbound).add(outbound);
        const pipe = (a: Deno.Conn, b: Deno.Conn) =>
          a.readable.pipeTo(b.writable).catch(() => {}).finally(() => {
            for (const c of [a, b]) {
              open.delete(c);
              try {
                c.close();
              } catch {
                // Closed by the other direction.
              }
            }
          });
        pipe(inbound, outbound);
        pipe(outbound, inbound);
      } catch {
        inbound.close();
      }
    }
  })();
  return {
    close() {
      listener.close();
      for (const c of open) {
        try {
          c.close();
        } catch {
          // Already closed.
        }
      }
    },
  };
}

Deno.test("advertise: a peer behind a port mapping is reached at its advertised address", async () => {
  const [inside, outside] = ((base) => [base, base + 1])(freePortBlock(2));
  const mapping = forward(outside, inside);
  const seed = await startSeed({ port: 0, seeds: [] });
  let natted: PeerHandle | undefined;
  let other: PeerHandle | undefined;
  try {
    natted = await startPeer({
      port: inside,
      advertise: `127.0.0.1:${outside}`,
      seeds: [seed.address],
      gossipCount: 0,
    });
    assertEquals(natted.address, `127.0.0.1:${outside}`);
    await natted.joined;
    assertEquals(seed.members().map((m) => m.address), [`127.0.0.1:${outside}`]);
    other = await startPeer({ port: 0, seeds: [seed.address], gossipCount: 0 });
    await other.joined;
    // The newcomer dialled the advertised address, through the mapping.
    assertEquals(other.neighbors().map((n) => n.address), [`127.0.0.1:${outside}`]);
    const inbox = natted.messages();
    const id = other.publish("through the mapping");
    assertEquals((await inbox.next()).value?.id, id);
  } finally {
    await other?.stop();
    await natted?.stop();
    await seed.stop();
    mapping.close();
  }
});
