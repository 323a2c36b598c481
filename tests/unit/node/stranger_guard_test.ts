import { assertEquals, assertMatch } from "@std/assert";
import type { ConnectionLimits } from "../../../lib/config/node_config.ts";
import { MemoryEventLog } from "../../../lib/log/events.ts";
import { StrangerGuard } from "../../../lib/node/stranger_guard.ts";
import type { CloseInfo, CloseReason, FramedConnection } from "../../../lib/wire/connection.ts";
import type { ErrorCode, HelloMessage } from "../../../lib/wire/messages.ts";
import type { Link } from "../../../lib/wire/transport.ts";
import { ManualClock } from "../../support/manual_clock.ts";

const LIMITS: ConnectionLimits = {
  maxConnections: 10,
  maxPending: 5,
  maxPendingPerIp: 2,
  pendingTimeoutMs: 1000,
  sendBudgetBytes: 1 << 20,
};

/** The parts of a connection the guard touches. */
class Fake {
  remoteHello: HelloMessage | undefined;
  failed: Array<[CloseReason, ErrorCode, string]> = [];
  constructor(readonly remoteLabel: string, readonly direction: "in" | "out" = "in") {}
  fail(reason: CloseReason, code: ErrorCode, detail: string): void {
    this.failed.push([reason, code, detail]);
  }
  get as(): FramedConnection<unknown> {
    return this as unknown as FramedConnection<unknown>;
  }
}

function hello(port: number): HelloMessage {
  return {
    kind: "hello",
    version: 1,
    role: "peer",
    nodeId: "00000000000000a1",
    address: { host: "127.0.0.1", port },
  };
}

function link(remote: string): Link {
  return { stream: {} as Link["stream"], remote, localHost: "127.0.0.1" };
}

function setup(trusted: (hello: HelloMessage) => boolean = () => false) {
  const clock = new ManualClock();
  const log = new MemoryEventLog();
  const guard = new StrangerGuard({ limits: LIMITS, clock, log, trusted });
  return { clock, log, guard };
}

const PROTOCOL_ERROR: CloseInfo = { reason: "protocol_error", detail: "Unknown message type 99" };

Deno.test("StrangerGuard.screen() refuses past a cap with a logged, named reason", () => {
  const s = setup();
  assertEquals(s.guard.screen(link("10.0.0.1:1")), undefined);
  assertEquals(s.guard.screen(link("10.0.0.1:2")), undefined);
  const refusal = s.guard.screen(link("10.0.0.1:3"));
  assertEquals(refusal?.code, "too_many_connections");
  assertEquals(refusal?.text, "Refused: 2 connections from 10.0.0.1 still settling");
  assertEquals(s.log.named("connection_refused")[0]?.reason, "ip_pending_limit");
  assertEquals(s.guard.counts, { open: 2, pending: 2 });
});

Deno.test("StrangerGuard: a pending connection that does not settle in time is closed", async (t) => {
  await t.step("deadline passes: failed with pending_timeout, its slot freed on close", () => {
    const s = setup();
    const c = new Fake("10.0.0.1:1");
    s.guard.screen(link(c.remoteLabel));
    s.guard.pending(c.as);
    s.clock.advance(999);
    assertEquals(c.failed, []);
    s.clock.advance(1);
    assertEquals(c.failed[0]?.[0], "pending_timeout");
    assertMatch(c.failed[0]?.[2] ?? "", /within 1000ms/);
    s.guard.closed(c.as, { reason: "pending_timeout", detail: "" });
    assertEquals(s.guard.counts, { open: 0, pending: 0 });
    assertEquals(s.log.named("banned"), [], "a slow connection is no offence");
  });
  await t.step("settled in time: no deadline, no longer pending, still open", () => {
    const s = setup();
    const c = new Fake("10.0.0.1:1");
    s.guard.screen(link(c.remoteLabel));
    s.guard.pending(c.as);
    s.guard.settle(c.as);
    s.clock.advance(5000);
    assertEquals(c.failed, []);
    assertEquals(s.guard.counts, { open: 1, pending: 0 });
    assertEquals(s.guard.isSettled(c.as), true);
  });
});

Deno.test("StrangerGuard: an offence bans the claim outright and the IP for strangers", async (t) => {
  const member = 6001;
  const s = setup((h) => h.address.port === member);
  const offender = new Fake("10.0.0.1:1");
  offender.remoteHello = hello(7000);
  s.guard.screen(link(offender.remoteLabel));
  s.guard.closed(offender.as, PROTOCOL_ERROR);
  const banned = s.log.named("banned")[0];
  assertEquals([banned?.remote, banned?.offences, banned?.forMs], [
    "10.0.0.1 claiming 127.0.0.1:7000",
    1,
    1000,
  ]);

  await t.step("the same claim from that IP is refused", () => {
    assertMatch(
      s.guard.checkHello(new Fake("10.0.0.1:2").as, hello(7000))?.text ?? "",
      /misbehaved/,
    );
  });
  await t.step("another stranger's claim from that IP too", () => {
    assertEquals(
      s.guard.checkHello(new Fake("10.0.0.1:3").as, hello(7001))?.code,
      "too_many_connections",
    );
  });
  await t.step("a claim the node trusts from that IP is let in", () => {
    assertEquals(s.guard.checkHello(new Fake("10.0.0.1:4").as, hello(member)), undefined);
  });
  await t.step("other IPs are not affected", () => {
    assertEquals(s.guard.checkHello(new Fake("10.0.0.2:1").as, hello(7000)), undefined);
  });
  await t.step("the ban ends", () => {
    s.clock.advance(1000);
    assertEquals(s.guard.checkHello(new Fake("10.0.0.1:5").as, hello(7001)), undefined);
  });
});

Deno.test("StrangerGuard: which closes are offences", async (t) => {
  for (
    const [reason, offence] of [
      ["protocol_error", true],
      ["handshake_timeout", true],
      ["send_overflow", true],
      ["pending_timeout", false],
      ["remote_closed", false],
      ["local", false],
      ["io_error", false],
    ] as const
  ) {
    await t.step(`${reason}: ${offence ? "banned" : "not banned"}`, () => {
      const s = setup();
      const c = new Fake("10.0.0.1:1");
      s.guard.screen(link(c.remoteLabel));
      s.guard.closed(c.as, { reason, detail: "x" });
      assertEquals(s.log.named("banned").length, offence ? 1 : 0);
    });
  }
  await t.step("outbound connections are never counted or banned", () => {
    const s = setup();
    const out = new Fake("10.0.0.1:1", "out");
    s.guard.closed(out.as, PROTOCOL_ERROR);
    assertEquals(s.log.named("banned"), []);
    assertEquals(s.guard.counts, { open: 0, pending: 0 });
  });
});

Deno.test("StrangerGuard: a settled connection that misbehaves later bans its own IP", () => {
  const s = setup();
  const c = new Fake("10.0.0.7:1");
  c.remoteHello = hello(7000);
  s.guard.screen(link(c.remoteLabel));
  s.guard.pending(c.as);
  s.guard.settle(c.as);
  assertEquals(s.guard.counts, { open: 1, pending: 0 });
  s.guard.closed(c.as, PROTOCOL_ERROR);
  assertEquals(s.guard.counts, { open: 0, pending: 0 });
  assertEquals(s.log.named("banned")[0]?.remote, "10.0.0.7 claiming 127.0.0.1:7000");
  assertMatch(
    s.guard.checkHello(new Fake("10.0.0.7:2").as, hello(7000))?.text ?? "",
    /10\.0\.0\.7/,
  );
});
