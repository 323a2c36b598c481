import { assert, assertEquals, assertThrows } from "@std/assert";
import { MemoryEventLog } from "../../../lib/log/events.ts";
import { AppMessages, type ReceivedMessage } from "../../../lib/peer/app_messages.ts";
import { MessageList } from "../../../lib/peer/message_list.ts";
import { NeighborTable } from "../../../lib/peer/neighbors.ts";
import type { Address } from "../../../lib/util/address.ts";
import type { FramedConnection } from "../../../lib/wire/connection.ts";
import { type Frame, FrameDecoder } from "../../../lib/wire/frame.ts";
import {
  type AppMessageWire,
  decodeMessage,
  encodeMessage,
  MAX_PAYLOAD_BYTES,
  MessageType,
  PROTOCOL_VERSION,
} from "../../../lib/wire/messages.ts";
import { ManualClock } from "../../support/manual_clock.ts";

const SELF: Address = { host: "127.0.0.1", port: 6000 };
const SELF_ID = "00000000000000aa";
const ORIGIN: Address = { host: "127.0.0.1", port: 6009 };
const ORIGIN_ID = "00000000000000bb";

/** A neighbour whose sent frames the test can read back. */
interface FakeLink {
  readonly key: string;
  readonly sent: Frame[];
}

function setup(ports: number[]) {
  const clock = new ManualClock();
  const log = new MemoryEventLog();
  const neighbors = new NeighborTable({ selfKey: "127.0.0.1:6000", maxInbound: 64 });
  const links = new Map<number, FakeLink>();
  for (const port of ports) {
    const address = { host: "127.0.0.1", port };
    const sent: Frame[] = [];
    const connection = {
      direction: "out",
      remoteHello: { kind: "hello", version: PROTOCOL_VERSION, role: "peer", nodeId: "0", address },
      close() {},
      // The relay path: type and payload, copied as the real send queue does.
      sendFrame(type: number, payload: Uint8Array) {
        sent.push({ type, payload: payload.slice() });
        return true;
      },
    };
    const hello = connection.remoteHello as Parameters<NeighborTable["add"]>[1];
    neighbors.add(connection as unknown as FramedConnection, hello, 0);
    links.set(port, { key: `127.0.0.1:${port}`, sent });
  }
  const delivered: ReceivedMessage[] = [];
  const app = new AppMessages({
    self: SELF,
    nodeId: SELF_ID,
    messages: new MessageList({ clock }),
    neighbors,
    log,
    clock,
    deliver: (m) => delivered.push(m),
  });
  return { app, links, delivered, log, clock };
}

function frameOf(message: AppMessageWire): Frame {
  const [frame] = new FrameDecoder().push(encodeMessage(message)).frames;
  return frame!;
}

function decodeApp(frame: Frame): AppMessageWire {
  const result = decodeMessage(frame);
  if (!result.ok || result.message.kind !== "app_message") throw new Error("not an app message");
  return result.message;
}

const incoming = (seq: number, hops = 1, data = new Uint8Array([1, 2, 3])): AppMessageWire => ({
  kind: "app_message",
  hops,
  originId: ORIGIN_ID,
  seq,
  origin: ORIGIN,
  data,
});

Deno.test("publish() sends one app_message with hop count 1 to every neighbour", () => {
  const { app, links, log } = setup([6001, 6002]);
  const published = app.publish(new TextEncoder().encode("hi"));
  assertEquals(published, { id: `${SELF_ID}-1`, seq: 1, neighbors: 2 });
  for (const link of links.values()) {
    assertEquals(link.sent.length, 1);
    assertEquals(link.sent[0]!.type, MessageType.AppMessage);
    const wire = decodeApp(link.sent[0]!);
    assertEquals({ ...wire, data: [...wire.data] }, {
      kind: "app_message",
      hops: 1,
      originId: SELF_ID,
      seq: 1,
      origin: SELF,
      data: [104, 105],
    });
  }
  assertEquals(app.publish(new Uint8Array()).id, `${SELF_ID}-2`);
  assertEquals(log.named("message_published").map((e) => e.neighbors), [2, 2]);
});

Deno.test("publish() refuses a payload over MAX_PAYLOAD_BYTES and sends nothing", () => {
  const { app, links } = setup([6001]);
  app.publish(new Uint8Array(MAX_PAYLOAD_BYTES)); // the maximum itself fits
  assertThrows(() => app.publish(new Uint8Array(MAX_PAYLOAD_BYTES + 1)), RangeError, "exceeds");
  assertEquals(links.get(6001)!.sent.length, 1);
});

Deno.test("receive() delivers once, forwards to all but sender and origin with hops + 1", async () => {
  const { app, links, delivered, log, clock } = setup([6001, 6002, 6003, 6009]);
  const message = incoming(7, 2, new Uint8Array([9, 8, 7]));
  app.receive("127.0.0.1:6001", message, frameOf(message));
  app.receive("127.0.0.1:6002", message, frameOf(message)); // a duplicate over another link
  assertEquals(delivered.length, 1);
  const got = delivered[0]!;
  assertEquals(got.id, `${ORIGIN_ID}-7`);
  assertEquals(got.origin, "127.0.0.1:6009");
  assertEquals(got.from, "127.0.0.1:6001");
  assertEquals(got.hops, 2);
  assertEquals([...got.data], [9, 8, 7]);
  assertEquals(got.receivedAt, clock.now());
  // Not back to the sender, not to the origin; the others once, one hop further.
  assertEquals(links.get(6001)!.sent.length, 0);
  assertEquals(links.get(6009)!.sent.length, 0);
  for (const port of [6002, 6003]) {
    const sent = links.get(port)!.sent;
    assertEquals(sent.length, 1);
    const wire = decodeApp(sent[0]!);
    assertEquals(wire.hops, 3);
    assertEquals([...wire.data], [9, 8, 7]);
    assertEquals(wire.seq, 7);
  }
  await Promise.resolve();
  assertEquals(log.named("message_received"), [{
    event: "message_received",
    id: `${ORIGIN_ID}-7`,
    origin: "127.0.0.1:6009",
    from: "127.0.0.1:6001",
    bytes: 3,
    hops: 2,
  }]);
});

Deno.test("receive() keys on origin node id and seq: same seq from another origin is new", () => {
  const { app, delivered } = setup([6001]);
  const a = incoming(1);
  const b = { ...incoming(1), originId: "00000000000000cc" };
  app.receive("127.0.0.1:6001", a, frameOf(a));
  app.receive("127.0.0.1:6001", b, frameOf(b));
  app.receive("127.0.0.1:6001", { ...a, hops: 5 }, frameOf({ ...a, hops: 5 }));
  assertEquals(delivered.map((m) => m.id), [`${ORIGIN_ID}-1`, "00000000000000cc-1"]);
});

Deno.test("receive() never delivers this peer's own messages coming back", () => {
  const { app, delivered, links } = setup([6001, 6002]);
  app.publish(new Uint8Array([1]));
  const back = decodeApp(links.get(6001)!.sent[0]!);
  app.receive("127.0.0.1:6002", back, frameOf(back));
  assertEquals(delivered.length, 0);
});

Deno.test("the hop count saturates at 65535", () => {
  const { app, links } = setup([6001, 6002]);
  const message = incoming(3, 0xffff);
  app.receive("127.0.0.1:6001", message, frameOf(message));
  assertEquals(decodeApp(links.get(6002)!.sent[0]!).hops, 0xffff);
});

Deno.test("the delivered payload is a copy: the frame's buffer may be reused", () => {
  const { app, delivered } = setup([6001]);
  const message = incoming(4, 1, new Uint8Array([5, 5, 5]));
  const frame = frameOf(message);
  app.receive("127.0.0.1:6001", message, frame);
  frame.payload.fill(0);
  assert(delivered[0]!.data.every((b) => b === 5));
});
