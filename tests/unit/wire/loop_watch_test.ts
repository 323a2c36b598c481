import { assertEquals } from "@std/assert";
import { LoopWatch, tooBusyFor } from "../../../lib/wire/loop_watch.ts";
import { ManualClock } from "../../support/manual_clock.ts";
import { StalledClock } from "../../support/stalled_clock.ts";

Deno.test("LoopWatch sees the longest turn that delayed its ticks", () => {
  const inner = new ManualClock();
  const clock = new StalledClock(inner);
  const watch = new LoopWatch(clock, 50);
  inner.advance(200); // four ticks, each on time
  assertEquals(watch.maxLagMs, 0);
  clock.stall = 300; // the next tick runs 300 ms late
  inner.advance(50);
  assertEquals(watch.maxLagMs, 300);
  // Ticks are rescheduled from when they ran: a lag is counted once, not again and again.
  inner.advance(200);
  assertEquals(watch.maxLagMs, 300);
  watch.stop();
  assertEquals(inner.pending, 0);
  assertEquals(watch.maxLagMs, 300);
});

Deno.test("LoopWatch counts a tick overdue right now, and nothing after stop()", () => {
  const inner = new ManualClock();
  const clock = new StalledClock(inner);
  const watch = new LoopWatch(clock, 50);
  // Time moves on (the loop is stuck in one turn) and no tick has run yet.
  clock.stall = 450;
  assertEquals(watch.maxLagMs, 400);
  watch.stop();
  clock.stall = 5000;
  assertEquals(watch.maxLagMs, 400);
  watch.stop(); // idempotent
});

Deno.test("tooBusyFor() needs a turn of an eighth of the timeout, and at least 50 ms", () => {
  assertEquals(tooBusyFor(49, 100), false);
  assertEquals(tooBusyFor(50, 100), true);
  assertEquals(tooBusyFor(150, 1500), false);
  assertEquals(tooBusyFor(188, 1500), true);
  assertEquals(tooBusyFor(0, 0), false);
});
