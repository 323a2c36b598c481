import { assertEquals } from "@std/assert";
import { PausableClock } from "../../../lib/util/pausable_clock.ts";
import { ManualClock } from "../../support/manual_clock.ts";

function setup() {
  const inner = new ManualClock(0);
  const clock = new PausableClock(inner);
  const fired: string[] = [];
  const at = (name: string, ms: number) => clock.setTimeout(() => fired.push(name), ms);
  return { inner, clock, fired, at };
}

Deno.test("PausableClock runs timers as its inner clock does while not paused", () => {
  const { inner, clock, fired, at } = setup();
  at("a", 10);
  const b = at("b", 20);
  clock.clearTimeout(b);
  inner.advance(30);
  assertEquals(fired, ["a"]);
  assertEquals(clock.now(), 30);
});

Deno.test("PausableClock.pause() holds due timers; resume() fires them late, in order", () => {
  const { inner, clock, fired, at } = setup();
  at("a", 10);
  at("b", 20);
  at("c", 100);
  clock.pause();
  inner.advance(50);
  assertEquals(fired, [], "nothing fires while paused");
  assertEquals(clock.heldCount, 2);
  clock.resume();
  assertEquals(fired, ["a", "b"]);
  inner.advance(50);
  assertEquals(fired, ["a", "b", "c"], "later timers run on time");
});

Deno.test("PausableClock.clearTimeout() cancels a held timer too", () => {
  const { inner, clock, fired, at } = setup();
  const a = at("a", 10);
  at("b", 10);
  clock.pause();
  inner.advance(10);
  clock.clearTimeout(a);
  clock.resume();
  assertEquals(fired, ["b"]);
});

Deno.test("PausableClock.resume(): a held timer that pauses again keeps the rest held", () => {
  const { inner, clock, fired } = setup();
  clock.setTimeout(() => {
    fired.push("a");
    clock.pause();
  }, 10);
  clock.setTimeout(() => fired.push("b"), 10);
  clock.pause();
  inner.advance(10);
  clock.resume();
  assertEquals(fired, ["a"]);
  clock.resume();
  assertEquals(fired, ["a", "b"]);
});

Deno.test("PausableClock.halt() cancels every timer, held or pending, and ignores new ones", () => {
  const { inner, clock, fired, at } = setup();
  at("held", 10);
  at("pending", 100);
  clock.pause();
  inner.advance(10);
  clock.halt();
  at("new", 1);
  clock.resume();
  inner.advance(1000);
  assertEquals(fired, []);
  assertEquals(inner.pending, 0, "no timer is left on the inner clock");
  assertEquals(clock.halted, true);
});
