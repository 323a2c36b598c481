import { assertEquals } from "@std/assert";
import { Sleeper } from "../../../lib/util/sleeper.ts";
import { ManualClock } from "../../support/manual_clock.ts";

/** Tracks a promise's outcome without awaiting it. */
function watch(promise: Promise<boolean>): { value: boolean | undefined } {
  const state: { value: boolean | undefined } = { value: undefined };
  promise.then((v) => state.value = v);
  return state;
}

/** Lets settled promise callbacks run. */
async function flush(): Promise<void> {
  for (let i = 0; i < 3; i++) await Promise.resolve();
}

Deno.test("Sleeper.sleep() resolves true once the clock reaches the time", async () => {
  const clock = new ManualClock();
  const sleeper = new Sleeper(clock);
  const wait = watch(sleeper.sleep(100));
  assertEquals(clock.pending, 1);
  clock.advance(99);
  await flush();
  assertEquals(wait.value, undefined);
  clock.advance(1);
  await flush();
  assertEquals(wait.value, true);
  assertEquals(clock.pending, 0);
});

Deno.test("Sleeper.sleep() wakes several waits in time order", async () => {
  const clock = new ManualClock();
  const sleeper = new Sleeper(clock);
  const woke: number[] = [];
  const waits = [300, 100, 200, 0].map((ms) => sleeper.sleep(ms).then((ok) => ok && woke.push(ms)));
  clock.advance(150);
  await flush();
  assertEquals(woke, [0, 100]);
  clock.advance(150);
  await Promise.all(waits);
  assertEquals(woke, [0, 100, 200, 300]);
});

Deno.test("Sleeper.cancelAll() ends pending waits with false", async () => {
  const clock = new ManualClock();
  const sleeper = new Sleeper(clock);
  const done = watch(sleeper.sleep(10));
  const long = sleeper.sleep(1_000);
  const longer = sleeper.sleep(60_000);
  clock.advance(10);
  await flush();
  assertEquals(done.value, true);
  assertEquals(clock.pending, 2);
  sleeper.cancelAll();
  assertEquals(await long, false);
  assertEquals(await longer, false);
  // Their timers are gone, not merely ignored.
  assertEquals(clock.pending, 0);
  clock.advance(100_000);
  assertEquals(done.value, true); // an already finished wait keeps its value
});

Deno.test("Sleeper.sleep() after cancelAll() resolves false at once, with no timer", async () => {
  const clock = new ManualClock();
  const sleeper = new Sleeper(clock);
  sleeper.cancelAll();
  const wait = watch(sleeper.sleep(1_000));
  await flush();
  assertEquals(wait.value, false);
  assertEquals(clock.pending, 0);
  sleeper.cancelAll(); // twice is fine
  assertEquals(await sleeper.sleep(0), false);
});

Deno.test("Sleeper.cancelAll() on one sleeper leaves another running", async () => {
  const clock = new ManualClock();
  const a = new Sleeper(clock);
  const b = new Sleeper(clock);
  const waitA = a.sleep(50);
  const waitB = b.sleep(50);
  a.cancelAll();
  assertEquals(clock.pending, 1);
  clock.advance(50);
  assertEquals([await waitA, await waitB], [false, true]);
});
