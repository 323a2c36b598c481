import { assertEquals } from "@std/assert";
import { MemoryEventLog } from "../../../lib/log/events.ts";
import { Gossip, MAX_HELD_MESSAGES } from "../../../lib/peer/gossip.ts";
import { MessageList } from "../../../lib/peer/message_list.ts";
import { NeighborTable } from "../../../lib/peer/neighbors.ts";
import { FrameDecoder } from "../../../lib/wire/frame.ts";
import type { FramedConnection } from "../../../lib/wire/connection.ts";
import {
  decodeMessage,
  encodeMessage,
  type GossipMessage,
  PROTOCOL_VERSION,
} from "../../../lib/wire/messages.ts";
import { ManualClock } from "../../support/manual_clock.ts";
import { seededRng } from "../../support/rng.ts";

const FROM = "127.0.0.1:6002";
const ORIGIN = { host: "127.0.0.1", port: 6003 };

function setup(rate = { perSecond: 10, burst: 3 }) {
  const clock = new ManualClock();
  const messages = new MessageList({ clock, maxEntries: 1000, maxAgeMs: 60_000 });
  const gossip = new Gossip({
    self: { host: "127.0.0.1", port: 6001 },
    messages,
    neighbors: new NeighborTable({ selfKey: "127.0.0.1:6001", maxInbound: 8 }),
    log: new MemoryEventLog(),
    clock,
    rng: seededRng(1),
    intervalMs: 1000,
    count: 0,
    ratePerLink: rate,
  });
  const receive = (text: string, origin = ORIGIN) => {
    const message: GossipMessage = { kind: "gossip", origin, text };
    const [frame] = new FrameDecoder().push(encodeMessage(message)).frames;
    return gossip.receive(FROM, message, frame!);
  };
  return { clock, messages, gossip, receive };
}

Deno.test("Gossip.receive() refuses text that is not gossip", () => {
  const s = setup();
  assertEquals(s.receive("J".repeat(1000)), "invalid");
  assertEquals(s.receive("1700000000000:10.0.0.9:1"), "invalid", "another host than the origin");
  assertEquals(s.messages.size, 0);
});

Deno.test("Gossip.receive() takes a link's burst, drops past it, and calls a long excess a flood", () => {
  const s = setup({ perSecond: 10, burst: 3 });
  const text = (i: number) => `1700000000000:127.0.0.1:${i}`;
  const receipts = Array.from({ length: 5 }, (_, i) => s.receive(text(i + 1)));
  assertEquals(receipts, ["new", "new", "new", "dropped", "dropped"]);
  // Duplicates cost no token and are never drops.
  assertEquals(s.receive(text(1)), "duplicate");
  // 100 ms later one token is back.
  s.clock.advance(100);
  assertEquals(s.receive(text(6)), "new");
  // Dropping past another burst's worth is a flood.
  assertEquals(s.receive(text(7)), "dropped");
  assertEquals(s.receive(text(8)), "flood");
});

Deno.test("Gossip.forget() starts a returning neighbour with a full bucket", () => {
  const s = setup({ perSecond: 1, burst: 1 });
  assertEquals(s.receive("1700000000000:127.0.0.1:1"), "new");
  assertEquals(s.receive("1700000000000:127.0.0.1:2"), "dropped");
  s.gossip.forget(FROM);
  assertEquals(s.receive("1700000000000:127.0.0.1:3"), "new");
});

Deno.test("Gossip holds what it generates with no neighbour and sends it to the first one", () => {
  const clock = new ManualClock();
  const messages = new MessageList({ clock, maxEntries: 1000, maxAgeMs: 60_000 });
  const neighbors = new NeighborTable({ selfKey: "127.0.0.1:6001", maxInbound: 8 });
  const log = new MemoryEventLog();
  const gossip = new Gossip({
    self: { host: "127.0.0.1", port: 6001 },
    messages,
    neighbors,
    log,
    clock,
    rng: seededRng(1),
    intervalMs: 1000,
    count: 0,
    ratePerLink: { perSecond: 10, burst: 3 },
  });
  for (let i = 0; i < MAX_HELD_MESSAGES + 2; i++) gossip.generate();
  assertEquals(gossip.held, MAX_HELD_MESSAGES, "bounded: the oldest are dropped");
  assertEquals(gossip.release(), 0, "nobody to send to yet");

  const sent: Array<{ type: number; payload: Uint8Array }> = [];
  const connection = {
    direction: "out",
    isClosed: false,
    sendFrame: (type: number, payload: Uint8Array) => sent.push({ type, payload }) > 0,
    close: () => {},
  } as unknown as FramedConnection;
  neighbors.add(connection, {
    kind: "hello",
    version: PROTOCOL_VERSION,
    role: "peer",
    nodeId: "0123456789abcdef",
    address: { host: "127.0.0.1", port: 6002 },
  }, clock.now());
  assertEquals(gossip.release(), MAX_HELD_MESSAGES);
  assertEquals(gossip.held, 0);
  assertEquals(sent.length, MAX_HELD_MESSAGES);
  const texts = sent.map(({ type, payload }) => {
    const decoded = decodeMessage({ type, payload });
    return decoded.ok && decoded.message.kind === "gossip" ? decoded.message.text : "?";
  });
  // Seqs 3..66 (1 and 2 were the oldest), in order.
  assertEquals(texts.map((t) => Number(t.split(":").at(-1))), [
    ...Array.from({ length: MAX_HELD_MESSAGES }, (_, i) => i + 3),
  ]);
  assertEquals(log.events.filter((e) => e.event === "gossip_released").length, 1);
  // Generated with a neighbour, nothing is held.
  gossip.generate();
  assertEquals(gossip.held, 0);
  assertEquals(sent.length, MAX_HELD_MESSAGES + 1);
  assertEquals(gossip.release(), 0);
});
