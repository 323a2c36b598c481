import { assertEquals } from "@std/assert";
import { MemoryEventLog } from "../../../lib/log/events.ts";
import { Membership } from "../../../lib/seed/membership.ts";
import { MembershipHealer, nextBatch } from "../../../lib/seed/membership_healer.ts";
import type { Decision, Removal } from "../../../lib/seed/registrar.ts";
import type { ProbeResult } from "../../../lib/wire/probe.ts";
import { settle } from "../../support/fake_stream.ts";
import { ALIVE, DEAD, FakeProbe } from "../../support/fake_probe.ts";
import { ManualClock } from "../../support/manual_clock.ts";

const ACCEPTED: Decision = { accepted: true, yes: 2, needed: 2, detail: "committed" };

function setup(members: number[], batch = 2) {
  const clock = new ManualClock();
  const membership = new Membership({ clock });
  for (const port of members) {
    membership.apply({
      address: { host: "127.0.0.1", port },
      state: "member",
      version: membership.nextVersion("aaaa000000000000"),
      degree: 0,
    });
  }
  const probe = new FakeProbe();
  probe.answer = ALIVE;
  const proposed: Removal[] = [];
  const log = new MemoryEventLog();
  const healer = new MembershipHealer({
    membership,
    probe: probe.probe,
    propose: (removal) => {
      proposed.push(removal);
      return Promise.resolve(ACCEPTED);
    },
    selfHost: "127.0.0.1",
    intervalMs: 1000,
    batch,
    clock,
    log,
  });
  return { clock, membership, probe, proposed, log, healer };
}

Deno.test("nextBatch() visits every key once per lap, in key order", () => {
  const keys = ["d", "a", "c", "b"];
  assertEquals(nextBatch(keys, undefined, 3), ["a", "b", "c"]);
  assertEquals(nextBatch(keys, "c", 3), ["d", "a", "b"]);
  assertEquals(nextBatch(keys, "zz", 2), ["a", "b"]);
  assertEquals(nextBatch([], undefined, 3), []);
  assertEquals(nextBatch(keys, "a", 0), []);
});

Deno.test("MembershipHealer.recheck() probes a batch in turn and proposes removing the dead", async () => {
  const s = setup([6001, 6002, 6003], 2);
  s.probe.answers.set("127.0.0.1:6002", DEAD);
  await s.healer.recheck();
  assertEquals(s.probe.calls.map((a) => a.port), [6001, 6002]);
  assertEquals(s.proposed.map((r) => [r.peer.port, r.reason]), [[6002, "dead"]]);
  assertEquals(s.proposed[0]?.raw.startsWith("Dead Node:127.0.0.1:6002:"), true);
  assertEquals(s.log.named("member_unreachable").map((e) => e.peer), ["127.0.0.1:6002"]);
  await s.healer.recheck();
  assertEquals(s.probe.calls.map((a) => a.port), [6001, 6002, 6003, 6001]);
});

Deno.test("MembershipHealer.recheck() proposes nothing when its own probe cannot check", async () => {
  const s = setup([6001]);
  const local: ProbeResult = {
    alive: false,
    cause: "local",
    detail: "Too many open files (os error 24)",
  };
  s.probe.answer = local;
  await s.healer.recheck();
  assertEquals(s.proposed, []);
  assertEquals(s.log.named("member_unreachable"), []);
  assertEquals(s.log.named("member_check_inconclusive").map((e) => [e.peer, e.detail]), [
    ["127.0.0.1:6001", "Too many open files (os error 24)"],
  ]);
});

Deno.test("MembershipHealer retries stalled removals of peers still listed", () => {
  const s = setup([6001, 6002]);
  const stalled = (port: number): Removal => ({
    op: "remove",
    peer: { host: "127.0.0.1", port },
    reason: "dead",
    raw: "",
  });
  s.healer.stall(stalled(6001));
  s.healer.stall(stalled(6009)); // no longer listed: dropped
  assertEquals(s.healer.stalled, ["127.0.0.1:6001", "127.0.0.1:6009"]);
  s.healer.retryStalled();
  assertEquals(s.proposed.map((r) => r.peer.port), [6001]);
  assertEquals(s.healer.stalled, []);
});

Deno.test("MembershipHealer.start() re-checks every interval; stop() ends it", async () => {
  const s = setup([6001]);
  s.healer.start();
  s.clock.advance(1000);
  await settle();
  s.clock.advance(1000);
  await settle();
  assertEquals(s.probe.calls.length, 2);
  s.healer.stop();
  s.clock.advance(5000);
  await settle();
  assertEquals(s.probe.calls.length, 2);
  assertEquals(s.clock.pending, 0);
});
