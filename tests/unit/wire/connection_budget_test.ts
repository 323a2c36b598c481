import { assertEquals, assertMatch } from "@std/assert";
import { type ByteStream, type CloseInfo, FramedConnection } from "../../../lib/wire/connection.ts";
import type { HelloMessage, Message } from "../../../lib/wire/messages.ts";
import { encodeMessage } from "../../../lib/wire/messages.ts";
import { SendBudget } from "../../../lib/wire/send_budget.ts";
import { FakeStream, settle } from "../../support/fake_stream.ts";
import { ManualClock } from "../../support/manual_clock.ts";

const HELLO: HelloMessage = {
  kind: "hello",
  version: 1,
  role: "seed",
  nodeId: "0123456789abcdef",
  address: { host: "127.0.0.1", port: 5000 },
};
const LIST: Message = {
  kind: "peer_list",
  requestId: 1,
  more: false,
  peers: Array.from({ length: 200 }, (_, i) => ({
    address: { host: "10.0.0.1", port: 1000 + i },
    degree: 1,
  })),
};

/** A connection on `stream` past its handshake (the remote's hello fed through `feed`). */
function connect<S extends ByteStream>(
  stream: S,
  feed: (bytes: Uint8Array) => void,
  budget: SendBudget,
  clock: ManualClock,
) {
  const closes: CloseInfo[] = [];
  const connection = new FramedConnection(stream, {
    handler: { onHello: () => undefined, onMessage() {}, onClose: (_c, info) => closes.push(info) },
    localHello: HELLO,
    direction: "in",
    remoteLabel: "10.0.0.9:1",
    options: { clock, budget, maxQueuedBytes: 1 << 20 },
  });
  connection.start();
  feed(encodeMessage({ ...HELLO, role: "client", address: { host: "10.0.0.9", port: 0 } }));
  return { stream, connection, closes };
}

async function open(budget: SendBudget, clock: ManualClock) {
  const stream = new FakeStream();
  const opened = connect(stream, (bytes) => stream.feed(bytes), budget, clock);
  await settle();
  return opened;
}

Deno.test("FramedConnection with a send budget: the remote that stops reading is the one closed", async () => {
  const clock = new ManualClock();
  const budget = new SendBudget(64 * 1024);
  const reader = await open(budget, clock);
  const stuck = await open(budget, clock);
  stuck.stream.holdWrites = true; // never reads: its writes never complete
  let sent = 0;
  while (stuck.connection.send(LIST)) {
    sent++;
    await settle(2);
    if (sent > 1000) break;
  }
  assertEquals(stuck.closes[0]?.reason, "send_overflow");
  assertMatch(
    stuck.closes[0]?.detail ?? "",
    /send budget .* is used up; this connection held the most/,
  );
  // The reader is untouched, and still sends freely.
  for (let i = 0; i < 20; i++) assertEquals(reader.connection.send(LIST), true);
  await settle();
  assertEquals(reader.closes, []);
  assertEquals(budget.total, 0, "written and closed bytes were all refunded");
});

Deno.test("FramedConnection refunds the budget as its writes complete", async () => {
  const clock = new ManualClock();
  const budget = new SendBudget(1 << 24);
  const c = await open(budget, clock);
  c.stream.holdWrites = true;
  for (let i = 0; i < 100; i++) c.connection.send(LIST);
  c.stream.holdWrites = false;
  c.stream.releaseWrites();
  await settle();
  assertEquals(c.connection.queuedBytes, 0);
  assertEquals(budget.total, 0);
});

/**
 * A push-mode stream whose transfers wait (like a `node:net` socket): it
 * calls their `sent` only when `drain()` says the remote took them.
 */
class WaitingPushStream implements ByteStream {
  readonly transferWaits = true;
  sink: ((chunk: Uint8Array | null) => void) | undefined;
  waiting: (() => void)[] = [];
  read(): Promise<number | null> {
    return Promise.reject(new Error("push mode only"));
  }
  write(): Promise<number> {
    return Promise.reject(new Error("push mode only"));
  }
  close(): void {}
  subscribe<T>(sink: (this: T, chunk: Uint8Array | null) => void, target: T): void {
    this.sink = (chunk) => sink.call(target, chunk);
  }
  transfer(_data: Uint8Array, sent?: () => void): void {
    if (sent) this.waiting.push(sent);
  }
  drain(): void {
    const waiting = this.waiting;
    this.waiting = [];
    for (const sent of waiting) sent();
  }
}

function openPush(budget: SendBudget, clock: ManualClock) {
  const stream = new WaitingPushStream();
  return connect(stream, (bytes) => stream.sink!(bytes), budget, clock);
}

Deno.test("FramedConnection charges the budget for bytes a waiting push stream still holds, and refunds them as they are sent", async () => {
  const clock = new ManualClock();
  const budget = new SendBudget(64 * 1024);
  const reader = openPush(budget, clock);
  const stuck = openPush(budget, clock);
  let sent = 0;
  while (stuck.connection.send(LIST)) {
    sent++;
    await settle();
    reader.connection.send(LIST);
    await settle();
    reader.stream.drain(); // this remote reads
    if (sent > 1000) break;
  }
  assertEquals(stuck.closes[0]?.reason, "send_overflow");
  assertMatch(stuck.closes[0]?.detail ?? "", /send budget .* is used up/);
  assertEquals(reader.closes, []);
  reader.stream.drain();
  assertEquals(budget.total, 0, "sent and closed bytes were all refunded");
  // A late `sent` of the closed link's bytes gives nothing back twice.
  stuck.stream.drain();
  assertEquals(budget.total, 0);
});
