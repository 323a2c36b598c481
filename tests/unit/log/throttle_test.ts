import { assertEquals } from "@std/assert";
import { MemoryEventLog, renderEvent } from "../../../lib/log/events.ts";
import { Throttle, throttledLog, throttleKey } from "../../../lib/log/throttle.ts";
import { isBrokenLink } from "../../../lib/wire/connection.ts";
import { ManualClock } from "../../support/manual_clock.ts";

Deno.test("Throttle.check() lets one line per key through per window and counts the rest", () => {
  const clock = new ManualClock(0);
  const throttle = new Throttle(clock, 1000);
  assertEquals(throttle.check("a"), { write: true, held: 0 });
  assertEquals(throttle.check("a"), { write: false, held: 1 });
  assertEquals(throttle.check("b"), { write: true, held: 0 });
  clock.advance(999);
  assertEquals(throttle.check("a"), { write: false, held: 2 });
  clock.advance(1);
  assertEquals(throttle.check("a"), { write: true, held: 2 });
  assertEquals(throttle.check("a"), { write: false, held: 1 });
});

Deno.test("throttledLog() writes 40 s of a link failing every 50 ms as 4 lines, not 800", () => {
  const clock = new ManualClock(0);
  const inner = new MemoryEventLog();
  const log = throttledLog(inner, clock);
  for (let t = 0; t < 40_000; t += 50) {
    log.emit({ event: "seed_link_down", seed: "10.0.0.2:5000", reason: "Malformed sync_state" });
    log.emit({
      event: "connection_dropped",
      remote: "10.0.0.2:5000",
      reason: "protocol_error",
      detail: "x",
    });
    clock.advance(50);
  }
  assertEquals(inner.named("seed_link_down").length, 4);
  assertEquals(inner.named("connection_dropped").length, 4);
  assertEquals(inner.named("seed_link_down")[1]?.suppressed, 199);
  assertEquals(
    renderEvent(inner.events[2]!),
    "link to seed 10.0.0.2:5000 down: Malformed sync_state (and 199 more like it)",
  );
});

Deno.test("throttledLog() never holds back contract events or other remotes' warnings", () => {
  const clock = new ManualClock(0);
  const inner = new MemoryEventLog();
  const log = throttledLog(inner, clock);
  for (let i = 0; i < 5; i++) {
    log.emit({ event: "dead_node_report", dead: "a:1", reporter: "b:2", raw: "Dead Node:a:1:0:b" });
    log.emit({ event: "seed_unreachable", seed: `10.0.0.${i}:5000`, detail: "refused" });
  }
  assertEquals(inner.named("dead_node_report").length, 5);
  assertEquals(inner.named("seed_unreachable").length, 5);
  assertEquals(
    throttleKey({ event: "gossip_received", message: "m", origin: "o", from: "f" }),
    undefined,
  );
});

Deno.test("isBrokenLink() tells a link that failed the protocol from one that merely closed", () => {
  assertEquals(isBrokenLink({ reason: "protocol_error", detail: "Malformed x" }), true);
  assertEquals(isBrokenLink({ reason: "remote_error", detail: "malformed: Malformed x" }), true);
  assertEquals(
    isBrokenLink({ reason: "remote_error", detail: "shutting_down: Seed shutting down" }),
    false,
  );
  assertEquals(
    isBrokenLink({ reason: "remote_closed", detail: "Connection closed by remote" }),
    false,
  );
  assertEquals(isBrokenLink({ reason: "local", detail: "leaving" }), false);
});

Deno.test("throttleKey(): auth_failed is one key per remote IP and kind of failure", () => {
  const key = (remote: string, reason: string) =>
    throttleKey({ event: "auth_failed", remote, reason });
  // A flood from fresh ports, naming fresh key ids, is one line per window.
  assertEquals(
    key("10.0.0.9:40001", "remote proves with key 0a1b2c3d, which is not in this node's keyring"),
    key("10.0.0.9:40002", "remote proves with key ffffffff, which is not in this node's keyring"),
  );
  assertEquals(
    key("10.0.0.9:1", "remote says: one thing"),
    key("10.0.0.9:2", "remote says: another"),
  );
  // Another kind of failure, or another IP, gets its own line.
  assertEquals(key("10.0.0.9:1", "remote has no key") === key("10.0.0.9:1", "x"), false);
  assertEquals(
    key("10.0.0.8:1", "remote has no key") === key("10.0.0.9:1", "remote has no key"),
    false,
  );
});
