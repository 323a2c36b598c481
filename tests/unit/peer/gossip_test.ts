import { assertEquals } from "@std/assert";
import { MemoryEventLog } from "../../../lib/log/events.ts";
import { Gossip } from "../../../lib/peer/gossip.ts";
import { MessageList } from "../../../lib/peer/message_list.ts";
import { NeighborTable } from "../../../lib/peer/neighbors.ts";
import { FrameDecoder } from "../../../lib/wire/frame.ts";
import { encodeMessage, type GossipMessage } from "../../../lib/wire/messages.ts";
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
