import { assertEquals } from "@std/assert";
import { MemoryEventLog } from "../../../lib/log/events.ts";
import { CatchUp, selectCatchUp } from "../../../lib/peer/catch_up.ts";
import { MessageList, type MessageRecord } from "../../../lib/peer/message_list.ts";
import type { FramedConnection } from "../../../lib/wire/connection.ts";
import { MAX_FRAME_BYTES } from "../../../lib/wire/frame.ts";
import { catchUpMessages, encodeMessage, type Message } from "../../../lib/wire/messages.ts";
import { ManualClock } from "../../support/manual_clock.ts";

function entry(firstSeen: number, origin = "10.0.0.1:6001"): MessageRecord {
  return { text: `${firstSeen}:10.0.0.1:1`, origin, firstSeen, from: "self" };
}

Deno.test("selectCatchUp() keeps the newest messages within the age bound, oldest first", () => {
  const entries = [entry(100), entry(500), entry(900), entry(950), entry(999)];
  const limits = { maxMessages: 10, maxAgeMs: 100 };
  assertEquals(selectCatchUp(entries, 1000, limits).map((e) => e.firstSeen), [900, 950, 999]);
  assertEquals(
    selectCatchUp(entries, 1000, { maxMessages: 2, maxAgeMs: 1000 }).map((e) => e.firstSeen),
    [950, 999],
  );
  assertEquals(selectCatchUp(entries, 1000, { maxMessages: 0, maxAgeMs: 1000 }), []);
  assertEquals(selectCatchUp([], 1000, limits), []);
});

Deno.test("catchUpMessages() splits to fit frames and leaves out an item too big for one", () => {
  const origin = { host: "10.0.0.1", port: 6001 };
  const items = Array.from({ length: 3000 }, (_, i) => ({ origin, text: `${i}`.repeat(10) }));
  const parts = catchUpMessages(items);
  assertEquals(parts.length > 1, true);
  for (const part of parts) assertEquals(encodeMessage(part).length <= MAX_FRAME_BYTES + 4, true);
  assertEquals(parts.flatMap((p) => p.items), items);
  assertEquals(parts.map((p) => p.more), [...parts.slice(1).map(() => true), false]);
  const huge = { origin, text: "x".repeat(MAX_FRAME_BYTES - 12) };
  assertEquals(catchUpMessages([huge, items[0]!]).flatMap((p) => p.items), [items[0]]);
  assertEquals(catchUpMessages([]), [{ kind: "catch_up", more: false, items: [] }]);
});

/** A stand-in for a neighbour link that records what is sent on it. */
function fakeLink(key: string): FramedConnection & { sent: Message[] } {
  const sent: Message[] = [];
  return {
    remoteKey: key,
    isClosed: false,
    sent,
    send(message: Message) {
      sent.push(message);
      return true;
    },
  } as unknown as FramedConnection & { sent: Message[] };
}

/** A catch-up with two neighbours, 10.0.0.8:6008 and 10.0.0.9:6009, at a fixed time. */
function withTwoLinks() {
  const clock = new ManualClock(1_000_000);
  const first = fakeLink("10.0.0.8:6008");
  const second = fakeLink("10.0.0.9:6009");
  return { clock, first, second, ...setup(clock, [first, second]) };
}

function setup(clock: ManualClock, neighbors: FramedConnection[] = []) {
  const log = new MemoryEventLog();
  const messages = new MessageList({ clock });
  const catchUp = new CatchUp({
    messages,
    log,
    clock,
    limits: { maxMessages: 100, maxAgeMs: 60_000 },
    timeoutMs: 2000,
    neighbors: () => neighbors,
  });
  return { log, messages, catchUp };
}

Deno.test("CatchUp: a joiner records what it lacked as marked first receipts, once", () => {
  const clock = new ManualClock(1_000_000);
  const { log, messages, catchUp } = setup(clock);
  messages.record("10.0.0.2:6002", "t2", "10.0.0.9:6009"); // already known
  const neighbor = fakeLink("10.0.0.9:6009");
  catchUp.ask(neighbor);
  catchUp.ask(neighbor); // a second ask is ignored
  assertEquals(neighbor.sent, [{ kind: "catch_up_request", maxMessages: 100, maxAgeMs: 60_000 }]);
  const item = (host: string, text: string) => ({ origin: { host, port: 6000 }, text });
  const answered = catchUp.onAnswer("10.0.0.9:6009", {
    kind: "catch_up",
    more: false,
    items: [item("10.0.0.1", "t1"), { origin: { host: "10.0.0.2", port: 6002 }, text: "t2" }],
  });
  assertEquals(answered, true);
  assertEquals(log.named("gossip_received"), [
    {
      event: "gossip_received",
      message: "t1",
      origin: "10.0.0.1:6000",
      from: "10.0.0.9:6009",
      catchUp: true,
    },
  ]);
  assertEquals(log.named("catch_up"), [{ event: "catch_up", from: "10.0.0.9:6009", messages: 1 }]);
  // A late or repeated answer from the neighbour asked is ignored; one nobody asked for is refused.
  const empty = { kind: "catch_up" as const, more: false, items: [] };
  assertEquals(catchUp.onAnswer("10.0.0.9:6009", empty), true);
  assertEquals(log.named("catch_up").length, 1);
  assertEquals(catchUp.onAnswer("10.0.0.8:6008", empty), false);
});

Deno.test("CatchUp: a neighbour still catching up answers once it is done; one answer per link", () => {
  const clock = new ManualClock(1_000_000);
  const { messages, catchUp } = setup(clock);
  messages.record("10.0.0.1:6001", "old", "self");
  clock.advance(61_000);
  messages.record("10.0.0.1:6001", "recent", "self");
  const upstream = fakeLink("10.0.0.8:6008");
  const joiner = fakeLink("10.0.0.7:6007");
  catchUp.ask(upstream);
  catchUp.onRequest(joiner, { maxMessages: 65535, maxAgeMs: 4_000_000_000 });
  assertEquals(joiner.sent, []); // held back: this peer is catching up itself
  catchUp.onAnswer("10.0.0.8:6008", {
    kind: "catch_up",
    more: false,
    items: [{ origin: { host: "10.0.0.3", port: 6003 }, text: "from upstream" }],
  });
  // The joiner's bounds are clipped to this peer's own (100 messages, 60 s).
  assertEquals(joiner.sent, [{
    kind: "catch_up",
    more: false,
    items: [
      { origin: { host: "10.0.0.1", port: 6001 }, text: "recent" },
      { origin: { host: "10.0.0.3", port: 6003 }, text: "from upstream" },
    ],
  }]);
  catchUp.onRequest(joiner, { maxMessages: 10, maxAgeMs: 1000 });
  assertEquals(joiner.sent.length, 1);
});

Deno.test("CatchUp: an unanswered ask times out, and waiting requests are answered then", () => {
  const clock = new ManualClock(1_000_000);
  const { log, catchUp } = setup(clock);
  const upstream = fakeLink("10.0.0.8:6008");
  const joiner = fakeLink("10.0.0.7:6007");
  catchUp.ask(upstream);
  catchUp.onRequest(joiner, { maxMessages: 10, maxAgeMs: 1000 });
  clock.advance(3999);
  assertEquals(log.named("catch_up"), []);
  clock.advance(1); // twice the timeout: a neighbour that defers gets its own timeout's worth
  assertEquals(log.named("catch_up"), [{ event: "catch_up", from: "10.0.0.8:6008", messages: 0 }]);
  assertEquals(joiner.sent, [{ kind: "catch_up", more: false, items: [] }]);
});

const EMPTY = { kind: "catch_up" as const, more: false, items: [] };

Deno.test("CatchUp: two newcomers that ask each other answer at once instead of waiting for each other", () => {
  const clock = new ManualClock(1_000_000);
  const { messages, catchUp } = setup(clock);
  messages.record("10.0.0.1:6001", "heard", "10.0.0.5:6005");
  const other = fakeLink("10.0.0.8:6008");
  catchUp.ask(other);
  // The neighbour it waits on asks it in turn: deferring would stall both until the timeout.
  catchUp.onRequest(other, { maxMessages: 10, maxAgeMs: 60_000 });
  assertEquals(other.sent.at(-1), {
    kind: "catch_up",
    more: false,
    items: [{ origin: { host: "10.0.0.1", port: 6001 }, text: "heard" }],
  });
  // Anyone else still waits until it is done.
  const third = fakeLink("10.0.0.7:6007");
  catchUp.onRequest(third, { maxMessages: 10, maxAgeMs: 60_000 });
  assertEquals(third.sent, []);
});

Deno.test("CatchUp: an answer that brings nothing new is followed by an ask of the next neighbour", async (t) => {
  const item = { origin: { host: "10.0.0.3", port: 6003 }, text: "older" };
  await t.step("empty, then the next neighbour not yet asked; at most four asks", () => {
    const clock = new ManualClock(1_000_000);
    const links = [6, 7, 8, 9, 10].map((i) => fakeLink(`10.0.0.${i}:60${i}`));
    const { log, catchUp } = setup(clock, links);
    catchUp.ask(links[0]!);
    for (let i = 0; i < 4; i++) {
      assertEquals(links[i]!.sent.map((m) => m.kind), ["catch_up_request"]);
      catchUp.onAnswer(links[i]!.remoteKey, EMPTY);
    }
    assertEquals(links[4]!.sent, []);
    assertEquals(
      log.named("catch_up").map((e) => e.from),
      links.slice(0, 4).map((l) => l.remoteKey),
    );
  });
  await t.step("the second ask brings what the first lacked", () => {
    const { clock, first, second, log, catchUp } = withTwoLinks();
    catchUp.ask(first);
    clock.advance(4000); // timed out: nothing came
    assertEquals(second.sent.length, 1);
    catchUp.onAnswer("10.0.0.9:6009", { kind: "catch_up", more: false, items: [item] });
    assertEquals(log.named("gossip_received").map((e) => e.from), ["10.0.0.9:6009"]);
  });
  await t.step("an answer with news ends it", () => {
    const { first, second, catchUp } = withTwoLinks();
    catchUp.ask(first);
    catchUp.onAnswer("10.0.0.8:6008", { kind: "catch_up", more: false, items: [item] });
    assertEquals(second.sent, []);
  });
  await t.step("news from a newcomer (it asked this peer too) is followed by another ask", () => {
    const { first: newcomer, second: settled, log, catchUp } = withTwoLinks();
    catchUp.ask(newcomer);
    // It asks in turn (it is catching up itself), then answers with what it heard since joining.
    catchUp.onRequest(newcomer, { maxMessages: 10, maxAgeMs: 60_000 });
    const live = { origin: { host: "10.0.0.4", port: 6004 }, text: "since it joined" };
    catchUp.onAnswer("10.0.0.8:6008", { kind: "catch_up", more: false, items: [live] });
    assertEquals(settled.sent.map((m) => m.kind), ["catch_up_request"]);
    catchUp.onAnswer("10.0.0.9:6009", { kind: "catch_up", more: false, items: [live, item] });
    assertEquals(log.named("gossip_received").map((e) => [e.message, e.from]), [
      ["since it joined", "10.0.0.8:6008"],
      ["older", "10.0.0.9:6009"],
    ]);
    assertEquals(log.named("catch_up").map((e) => e.messages), [1, 1]);
  });
  await t.step("no other neighbour: nothing more", () => {
    const clock = new ManualClock(1_000_000);
    const first = fakeLink("10.0.0.8:6008");
    const { log, catchUp } = setup(clock, [first]);
    catchUp.ask(first);
    catchUp.onAnswer("10.0.0.8:6008", EMPTY);
    assertEquals(first.sent.length, 1);
    assertEquals(log.named("catch_up").length, 1);
  });
});

Deno.test("CatchUp: a peer that joined with no neighbour asks the first link that comes up", () => {
  const clock = new ManualClock(1_000_000);
  const { catchUp } = setup(clock);
  catchUp.begin(undefined);
  assertEquals(catchUp.waitingForLink, true);
  const later = fakeLink("10.0.0.9:6009");
  catchUp.linked(later);
  assertEquals(later.sent.map((m) => m.kind), ["catch_up_request"]);
  assertEquals(catchUp.waitingForLink, false);
  const another = fakeLink("10.0.0.8:6008");
  catchUp.linked(another);
  assertEquals(another.sent, []);
});

Deno.test("CatchUp: an ask whose link closes goes again over another link, or the next to come up", () => {
  const clock = new ManualClock(1_000_000);
  const settled = fakeLink("10.0.0.9:6009"); // the same neighbour, over the link that stayed
  const dropped = fakeLink("10.0.0.9:6009");
  const links: FramedConnection[] = [dropped, settled];
  const { log, catchUp } = setup(clock, links);
  catchUp.begin(dropped);
  (dropped as { isClosed: boolean }).isClosed = true;
  catchUp.closed(dropped);
  assertEquals(settled.sent.map((m) => m.kind), ["catch_up_request"]);
  assertEquals(log.named("catch_up"), [], "the lost ask is not an ask that ended");
  // Lost again, with no other link open: the next link is asked.
  links.length = 0;
  catchUp.closed(settled);
  assertEquals(catchUp.waitingForLink, true);
  const next = fakeLink("10.0.0.7:6007");
  catchUp.linked(next);
  assertEquals(next.sent.map((m) => m.kind), ["catch_up_request"]);
  catchUp.closed(fakeLink("10.0.0.6:6006")); // not the asked link: nothing changes
  assertEquals(catchUp.waitingForLink, false);
});
